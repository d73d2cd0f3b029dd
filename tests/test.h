/* test.h: assertions for the C unit tests; a failure prints both sides and where. */
#ifndef BACKSTREAM_TEST_H
#define BACKSTREAM_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Each test binary is a list of functions run in order by test_main().  A
 * failed check prints the expression, both values and the line, then the
 * binary exits 1 (automake counts it as FAIL).  Every binary runs under an
 * alarm so that a hang fails instead of blocking the suite.
 */
extern int test_failures;

#define TEST_FAIL(...) do {						\
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);		\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	test_failures++;						\
} while (0)

#define CHECK(cond) do {						\
	if (!(cond))							\
		TEST_FAIL("check failed: %s", #cond);			\
} while (0)

#define CHECK_INT(a, b) do {						\
	int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);			\
	if (a_ != b_)							\
		TEST_FAIL("%s == %s: %" PRId64 " != %" PRId64,		\
		    #a, #b, a_, b_);					\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *a_ = (a), *b_ = (b);				\
	if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)		\
		TEST_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,		\
		    a_ ? a_ : "(null)", b_ ? b_ : "(null)");		\
} while (0)

/* Doubles equal within tol relative to the larger magnitude (or absolute below 1). */
#define CHECK_NEAR(a, b, tol) do {					\
	double a_ = (a), b_ = (b), m_ = fmax(1, fmax(fabs(a_), fabs(b_))); \
	if (!(fabs(a_ - b_) <= (tol) * m_) &&				\
	    !(isnan(a_) && isnan(b_)))					\
		TEST_FAIL("%s ~= %s: %.17g != %.17g", #a, #b, a_, b_);	\
} while (0)

/* Stops the current test function (after reporting) when cond fails. */
#define REQUIRE(cond) do {						\
	if (!(cond)) {							\
		TEST_FAIL("required: %s", #cond);			\
		return;							\
	}								\
} while (0)

struct test {
	const char	*name;
	void		(*fn)(void);
};

/*
 * Runs tests in order (or only those named on the command line), each
 * reported on stdout; returns the exit status for main.
 */
int	test_main(int argc, char **argv, const struct test *tests,
	    unsigned timeout_seconds);

/* Makes a fresh directory under $TMPDIR (or /tmp); the caller frees. */
char	*test_tmpdir(void);
/* Removes a directory tree made by test_tmpdir(). */
void	test_rmtree(const char *path);

#endif
