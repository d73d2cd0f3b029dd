/* watchdog.c: a per-process timer around store operations. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "watchdog.h"
#include "xmalloc.h"

struct watchdog {
	timer_t		timer;
	int64_t		timeout_ms;
	int		depth;
};

static void
on_stall(int sig)
{
	static const char msg[] = "backstream: a store operation stalled "
	    "(a process probably died holding a shared lock); exiting so the "
	    "store can be recovered\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	_exit(75);
}

struct watchdog *
watchdog_new(int64_t timeout_ms, char *err, size_t errlen)
{
	struct watchdog		*w;
	struct sigaction	 sa;
	struct sigevent		 sev;
	int			 signo;

	/* A signal of its own, so that alarm() users are not disturbed. */
	signo = SIGRTMIN + 2;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stall;
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, NULL) == -1) {
		snprintf(err, errlen, "sigaction: %s", strerror(errno));
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = signo;
	if (timer_create(CLOCK_MONOTONIC, &sev, &w->timer) == -1) {
		snprintf(err, errlen, "timer_create: %s", strerror(errno));
		free(w);
		return NULL;
	}
	w->timeout_ms = timeout_ms;
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

static void
set_timer(struct watchdog *w, int64_t ms)
{
	struct itimerspec	its;

	memset(&its, 0, sizeof its);
	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	timer_settime(w->timer, 0, &its, NULL);
}

void
watchdog_arm(struct watchdog *w)
{
	if (w->depth++ == 0)
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
	if (w->depth > 0 && --w->depth == 0)
		set_timer(w, 0);
}
