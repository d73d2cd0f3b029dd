/* procstat.c: processes' memory and CPU time, and the web server's process tree, read from /proc. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procstat.h"
#include "xmalloc.h"

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

int
procstat_children(pid_t parent, pid_t **out)
{
	char	 path[64], *line = NULL;
	size_t	 cap = 0;
	FILE	*f;
	pid_t	*v = NULL;
	int	 n = 0, c = 0;
	char	*p, *e;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent,
	    (int)parent);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (getline(&line, &cap, f) > 0) {
		for (p = line;; p = e) {
			long	pid = strtol(p, &e, 10);

			if (e == p)
				break;
			if (n == c) {
				c = c ? c * 2 : 1024;
				v = xreallocarray(v, (size_t)c, sizeof *v);
			}
			v[n++] = (pid_t)pid;
		}
	}
	free(line);
	fclose(f);
	*out = v;
	return n;
}

int
procstat_scan(struct procinfo **out)
{
	DIR		*d;
	struct dirent	*e;
	struct procinfo	*v = NULL;
	char		 path[300], line[512], *open, *close;
	FILE		*f;
	int		 n = 0, cap = 0;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof line, f) != NULL &&
		    (open = strchr(line, '(')) != NULL &&
		    (close = strrchr(line, ')')) != NULL && close > open) {
			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				v = xreallocarray(v, (size_t)cap, sizeof *v);
			}
			v[n].pid = (pid_t)atoi(line);
			snprintf(v[n].comm, sizeof v[n].comm, "%.*s",
			    (int)(close - open - 1), open + 1);
			v[n].ppid = (pid_t)atoi(close + 4);	/* ") S " */
			v[n].mark = 0;
			n++;
		}
		fclose(f);
	}
	closedir(d);
	*out = v;
	return n;
}

void
procstat_mark_server(struct procinfo *v, int n, pid_t server,
    const char *responder)
{
	int	i, k, more;

	for (i = 0; i < n; i++)
		if (v[i].pid == server)
			v[i].mark = PROC_SERVER;
	do {
		more = 0;
		for (i = 0; i < n; i++) {
			if (v[i].mark != 0)
				continue;
			for (k = 0; k < n; k++)
				if (v[k].mark != 0 && v[k].pid == v[i].ppid)
					break;
			if (k == n)
				continue;
			v[i].mark = strcmp(v[i].comm, responder) == 0 ?
			    PROC_RESPONDER : PROC_SERVER;
			more = 1;
		}
	} while (more);
}

static int
cmp_pid(const void *a, const void *b)
{
	pid_t	x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

long long
procstat_cpu_delta(struct procstat_cpu_seen *seen, const struct procinfo *v,
    int n, int mark)
{
	pid_t		*pids;
	long long	*ns, sum = 0;
	pid_t		*hit;
	int		 i, m = 0;

	pids = xcalloc((size_t)n + 1, sizeof *pids);
	ns = xcalloc((size_t)n + 1, sizeof *ns);
	for (i = 0; i < n; i++)
		if (v[i].mark == mark)
			pids[m++] = v[i].pid;
	qsort(pids, (size_t)m, sizeof *pids, cmp_pid);
	for (i = 0; i < m; i++) {
		ns[i] = procstat_cpu_ns(pids[i]);
		hit = seen->n > 0 ? bsearch(&pids[i], seen->pid,
		    (size_t)seen->n, sizeof *seen->pid, cmp_pid) : NULL;
		if (hit == NULL)
			sum += ns[i];
		else if (ns[i] > seen->ns[hit - seen->pid])
			sum += ns[i] - seen->ns[hit - seen->pid];
	}
	procstat_cpu_seen_free(seen);
	seen->pid = pids;
	seen->ns = ns;
	seen->n = m;
	return sum;
}

void
procstat_cpu_seen_free(struct procstat_cpu_seen *seen)
{
	free(seen->pid);
	free(seen->ns);
	seen->pid = NULL;
	seen->ns = NULL;
	seen->n = 0;
}

void
procstat_machine_cpu(long long *busy, long long *total)
{
	long long	v[8] = { 0 };
	FILE		*f;
	int		 i;

	*busy = *total = 0;
	if ((f = fopen("/proc/stat", "r")) == NULL)
		return;
	if (fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (i = 0; i < 8; i++)
			*total += v[i];
		*busy = *total - v[3] - v[4];
	}
	fclose(f);
}
