/* procstat.h: what the benchmarks read of processes in /proc: memory (smaps_rollup), exact CPU time (schedstat), the web server's process tree. */
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

/*
 * The children of parent (of its main thread), as a new array the caller
 * frees in *out; returns how many, or -1 if parent is gone.
 */
int		procstat_children(pid_t parent, pid_t **out);

/* A process of the machine, from /proc/PID/stat. */
struct procinfo {
	pid_t	pid;
	pid_t	ppid;
	char	comm[20];
	int	mark;		/* procstat_mark_server's, else 0 */
};

#define PROC_SERVER	1	/* the web server or a helper of its */
#define PROC_RESPONDER	2	/* a process named as the responders are */

/*
 * Every process of the machine, as a new array the caller frees in *out;
 * returns how many, or -1 if /proc cannot be read.
 */
int		procstat_scan(struct procinfo **out);
/*
 * Marks server and its descendants: PROC_RESPONDER those whose command
 * name is responder, PROC_SERVER the others (a web server may fork
 * helpers, as Apache does, that start the responders).
 */
void		procstat_mark_server(struct procinfo *v, int n, pid_t server,
		    const char *responder);

/*
 * The CPU time of a group of processes since the last call on the same
 * table, in ns: a process new since then counts from its start.
 * Zero-initialise one table per group; procstat_cpu_seen_free frees it.
 */
struct procstat_cpu_seen {
	pid_t		*pid;
	long long	*ns;
	int		 n;
};

/* The CPU time of the processes of v marked mark, since the last call. */
long long	procstat_cpu_delta(struct procstat_cpu_seen *seen,
		    const struct procinfo *v, int n, int mark);
void		procstat_cpu_seen_free(struct procstat_cpu_seen *seen);

/* Busy and total jiffies of the whole machine (0 if unknown). */
void		procstat_machine_cpu(long long *busy, long long *total);

#endif
