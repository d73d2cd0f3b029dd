/* inject-faults.c: an LD_PRELOAD shim for tests/store-inject.sh: the store's writes and syncs start failing after N of them, as a disk that fills or breaks mid-operation. */
#include "config.h"

#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Only calls on files under INJECT_DIR count and fail (a log line on
 * standard error must still get out).  Settings, from the environment:
 *	INJECT_DIR	the directory whose files are faulty (required)
 *	INJECT_AFTER	calls that succeed before the first failure (default 0)
 *	INJECT_ERRNO	the error: ENOSPC (default) or EIO
 *	INJECT_ONCE	if set, only one call fails, the ones after succeed
 *	INJECT_REPORT	if set, the number of calls is printed at exit
 * The counter is per process: a forked child goes on from its parent's
 * count.  Calls that fail are write, pwrite, pwrite64, fsync, fdatasync.
 */

static long	calls;
static int	reported;

static ssize_t	(*real_write)(int, const void *, size_t);
static ssize_t	(*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t	(*real_pwrite64)(int, const void *, size_t, off_t);
static int	(*real_fsync)(int);
static int	(*real_fdatasync)(int);

/* Whether fd is a file under INJECT_DIR. */
static int
watched(int fd)
{
	const char	*dir = getenv("INJECT_DIR");
	char		 link[64], path[PATH_MAX];
	ssize_t		 n;
	int		 saved = errno;

	if (dir == NULL || *dir == '\0')
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	errno = saved;
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return strncmp(path, dir, strlen(dir)) == 0 &&
	    path[strlen(dir)] == '/';
}

static void
report(void)
{
	if (getenv("INJECT_REPORT") != NULL && !reported) {
		reported = 1;
		fprintf(stderr, "inject-faults: %ld calls\n", calls);
	}
}

/* Counts a call on fd; returns -1 with errno set if it is to fail. */
static int
inject(int fd)
{
	const char	*v;
	long		 after;

	if (!watched(fd))
		return 0;
	if (calls++ == 0)
		atexit(report);
	after = (v = getenv("INJECT_AFTER")) != NULL ? atol(v) : 0;
	if (calls <= after)
		return 0;
	if (getenv("INJECT_ONCE") != NULL && calls > after + 1)
		return 0;
	v = getenv("INJECT_ERRNO");
	errno = v != NULL && strcmp(v, "EIO") == 0 ? EIO : ENOSPC;
	return -1;
}

static void *
next(const char *name)
{
	void	*f;

	if ((f = dlsym(RTLD_NEXT, name)) == NULL)
		abort();
	return f;
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	if (real_write == NULL)
		real_write = next("write");
	if (inject(fd) == -1)
		return -1;
	return real_write(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (real_pwrite == NULL)
		real_pwrite = next("pwrite");
	if (inject(fd) == -1)
		return -1;
	return real_pwrite(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	if (real_pwrite64 == NULL)
		real_pwrite64 = next("pwrite64");
	if (inject(fd) == -1)
		return -1;
	return real_pwrite64(fd, buf, len, off);
}

int
fsync(int fd)
{
	if (real_fsync == NULL)
		real_fsync = next("fsync");
	if (inject(fd) == -1)
		return -1;
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	if (real_fdatasync == NULL)
		real_fdatasync = next("fdatasync");
	if (inject(fd) == -1)
		return -1;
	return real_fdatasync(fd);
}
