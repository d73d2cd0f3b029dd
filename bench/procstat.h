/* procstat.h: what the benchmarks read of a process in /proc: its memory (smaps_rollup) and its exact CPU time (schedstat). */
#ifndef BACKSTREAM_PROCSTAT_H
#define BACKSTREAM_PROCSTAT_H

#include <sys/types.h>

/* A process's memory in kB: resident, proportional and private (USS). */
struct procmem {
	long	rss;
	long	pss;
	long	uss;
};

/* Fills m from /proc/PID/smaps_rollup; -1 if the process is gone. */
int		procstat_mem(pid_t pid, struct procmem *m);

/*
 * The CPU time pid has used, in ns: the scheduler's exact sum, since a
 * responder runs for microseconds at a time and utime/stime count in
 * ticks.  0 if it is gone.
 */
long long	procstat_cpu_ns(pid_t pid);

#endif
