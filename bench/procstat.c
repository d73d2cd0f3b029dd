/* procstat.c: a process's memory and CPU time, read from /proc. */
#include "config.h"

#include <stdio.h>

#include "procstat.h"

int
procstat_mem(pid_t pid, struct procmem *m)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 v;

	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	m->rss = m->pss = m->uss = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "Rss: %ld", &v) == 1)
			m->rss = v;
		else if (sscanf(line, "Pss: %ld", &v) == 1)
			m->pss = v;
		else if (sscanf(line, "Private_Clean: %ld", &v) == 1 ||
		    sscanf(line, "Private_Dirty: %ld", &v) == 1)
			m->uss += v;
	}
	fclose(f);
	return 0;
}

long long
procstat_cpu_ns(pid_t pid)
{
	char		 path[64];
	long long	 ns = 0;
	FILE		*f;

	snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%lld", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}
