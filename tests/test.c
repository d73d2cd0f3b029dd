/* test.c: the runner behind test.h. */
#include "config.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

int test_failures;

static void
on_alarm(int sig)
{
	static const char msg[] = "test timed out\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	_exit(1);
}

static int
selected(int argc, char **argv, const char *name)
{
	int	i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
test_main(int argc, char **argv, const struct test *tests,
    unsigned timeout_seconds)
{
	const struct test	*t;
	int			 before;

	signal(SIGALRM, on_alarm);
	alarm(timeout_seconds);
	for (t = tests; t->name != NULL; t++) {
		if (!selected(argc, argv, t->name))
			continue;
		before = test_failures;
		t->fn();
		printf("%s %s\n", test_failures == before ? "ok  " : "FAIL",
		    t->name);
		fflush(stdout);
	}
	return test_failures == 0 ? 0 : 1;
}

char *
test_tmpdir(void)
{
	const char	*base;
	char		*path;

	base = getenv("TMPDIR");
	if (base == NULL || *base == '\0')
		base = "/tmp";
	if (asprintf(&path, "%s/backstream-test.XXXXXX", base) < 0)
		abort();
	if (mkdtemp(path) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return path;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
test_rmtree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
