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

#endif
