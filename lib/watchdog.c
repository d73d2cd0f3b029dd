/* watchdog.c: a per-process timer around store operations. */
#include "config.h"

#include <errno.h>
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

struct watchdog {
	timer_t			 timer;
	int64_t			 timeout_ms;
	watchdog_dead_fn	 dead;
	void			*arg;
	volatile sig_atomic_t	 depth;
	volatile sig_atomic_t	 waited;	/* a stall check found none dead */
	struct timespec		 armed;		/* when the outermost arm began */
};

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
	static const char	 msg[] = "backstream: a store operation stalled "
	    "and a process of the store has died (probably holding a shared "
	    "lock); exiting so the store can be recovered\n";
	struct watchdog		*w = si->si_value.sival_ptr;
	int			 saved = errno, dead;

	(void)sig;
	(void)uc;
	/* The operation ended while the signal was on its way. */
	if (w == NULL || w->depth == 0)
		return;
	dead = w->dead == NULL ? 1 : w->dead(w->arg);
	if (dead != 1) {
		w->waited = 1;
		set_timer(w, dead == 0 ? w->timeout_ms : RECHECK_MS);
		errno = saved;
		return;
	}
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	_exit(75);
}

struct watchdog *
watchdog_new(int64_t timeout_ms, watchdog_dead_fn dead, void *arg, char *err,
    size_t errlen)
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
	w->arg = arg;
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
	clock_gettime(CLOCK_MONOTONIC, &w->armed);
	set_timer(w, w->timeout_ms);
}

void
watchdog_kick(struct watchdog *w)
{
	if (w->depth > 0)
		set_timer(w, w->timeout_ms);
}

void
watchdog_disarm(struct watchdog *w)
{
	struct timespec	now;

	if (w->depth == 0 || --w->depth > 0)
		return;
	set_timer(w, 0);
	if (w->waited) {
		w->waited = 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		log_warn("a store operation took %lld s; no process of the "
		    "store had died, so it was waited for (an overloaded "
		    "machine?)", (long long)(now.tv_sec - w->armed.tv_sec));
	}
}
