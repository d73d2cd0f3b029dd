/* proc.c: process identity from /proc. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

/* Whether /proc/PID/stat says Z (zombie) or X (dead). */
static int
proc_is_zombie(pid_t pid)
{
	char	path[64], line[512], *p;
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, line, sizeof line - 1);
	close(fd);
	if (n <= 0)
		return 0;
	line[n] = '\0';
	if ((p = strrchr(line, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2] == 'Z' || p[2] == 'X';
}

uint64_t
proc_starttime(pid_t pid)
{
	char		 path[64], line[1024], *p;
	uint64_t	 v = 0;
	ssize_t		 n;
	int		 fd, field;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, line, sizeof line - 1);
	close(fd);
	if (n <= 0)
		return 0;
	line[n] = '\0';
	/* Field 2, the command, may hold spaces and parentheses: skip it. */
	if ((p = strrchr(line, ')')) == NULL)
		return 0;
	for (field = 2; *p != '\0' && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field == 22)
		v = strtoull(p, NULL, 10);
	return v;
}

int
proc_is_alive(pid_t pid, uint64_t start)
{
	uint64_t	now;

	if (pid <= 0)
		return 0;
	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 0;
	if (start != 0 && (now = proc_starttime(pid)) != 0 && now != start)
		return 0;
	/* A zombie has died; only its parent has not looked yet. */
	return !proc_is_zombie(pid);
}
