/* bytelock.h: POSIX locks on single bytes of a file, the kernel's way of telling whether the process that took one is alive. */
#ifndef BACKSTREAM_BYTELOCK_H
#define BACKSTREAM_BYTELOCK_H

#include <sys/types.h>

/*
 * A lock on one byte belongs to the process and goes away when it dies,
 * however it dies, and when it closes any descriptor of the file: keep one
 * descriptor per file per process.  Locks are not inherited by children.
 */

/*
 * Takes (F_WRLCK, F_RDLCK) or drops (F_UNLCK) the lock on byte off of fd;
 * with wait, waits for a conflicting lock to go (through EINTR).  Returns
 * 0, or -1 with errno (EAGAIN/EACCES: another process holds it).
 * Async-signal-safe.
 */
int	bytelock_set(int fd, int type, off_t off, int wait);
/*
 * Whether another process holds a write lock on byte off of fd: 1 yes, 0
 * no, -1 on error (errno).  This process's own locks do not count.
 * Async-signal-safe.
 */
int	bytelock_held(int fd, off_t off);

#endif
