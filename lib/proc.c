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

/*
 * Reads /proc/PID/stat into line (len bytes) and returns where field 3
 * (the state) begins, past the command, which may hold spaces and
 * parentheses; NULL if it cannot be read.
 */
static char *
read_stat(pid_t pid, char *line, size_t len)
{
	char	path[64], *p;
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	n = read(fd, line, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	line[n] = '\0';
	if ((p = strrchr(line, ')')) == NULL || p[1] != ' ')
		return NULL;
	return p + 2;
}

/* Whether the state is Z (zombie) or X (dead). */
static int
proc_is_zombie(pid_t pid)
{
	char	line[1024], *p;

	if ((p = read_stat(pid, line, sizeof line)) == NULL)
		return 0;
	return *p == 'Z' || *p == 'X';
}

uint64_t
proc_starttime(pid_t pid)
{
	char	line[1024], *p;
	int	field;

	if ((p = read_stat(pid, line, sizeof line)) == NULL)
		return 0;
	/* p is at field 3; the start time is field 22. */
	for (field = 3; *p != '\0' && field < 22; p++)
		if (*p == ' ')
			field++;
	return field == 22 ? strtoull(p, NULL, 10) : 0;
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
