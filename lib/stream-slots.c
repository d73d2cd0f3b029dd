/* stream-slots.c: how many streams each user has open, across every stream responder, in a file of slots that a killed holder cannot leave taken. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "bytelock.h"
#include "stream-slots.h"
#include "xmalloc.h"

#define SLOTS_FILE	"streams.slots"
/*
 * The file: a header line, then one line per slot, "%10ld " pid, the uid
 * NUL-padded, a newline; a person can read it with tr '\0' ' '.  Byte 0
 * is the guard; a slot is taken while its first byte is locked, whatever
 * it holds.
 */
#define HEADER		"backstream stream slots 1\n"
#define HEADER_LEN	(sizeof HEADER - 1)
#define PID_LEN		11
#define SLOT_LEN	(PID_LEN + AUTH_UID_MAX + 2)
/* Slots read at once while counting. */
#define READ_SLOTS	64

struct stream_slots {
	char	*path;
	int	 fd;		/* -1 until the first take */
	off_t	 held;		/* the slot this process holds, or -1 */
};

struct stream_slots *
stream_slots_new(const char *dir)
{
	struct stream_slots	*ss = xcalloc(1, sizeof *ss);

	xasprintf(&ss->path, "%s/%s", dir, SLOTS_FILE);
	ss->fd = -1;
	ss->held = -1;
	return ss;
}

void
stream_slots_free(struct stream_slots *ss)
{
	if (ss == NULL)
		return;
	if (ss->fd != -1)
		close(ss->fd);	/* drops the locks too */
	free(ss->path);
	free(ss);
}

/* Opens the file, writing its header if it is new. */
static int
slots_open(struct stream_slots *ss, char *err, size_t errlen)
{
	struct stat	st;
	int		r;

	if (ss->fd != -1)
		return 0;
	if ((ss->fd = open(ss->path, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) == -1)
		goto fail;
	if (fstat(ss->fd, &st) == -1)
		goto fail;
	/* Two first takers both write the same header: no harm. */
	if (st.st_size < (off_t)HEADER_LEN && pwrite(ss->fd, HEADER, HEADER_LEN,
	    0) != (ssize_t)HEADER_LEN)
		goto fail;
	return 0;
fail:
	r = errno;
	snprintf(err, errlen, "%s: %s", ss->path, strerror(r));
	if (ss->fd != -1)
		close(ss->fd);
	ss->fd = -1;
	return r;
}

/*
 * Counts uid's taken slots into *count and finds the first free one
 * (possibly just past the end) into *free_off, under the guard.
 */
static int
slots_scan(struct stream_slots *ss, const char *uid, int64_t *count,
    off_t *free_off)
{
	char	buf[SLOT_LEN * READ_SLOTS];
	off_t	off = HEADER_LEN;
	ssize_t	n, i;
	size_t	len = strlen(uid) + 1;
	int	held;

	*count = 0;
	*free_off = -1;
	while ((n = pread(ss->fd, buf, sizeof buf, off)) > 0) {
		for (i = 0; i + SLOT_LEN <= n; i += SLOT_LEN, off += SLOT_LEN) {
			/* Only slots that could count or be taken are asked. */
			if (memcmp(buf + i + PID_LEN, uid, len) != 0 &&
			    *free_off != -1)
				continue;
			if ((held = bytelock_held(ss->fd, off)) == -1)
				return errno;
			if (held && memcmp(buf + i + PID_LEN, uid, len) == 0)
				(*count)++;
			else if (!held && *free_off == -1)
				*free_off = off;
		}
		if (n < (ssize_t)sizeof buf)
			break;
	}
	if (n == -1)
		return errno;
	if (*free_off == -1)
		*free_off = off;
	return 0;
}

/* Takes the slot at off for uid: the guard is held. */
static int
slot_claim(struct stream_slots *ss, off_t off, const char *uid)
{
	char	line[SLOT_LEN], pid[32];

	memset(line, 0, sizeof line);
	/* A pid has 10 digits at most (pid_max is 2^22 on Linux). */
	snprintf(pid, sizeof pid, "%10ld ", (long)getpid());
	memcpy(line, pid, PID_LEN);
	memcpy(line + PID_LEN, uid, strlen(uid));
	line[SLOT_LEN - 1] = '\n';
	if (bytelock_set(ss->fd, F_WRLCK, off, 0) == -1)
		return errno;
	if (pwrite(ss->fd, line, sizeof line, off) != (ssize_t)sizeof line) {
		(void)bytelock_set(ss->fd, F_UNLCK, off, 0);
		return errno != 0 ? errno : EIO;
	}
	ss->held = off;
	return 0;
}

int
stream_slots_take(struct stream_slots *ss, const char *uid, int64_t max,
    int64_t *held, char *err, size_t errlen)
{
	off_t	free_off;
	int	r;

	*held = 0;
	stream_slots_release(ss);
	if (strlen(uid) > AUTH_UID_MAX) {
		snprintf(err, errlen, "user id too long for a stream slot");
		return EINVAL;
	}
	if ((r = slots_open(ss, err, errlen)) != 0)
		return r;
	if (bytelock_set(ss->fd, F_WRLCK, 0, 1) == -1) {
		r = errno;
		snprintf(err, errlen, "%s: locking: %s", ss->path, strerror(r));
		return r;
	}
	if ((r = slots_scan(ss, uid, held, &free_off)) != 0)
		snprintf(err, errlen, "%s: reading: %s", ss->path, strerror(r));
	else if (*held >= max)
		r = EDQUOT;
	else if ((r = slot_claim(ss, free_off, uid)) != 0)
		snprintf(err, errlen, "%s: taking a slot: %s", ss->path,
		    strerror(r));
	(void)bytelock_set(ss->fd, F_UNLCK, 0, 0);
	return r;
}

void
stream_slots_release(struct stream_slots *ss)
{
	static const char	blank[SLOT_LEN - 1];

	if (ss->held == -1)
		return;
	/* Blanked while still held, so that the file shows who holds what. */
	(void)!pwrite(ss->fd, blank, sizeof blank, ss->held);
	(void)bytelock_set(ss->fd, F_UNLCK, ss->held, 0);
	ss->held = -1;
}
