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

/* The start time in the fields from the state on (see read_stat); 0 if none. */
static uint64_t
stat_starttime(const char *p)
{
	int	field;

	/* p is at field 3; the start time is field 22. */
	for (field = 3; *p != '\0' && field < 22; p++)
		if (*p == ' ')
			field++;
	return field == 22 ? strtoull(p, NULL, 10) : 0;
}

uint64_t
proc_starttime(pid_t pid)
{
	char	line[1024], *p;

	if ((p = read_stat(pid, line, sizeof line)) == NULL)
		return 0;
	return stat_starttime(p);
}

int
proc_is_alive(pid_t pid, uint64_t start)
{
	char		line[1024], *p;
	uint64_t	now;

	if (pid <= 0)
		return 0;
	/*
	 * One read tells all, and failchk asks about every process of the
	 * store each second.  Without /proc (unreadable, or no such pid in
	 * it) kill(2) tells whether the pid is taken at all.
	 */
	if ((p = read_stat(pid, line, sizeof line)) == NULL)
		return !(kill(pid, 0) == -1 && errno == ESRCH);
	/* A zombie has died; only its parent has not looked yet. */
	if (*p == 'Z' || *p == 'X')
		return 0;
	return start == 0 || (now = stat_starttime(p)) == 0 || now == start;
}

#define OWNER_TAG_SHIFT	48
#define OWNER_START_MASK	((UINT64_C(1) << OWNER_TAG_SHIFT) - 1)

/* 16 bits of this boot's id (FNV-1a), never 0; 1 if it cannot be read. */
static uint64_t
host_tag(void)
{
	char		 id[64];
	ssize_t		 n = -1;
	uint32_t	 h = 2166136261u;
	int		 fd, i;

	if ((fd = open("/proc/sys/kernel/random/boot_id",
	    O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, id, sizeof id);
		close(fd);
	}
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)id[i]) * 16777619u;
	h = (h ^ h >> 16) & 0xffff;
	return h == 0 ? 1 : h;
}

uint64_t
proc_owner_start(pid_t pid)
{
	return (proc_starttime(pid) & OWNER_START_MASK) |
	    host_tag() << OWNER_TAG_SHIFT;
}

int
proc_owner_alive(pid_t pid, uint64_t owner_start)
{
	uint64_t	tag = owner_start >> OWNER_TAG_SHIFT;

	if (tag != 0 && tag != host_tag())
		return 0;
	return proc_is_alive(pid, owner_start & OWNER_START_MASK);
}
