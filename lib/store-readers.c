/* store-readers.c: how many processes read the store at once. */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "bytelock.h"
#include "store-core.h"

/*
 * Berkeley DB's page cache waits for a page by taking and dropping its
 * latch in a loop that never sleeps (__memp_fget).  With a few threads per
 * core that loop is short; with hundreds of stream responders inside the
 * store on two cores, those looping hold the cores and the one that would
 * end the wait barely runs: a 30-minute run with a thousand streams saw
 * 693 readers inside at once, a load average of 930 and store operations
 * of two minutes.  So a read first takes one of a few slots, byte locks on
 * STORE_READERS_FILE: the rest wait in the kernel, where waiting costs
 * nothing, and a slot whose holder dies is freed by the kernel.  A write
 * takes no slot: writers (the engine's workers, REST requests) are few,
 * and watchers must never slow them.
 */
int
store_readers_open(struct store *s, int64_t slots, char *err, size_t errlen)
{
	long	cpus;

	if (slots == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		slots = 2 * (cpus > 1 ? cpus : 1);
	}
	s->reader_slots = (int)slots;
	s->readers = store_lock_file_open(s, STORE_READERS_FILE, err, errlen);
	return s->readers == -1 ? -1 : 0;
}

void
store_readers_close(struct store *s)
{
	if (s->readers != -1)
		close(s->readers);
	s->readers = -1;
}

int
store_reader_enter(const struct store *s)
{
	int	i, n = s->reader_slots, first;

	if (s->readers == -1)
		return -1;
	/*
	 * Processes start at different slots: while any is free, one is
	 * mostly found at the first try.
	 */
	first = (int)(s->pid % n);
	for (i = 0; i < n; i++)
		if (bytelock_set(s->readers, F_WRLCK, (first + i) % n, 0) == 0)
			return (first + i) % n;
	/*
	 * All taken: wait for this process's own.  The kernel queues a
	 * waiter behind the one already waiting, so that a slot let go
	 * wakes one process, not all those waiting for it.  Should the wait
	 * fail (a deadlock the kernel sees, which no order of ours makes),
	 * the read goes ahead without a slot rather than not at all.
	 */
	if (bytelock_set(s->readers, F_WRLCK, first, 1) == 0)
		return first;
	return -1;
}

void
store_reader_leave(const struct store *s, int slot)
{
	if (slot >= 0)
		(void)bytelock_set(s->readers, F_UNLCK, slot, 0);
}
