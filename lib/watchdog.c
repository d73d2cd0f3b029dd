/* watchdog.c: a per-process timer around store operations. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "watchdog.h"
#include "xmalloc.h"

/* A stalled operation whose answer was "cannot tell" is asked again this soon. */
#define RECHECK_MS	1000
/*
 * How many stall timeouts an operation may last, when no process of the
 * store is known dead, before it may be taken for stuck (see stuck()).
 */
#define STALL_LIMIT	4

struct watchdog {
	timer_t			 timer;
	int64_t			 timeout_ms;
	watchdog_dead_fn	 dead;
	watchdog_moved_fn	 moved;
	void			*arg;
	volatile sig_atomic_t	 depth;
	volatile sig_atomic_t	 waited;	/* a stall check found none dead */
	struct timespec		 armed;		/* the last arm or kick */
	struct timespec		 cpu;		/* this process's CPU then */
	uint64_t		 seen;		/* moved() when last asked */
	struct timespec		 quiet;		/* since when it stayed */
	long			 cores;
};

static int64_t
ms_since(const struct timespec *t)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

static int64_t
cpu_ms_since(const struct timespec *t)
{
	struct timespec	now;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
	return (int64_t)(now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* The operation starts (or moved on): nothing spent, nothing seen yet. */
static void
restart(struct watchdog *w)
{
	clock_gettime(CLOCK_MONOTONIC, &w->armed);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &w->cpu);
	w->quiet = w->armed;
	if (w->moved != NULL)
		w->seen = w->moved(w->arg);
}

/*
 * Whether the machine is loaded past twice its cores, from the integer
 * part of the minute's load average.  Async-signal-safe: read and a
 * parse by hand.  Unreadable: taken for not loaded.
 */
static int
overloaded(const struct watchdog *w)
{
	char	buf[64];
	long	load = 0;
	ssize_t	n, i;
	int	fd;

	if ((fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf);
	close(fd);
	for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		load = load * 10 + (buf[i] - '0');
	return load > 2 * w->cores;
}

/*
 * Whether an operation stalled with no process dead is stuck rather than
 * slow: 1 spinning, 2 the store got nothing through, 0 slow (or not past
 * STALL_LIMIT timeouts yet).  The fault loop once left readers spinning in
 * Berkeley DB's cache for good, every process alive: a stuck operation
 * costs a whole stall timeout of CPU, or holds up the whole store.  On a
 * machine loaded far past its cores an operation can last minutes (seen
 * at load 780, where the whole store got nothing through for two), but it
 * is given little CPU: it is waited for, as an exit then would be a death
 * that sends every stalled process of the store through recovery.
 */
static int
stuck(struct watchdog *w)
{
	int64_t		limit = STALL_LIMIT * w->timeout_ms;
	uint64_t	moved;

	if (w->moved != NULL && (moved = w->moved(w->arg)) != w->seen) {
		w->seen = moved;
		clock_gettime(CLOCK_MONOTONIC, &w->quiet);
	}
	if (ms_since(&w->armed) < limit)
		return 0;
	if (cpu_ms_since(&w->cpu) >= w->timeout_ms)
		return 1;
	return ms_since(&w->quiet) >= limit && !overloaded(w) ? 2 : 0;
}

static void
set_timer(struct watchdog *w, int64_t ms)
{
	struct itimerspec	its;

	memset(&its, 0, sizeof its);
	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	timer_settime(w->timer, 0, &its, NULL);
}

/* Only async-signal-safe calls: it may interrupt anything. */
static void
on_stall(int sig, siginfo_t *si, void *uc)
{
	static const char	 dead_msg[] = "backstream: a store operation "
	    "stalled and a process of the store has died (probably holding a "
	    "shared lock); exiting so the store can be recovered\n";
	static const char	 spin_msg[] = "backstream: a store operation "
	    "stalled and spent stall_timeout of CPU, though no process of the "
	    "store is known dead: spinning; exiting so the store can be "
	    "recovered\n";
	static const char	 quiet_msg[] = "backstream: a store operation "
	    "stalled and no operation of the store finished for many times "
	    "stall_timeout on a machine not overloaded, though no process of "
	    "the store is known dead; exiting so the store can be recovered\n";
	struct watchdog		*w = si->si_value.sival_ptr;
	int			 saved = errno, dead, why;

	(void)sig;
	(void)uc;
	/* The operation ended while the signal was on its way. */
	if (w == NULL || w->depth == 0)
		return;
	dead = w->dead == NULL ? 1 : w->dead(w->arg);
	if (dead == 1) {
		(void)!write(STDERR_FILENO, dead_msg, sizeof dead_msg - 1);
		_exit(75);
	}
	if ((why = stuck(w)) != 0) {
		if (why == 1)
			(void)!write(STDERR_FILENO, spin_msg,
			    sizeof spin_msg - 1);
		else
			(void)!write(STDERR_FILENO, quiet_msg,
			    sizeof quiet_msg - 1);
		_exit(75);
	}
	w->waited = 1;
	set_timer(w, dead == 0 ? w->timeout_ms : RECHECK_MS);
	errno = saved;
}

struct watchdog *
watchdog_new(int64_t timeout_ms, watchdog_dead_fn dead,
    watchdog_moved_fn moved, void *arg, char *err, size_t errlen)
{
	struct watchdog		*w;
	struct sigaction	 sa;
	struct sigevent		 sev;
	int			 signo;

	/* A signal of its own, so that alarm() users are not disturbed. */
	signo = SIGRTMIN + 2;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_stall;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, NULL) == -1) {
		snprintf(err, errlen, "sigaction: %s", strerror(errno));
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->timeout_ms = timeout_ms;
	w->dead = dead;
	w->moved = moved;
	w->arg = arg;
	if ((w->cores = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		w->cores = 1;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = signo;
	sev.sigev_value.sival_ptr = w;
	if (timer_create(CLOCK_MONOTONIC, &sev, &w->timer) == -1) {
		snprintf(err, errlen, "timer_create: %s", strerror(errno));
		free(w);
		return NULL;
	}
	return w;
}

void
watchdog_free(struct watchdog *w)
{
	if (w == NULL)
		return;
	timer_delete(w->timer);
	free(w);
}

void
watchdog_arm(struct watchdog *w)
{
	if (w->depth++ > 0)
		return;
	restart(w);
	set_timer(w, w->timeout_ms);
}

void
watchdog_kick(struct watchdog *w)
{
	if (w->depth == 0)
		return;
	restart(w);
	set_timer(w, w->timeout_ms);
}

void
watchdog_disarm(struct watchdog *w)
{
	if (w->depth == 0 || --w->depth > 0)
		return;
	set_timer(w, 0);
	if (w->waited) {
		w->waited = 0;
		log_warn("a store operation took %lld s; no process of the "
		    "store had died, so it was waited for: the machine may be "
		    "overloaded", (long long)(ms_since(&w->armed) / 1000));
	}
}
