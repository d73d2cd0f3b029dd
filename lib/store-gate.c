/* store-gate.c: the gate, a flock that keeps store operations out of a recovery. */
#include "config.h"

#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store-core.h"

/*
 * Berkeley DB recovers an environment while other processes may still be
 * inside it: it sets a panic flag, waits a moment and rebuilds the regions,
 * and a process caught in mid-write can then write into the rebuilt log
 * or files (env_register.c admits this window).  Killing processes in a
 * loop finds it.  So every store operation holds a shared lock on this
 * file, and opening the environment (the only place recovery runs) holds
 * it exclusively: recovery waits until no process is inside.  The kernel
 * drops a dead process's lock; a process stuck on a dead one's mutex holds
 * its lock until its watchdog ends it.
 *
 * Linux grants a shared lock while an exclusive one waits, so busy readers
 * could keep an opener out for ever.  An opener therefore first takes the
 * pending file exclusively; an operation that finds it taken waits there
 * until the opener is done, and only then enters the gate.
 */
#define GATE_FILE	"gate"
#define PENDING_FILE	"gate-pending"

/*
 * Shared opens take turns on a lock file of their own.  Berkeley DB
 * serializes opening a table on one lock of its environment anyway, but
 * each process queued there runs the deadlock detector, whose matrix
 * grows with the square of all processes' lockers: a thousand responders
 * starting at once cleared some 18 MB per wait and spent minutes in the
 * kernel.  Queued on a flock, they wait in the kernel for free.
 */
#define OPENER_FILE	"gate-open"

/*
 * The gate file's first bytes count the operations that left it.  flock
 * and the mapping do not meet: the lock is on the open file, the count in
 * its pages.
 */
#define PASSED_SIZE	((off_t)sizeof(uint64_t))

/*
 * Maps the count.  Growing the file is safe against a concurrent opener:
 * both make it the same size, and new bytes read as zero.  The block is
 * allocated before the mapping is used, as a first write to a hole on a
 * full disk would be SIGBUS rather than an error.
 */
static int
map_passed(struct store *s)
{
	struct stat	st;
	void		*map;
	int		 r;

	if (fstat(s->gate, &st) == -1 || (st.st_size < PASSED_SIZE &&
	    ftruncate(s->gate, PASSED_SIZE) == -1))
		return -1;
	if ((r = posix_fallocate(s->gate, 0, PASSED_SIZE)) != 0 &&
	    r != EOPNOTSUPP && r != EINVAL) {
		errno = r;
		return -1;
	}
	map = mmap(NULL, (size_t)PASSED_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, s->gate, 0);
	if (map == MAP_FAILED)
		return -1;
	s->passed = map;
	return 0;
}

int
store_lock_file_open(const struct store *s, const char *name, char *err,
    size_t errlen)
{
	char	path[4096];
	int	fd;

	if (store_path_in(path, sizeof path, s->dir, name) == -1) {
		errno = ENAMETOOLONG;
		fd = -1;
	} else
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
	if (fd == -1)
		snprintf(err, errlen, "%s/%s: %s", s->dir, name,
		    strerror(errno));
	return fd;
}

int
store_gate_open(struct store *s, char *err, size_t errlen)
{
	if ((s->gate = store_lock_file_open(s, GATE_FILE, err, errlen)) ==
	    -1 || (s->pending = store_lock_file_open(s, PENDING_FILE, err,
	    errlen)) == -1 || (s->opener = store_lock_file_open(s,
	    OPENER_FILE, err, errlen)) == -1)
		return -1;
	if (map_passed(s) == -1) {
		snprintf(err, errlen, "%s/%s: %s", s->dir, GATE_FILE,
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
store_gate_close(struct store *s)
{
	if (s->gate != -1)
		close(s->gate);
	if (s->pending != -1)
		close(s->pending);
	if (s->opener != -1)
		close(s->opener);
	if (s->passed != NULL)
		munmap(s->passed, (size_t)PASSED_SIZE);
	s->passed = NULL;
	s->gate = s->pending = s->opener = -1;
}

void
store_lock_file(int fd, int how)
{
	while (flock(fd, how) == -1 && errno == EINTR)
		;
}

void
store_gate(const struct store *s, int how)
{
	/*
	 * The owner holds it closed while its node catches up: its own
	 * operations (failchk, the feed) pass, as a lock request on the same
	 * open file would turn its exclusive lock into this one.
	 */
	if (s->gate_closed != 0)
		return;
	if (how == LOCK_SH && flock(s->pending, LOCK_SH | LOCK_NB) == -1) {
		/* An opener is waiting: let it go first. */
		store_lock_file(s->pending, LOCK_SH);
	}
	if (how == LOCK_SH)
		store_lock_file(s->pending, LOCK_UN);
	if (how == LOCK_UN)
		__atomic_add_fetch(s->passed, 1, __ATOMIC_RELAXED);
	store_lock_file(s->gate, how);
}

uint64_t
store_gate_passed(const struct store *s)
{
	return __atomic_load_n(s->passed, __ATOMIC_RELAXED);
}

void
store_gate_exclusive(const struct store *s, int take)
{
	if (take) {
		store_lock_file(s->pending, LOCK_EX);
		store_lock_file(s->gate, LOCK_EX);
	} else {
		__atomic_add_fetch(s->passed, 1, __ATOMIC_RELAXED);
		store_lock_file(s->gate, LOCK_UN);
		store_lock_file(s->pending, LOCK_UN);
	}
}
