/* registry.h: Berkeley DB's list of the processes in an environment (__db.register), read and mended from outside the library. */
#ifndef BACKSTREAM_REGISTRY_H
#define BACKSTREAM_REGISTRY_H

#include <sys/types.h>

/*
 * With DB_REGISTER every process that opens the environment writes its pid
 * on a line of dir/__db.register and holds a POSIX lock on the line's first
 * byte while it is inside; the kernel drops the lock when it dies.  The
 * format is fixed and documented in Berkeley DB's env_register.c: 25-byte
 * lines, "%24lu\n" for a process, "X" and blanks for a free slot.
 *
 * POSIX locks belong to the process and a close() of any descriptor of
 * the file drops all of them: while this process is registered, only the
 * descriptor of a registry_watch may be open on the file, and it must stay
 * open until the process has left the environment.
 */

/*
 * Frees the line of pid: Berkeley DB 5.3.28 closes a panicked environment
 * without clearing it, and a later open by the same process then fails
 * ("DB_REGISTER limits processes to one open DB_ENV handle").
 */
void	registry_clear_slot(const char *dir, pid_t pid);
/*
 * Appends a partial line, the registry's own sign of a process that died
 * registering: the next open with DB_REGISTER then runs recovery.  For a
 * panicked environment with no dead process registered (the one that died
 * was cleaned up first), which such an open would otherwise only fail on.
 */
void	registry_request_recovery(const char *dir);
/*
 * Whether the next open will recover: a registered process is dead or a
 * line is partial (a missing file counts too).  Only while this process
 * is not registered.
 */
int	registry_needs_recovery(const char *dir);

/* A registered process's view of the others, for a signal handler. */
struct registry_watch {
	int	fd;		/* -1: none */
	char	self[25];	/* this process's line */
};

/* Opens dir/__db.register for w; on failure w->fd is -1. */
void	registry_watch_open(struct registry_watch *w, const char *dir,
	    pid_t self);
/* Closes w's descriptor: only once this process has left the environment. */
void	registry_watch_close(struct registry_watch *w);
/*
 * Whether another registered process is dead: 1 yes, 0 no, -1 cannot tell
 * now (a process is registering; ask again soon).  Async-signal-safe.  A
 * watch without a descriptor answers 1.
 */
int	registry_watch_dead(const struct registry_watch *w);

#endif
