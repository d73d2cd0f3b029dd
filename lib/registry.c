/* registry.c: Berkeley DB's list of the processes in an environment (__db.register), read and mended from outside the library. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bytelock.h"
#include "registry.h"

#define REGISTRY_FILE	"__db.register"
#define LINE		25
/* Berkeley DB's own lock on the whole file, held while a process registers. */
#define REGISTRY_BYTE	1

static int
open_registry(const char *dir, int flags)
{
	char	path[4096];

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, REGISTRY_FILE) >=
	    sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, flags | O_CLOEXEC);
}

/* pid's line, as Berkeley DB writes it: "%24lu\n", no NUL. */
static void
pid_line(char out[LINE], pid_t pid)
{
	char	buf[LINE + 1];

	snprintf(buf, sizeof buf, "%24lu\n", (unsigned long)pid);
	memcpy(out, buf, LINE);
}

/*
 * Whether a line of fd's registry other than self (NULL: none) is a dead
 * process: a partial line, or a slot whose lock nobody holds.  1 yes, 0
 * no, -1 interrupted.  Only async-signal-safe calls (pread, fcntl): the
 * watchdog's handler runs it, and may have interrupted anything.  Reads
 * start on a line and the buffer holds whole lines, so only the file's
 * end can be partial.  An error counts as a death: waiting on an answer
 * that never comes would hang the process for good.
 */
static int
scan_for_dead(int fd, const char *self)
{
	char	buf[LINE * 64];
	off_t	off = 0;
	ssize_t	n, i;

	while ((n = pread(fd, buf, sizeof buf, off)) > 0) {
		for (i = 0; i < n; i += LINE, off += LINE) {
			if (n - i < LINE)
				return 1;
			if (buf[i] == 'X' || (self != NULL &&
			    memcmp(buf + i, self, LINE) == 0))
				continue;
			if (bytelock_held(fd, off) != 1)
				return 1;
		}
	}
	if (n == 0)
		return 0;
	return errno == EINTR ? -1 : 1;
}

/* No live process but this one can own a line with this pid. */
void
registry_clear_slot(const char *dir, pid_t pid)
{
	static const char	 empty[] = "X                      0\n";
	char			 mine[LINE], line[LINE];
	off_t			 off;
	int			 fd;

	if ((fd = open_registry(dir, O_RDWR)) == -1)
		return;
	pid_line(mine, pid);
	for (off = 0; pread(fd, line, sizeof line, off) == sizeof line;
	    off += LINE) {
		if (memcmp(line, mine, sizeof line) == 0)
			(void)!pwrite(fd, empty, sizeof line, off);
	}
	close(fd);
}

void
registry_request_recovery(const char *dir)
{
	int	fd;

	if ((fd = open_registry(dir, O_WRONLY | O_APPEND)) == -1)
		return;
	(void)!write(fd, "recover\n", 8);
	close(fd);
}

/*
 * The same test Berkeley DB makes with DB_REGISTER.  It takes the
 * registry lock itself, as a process adding its line meanwhile could be
 * read half written.  A registry it cannot read counts as needing it.
 */
int
registry_needs_recovery(const char *dir)
{
	int	fd, dead;

	if ((fd = open_registry(dir, O_RDWR)) == -1)
		return errno == ENOENT;
	(void)bytelock_set(fd, F_WRLCK, REGISTRY_BYTE, 1);
	dead = scan_for_dead(fd, NULL) != 0;
	/* Releases the registry lock: this process holds no other here. */
	close(fd);
	return dead;
}

void
registry_watch_open(struct registry_watch *w, const char *dir, pid_t self)
{
	w->fd = open_registry(dir, O_RDONLY);
	pid_line(w->self, self);
}

void
registry_watch_close(struct registry_watch *w)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
}

int
registry_watch_dead(const struct registry_watch *w)
{
	int	r;

	if (w->fd == -1 || (r = bytelock_held(w->fd, REGISTRY_BYTE)) == -1)
		return 1;
	if (r == 1)
		return -1;
	return scan_for_dead(w->fd, w->self);
}
