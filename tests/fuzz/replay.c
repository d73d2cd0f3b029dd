/* replay.c: a main() for a fuzz target outside libFuzzer: feeds it files, so that its corpus and past crashes run in "make check". */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/*
 * Usage: replay-NAME [FILE|DIR ...].  Without arguments it replays
 * $FUZZ_SRCDIR/corpus/NAME (which must exist) and $FUZZ_SRCDIR/regress/NAME
 * (the crashes found so far, if any); NAME comes from the program's own
 * name, so that one replay.o serves every target.  Each file is read
 * into a buffer of exactly its size, as libFuzzer gives it, so that an
 * overread is caught by the sanitizers of a --enable-sanitizers build or
 * by valgrind.
 */

#define REPLAY_TIMEOUT	120	/* seconds for the whole run */

/* Defined only by targets that need a fixture. */
#pragma weak LLVMFuzzerInitialize

static int	replayed;

static int
replay_file(const char *path)
{
	struct stat	 st;
	uint8_t		*data;
	FILE		*f;
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	/* At least one byte, so that malloc(0) never returns NULL. */
	data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (data == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(data, 1, (size_t)st.st_size, f);
	fclose(f);
	if (n != (size_t)st.st_size) {
		fprintf(stderr, "%s: short read\n", path);
		free(data);
		return -1;
	}
	if (getenv("REPLAY_VERBOSE") != NULL)
		fprintf(stderr, "replaying %s\n", path);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	replayed++;
	return 0;
}

/* Replays path, a file or a directory of files; missing_ok for a directory that may not exist. */
static int
replay_path(const char *path, int missing_ok)
{
	struct dirent	**names;
	struct stat	  st;
	char		  file[4096];
	int		  i, n, ret = 0;

	if (stat(path, &st) == -1) {
		if (missing_ok && errno == ENOENT)
			return 0;
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	/* In name order, so that a run is the same everywhere. */
	if ((n = scandir(path, &names, NULL, alphasort)) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && ret == 0) {
			snprintf(file, sizeof file, "%s/%s", path,
			    names[i]->d_name);
			ret = replay_file(file);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

/* The target's name: what follows "replay-" in the program's name. */
static const char *
target_name(const char *argv0)
{
	const char	*base, *dash;

	base = strrchr(argv0, '/');
	base = base != NULL ? base + 1 : argv0;
	dash = strchr(base, '-');
	return dash != NULL ? dash + 1 : base;
}

int
main(int argc, char **argv)
{
	const char	*srcdir, *target = target_name(argv[0]);
	char		 path[4096];
	int		 i, ret = 0;

	alarm(REPLAY_TIMEOUT);
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc && ret == 0; i++)
			ret = replay_path(argv[i], 0);
	} else {
		if ((srcdir = getenv("FUZZ_SRCDIR")) == NULL)
			srcdir = ".";
		snprintf(path, sizeof path, "%s/corpus/%s", srcdir, target);
		ret = replay_path(path, 0);
		snprintf(path, sizeof path, "%s/regress/%s", srcdir, target);
		if (ret == 0)
			ret = replay_path(path, 1);
	}
	if (ret == 0 && replayed == 0) {
		fprintf(stderr, "%s: no inputs to replay\n", target);
		ret = -1;
	}
	printf("%s: replayed %d inputs\n", target, replayed);
	return ret == 0 ? 0 : 1;
}
