/* proc.h: telling whether a process is still the one we knew, even after its pid is reused. */
#ifndef BACKSTREAM_PROC_H
#define BACKSTREAM_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* The start time of process pid in clock ticks since boot; 0 if unknown. */
uint64_t	proc_starttime(pid_t pid);
/*
 * Whether pid is alive and, when start is not 0, started at start: a live
 * process with another start time has taken the pid of a dead one.
 */
int		proc_is_alive(pid_t pid, uint64_t start);

/*
 * The identity of a job's engine process across the hosts of a
 * replication group, where a pid means nothing on another host: the
 * process's start time with a tag of this host's boot (16 bits of its
 * boot id, never 0) in the high bits, which clock ticks never reach.
 * proc_owner_alive tells whether such an owner is alive: a process of
 * another host or an earlier boot is not, here; a tag of 0 (a job claimed
 * by an older release) is taken to be this host's.
 */
uint64_t	proc_owner_start(pid_t pid);
int		proc_owner_alive(pid_t pid, uint64_t owner_start);

#endif
