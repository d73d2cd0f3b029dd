/* store-owner.c: the owner of a replicated store, one backstream-repd per node, and whether it is still the one a process knew. */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store-core.h"

/*
 * The owner holds this file's flock for its life and writes its pid and
 * start time in it.  A process of the store that is stuck inside an
 * operation, on a mutex that a process killed there left held, waits
 * for good: only a recovery mends that, and the owner's next start runs
 * it, but not before every process has left the gate.  So the stuck
 * process's watchdog ends it once the owner it knew is gone (the lock
 * free, or another owner's record in the file): that owner died, with
 * whatever else died beside it, and the next one waits at the gate.
 */
#define OWNER_FILE	"owner"

/* Reads the owner's record into out (len bytes); "" if none. */
static void
read_record(int fd, char *out, size_t len)
{
	ssize_t	n;

	n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
}

int
store_owner_open(struct store *s, char *err, size_t errlen)
{
	char	rec[sizeof s->owner_seen];
	int	n;

	if ((s->owner = store_lock_file_open(s, OWNER_FILE, err, errlen)) == -1)
		return -1;
	if (!s->repl_owner)
		return 0;
	if (flock(s->owner, LOCK_EX | LOCK_NB) == -1) {
		snprintf(err, errlen, "%s: %s", s->dir, errno == EWOULDBLOCK ?
		    "another backstream-repd runs on this store" :
		    strerror(errno));
		return -1;
	}
	n = snprintf(rec, sizeof rec, "%ld %llu\n", (long)s->pid,
	    (unsigned long long)s->starttime);
	if (ftruncate(s->owner, 0) == -1 ||
	    pwrite(s->owner, rec, (size_t)n, 0) != n) {
		snprintf(err, errlen, "%s/%s: %s", s->dir, OWNER_FILE,
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
store_owner_close(struct store *s)
{
	if (s->owner != -1)
		close(s->owner);	/* the owner's lock with it */
	s->owner = -1;
}

void
store_owner_note(struct store *s)
{
	if (s->owner != -1)
		read_record(s->owner, s->owner_seen, sizeof s->owner_seen);
}

int
store_owner_gone(const struct store *s)
{
	char	rec[sizeof s->owner_seen];

	if (s->repl_owner)
		return 0;
	if (s->owner == -1)
		return 1;
	if (flock(s->owner, LOCK_SH | LOCK_NB) == 0) {
		flock(s->owner, LOCK_UN);
		return 1;
	}
	read_record(s->owner, rec, sizeof rec);
	return strcmp(rec, s->owner_seen) != 0;
}
