/* bytelock.c: POSIX locks on single bytes of a file, the kernel's way of telling whether the process that took one is alive. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "bytelock.h"

static void
byte_lock(struct flock *fl, int type, off_t off)
{
	memset(fl, 0, sizeof *fl);
	fl->l_type = (short)type;
	fl->l_whence = SEEK_SET;
	fl->l_start = off;
	fl->l_len = 1;
}

int
bytelock_set(int fd, int type, off_t off, int wait)
{
	struct flock	fl;
	int		r;

	byte_lock(&fl, type, off);
	while ((r = fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl)) == -1 &&
	    errno == EINTR && wait)
		;
	return r == -1 ? -1 : 0;
}

int
bytelock_held(int fd, off_t off)
{
	struct flock	fl;

	/*
	 * The locks looked for are write locks, which a read lock would
	 * conflict with; F_GETLK only tests, so nothing needs releasing.
	 */
	byte_lock(&fl, F_RDLCK, off);
	if (fcntl(fd, F_GETLK, &fl) == -1)
		return -1;
	return fl.l_type != F_UNLCK;
}
