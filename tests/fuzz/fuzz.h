/* fuzz.h: what every libFuzzer target in tests/fuzz/ shares: the entry points and an invariant check. */
#ifndef BACKSTREAM_FUZZ_H
#define BACKSTREAM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Each fuzz-NAME.c defines LLVMFuzzerTestOneInput() and, if it needs a
 * fixture, LLVMFuzzerInitialize().  The same file is linked two ways:
 * with libFuzzer (-fsanitize=fuzzer, "./configure --enable-fuzzing") to
 * search for crashes, and with replay.c in every build, where "make check"
 * feeds it the committed corpus and every crash found so far.
 *
 * A target returns 0 for any input; a broken invariant is a crash
 * (FUZZ_CHECK aborts), as is anything the sanitizers catch.
 */
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#endif
