/* slowclock.c: an LD_PRELOAD shim for the engine in the stream tests: its own clock reads sleep, or wait while a file exists, so that a job runs for seconds or stops mid-run. */
#include "config.h"

#include <sys/syscall.h>

#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/*
 * The engine reads CLOCK_MONOTONIC between transactions only (once every
 * 1024 bars while a job runs), so a sleep there slows a job down without
 * holding any lock, and waiting there stops it where streams and lists
 * are quiet.  Only reads made by the engine's own code count: Berkeley DB
 * reads the same clock inside its calls, holding shared mutexes.
 * Settings, from the environment:
 *	SLOWCLOCK_MS	milliseconds each such read sleeps
 *	SLOWCLOCK_HOLD	a file: while it exists, each such read waits
 */

/* The main program's loaded segments' span, found once. */
static uintptr_t	program_lo, program_hi;

static int
find_program(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	/* The first object is the program itself. */
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD)
			continue;
		if (program_lo == 0 || lo < program_lo)
			program_lo = lo;
		if (lo + ph->p_memsz > program_hi)
			program_hi = lo + ph->p_memsz;
	}
	return 1;
}

static int
from_program(const void *caller)
{
	uintptr_t	a = (uintptr_t)caller;

	if (program_hi == 0)
		dl_iterate_phdr(find_program, NULL);
	return a >= program_lo && a < program_hi;
}

static void
sleep_ms(long ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
clock_gettime(clockid_t clock, struct timespec *ts)
{
	const char	*v;

	if (clock == CLOCK_MONOTONIC &&
	    from_program(__builtin_return_address(0))) {
		if ((v = getenv("SLOWCLOCK_HOLD")) != NULL && *v != '\0')
			while (access(v, F_OK) == 0)
				sleep_ms(20);
		if ((v = getenv("SLOWCLOCK_MS")) != NULL && atol(v) > 0)
			sleep_ms(atol(v));
	}
	return (int)syscall(SYS_clock_gettime, clock, ts);
}
