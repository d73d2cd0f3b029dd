/* sustain-samples.c: bench-sustain's samples of memory and CPU (the responders', the web server's, its own, the machine's) and the figures over them. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-util.h"
#include "procstat.h"
#include "sustain.h"
#include "xmalloc.h"

/* The store's size, added up by nftw. */
static long long	store_bytes;

static int
add_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_F)
		store_bytes += (long long)sb->st_blocks * 512;
	return 0;
}

struct sample {
	double		t;		/* s since the load began */
	int		open;		/* streams with a response going */
	long long	events;
	int		nresp;
	long		uss, rss;	/* kB: the responders' totals */
	long		srv_rss, srv_uss;	/* kB: the web server's */
	double		store_mb;
	double		cpu_resp, cpu_srv, cpu_self, cpu_machine;	/* % of a core */
	double		load1;
};

static struct sample	*samples;
static int		 nsamples, capsamples;

void
take_sample(double t)
{
	static struct procstat_cpu_seen	resp_seen, srv_seen;
	static long long		self0, busy0, total0;
	static int64_t			t_prev;
	struct procinfo			*v;
	struct sample			*sa;
	long long			 self, busy, total, dr, ds;
	struct procmem			 pm;
	int64_t				 now = sse_now_ns();
	double				 secs, ncores;
	FILE				*f;
	int				 n, i;

	if (nsamples == capsamples) {
		capsamples = capsamples ? capsamples * 2 : 64;
		samples = xreallocarray(samples, (size_t)capsamples,
		    sizeof *samples);
	}
	sa = &samples[nsamples++];
	memset(sa, 0, sizeof *sa);
	sa->t = t;
	sa->open = count_state(S_OPEN);
	sa->events = all_events();
	if ((n = procstat_scan(&v)) == -1)
		die("/proc: %s", strerror(errno));
	procstat_mark_server(v, n, opt.server, "backstream-sse");
	for (i = 0; i < n; i++) {
		if (v[i].mark == 0 || procstat_mem(v[i].pid, &pm) == -1)
			continue;
		if (v[i].mark == PROC_RESPONDER) {
			sa->nresp++;
			sa->rss += pm.rss;
			sa->uss += pm.uss;
		} else {
			sa->srv_rss += pm.rss;
			sa->srv_uss += pm.uss;
		}
	}
	dr = procstat_cpu_delta(&resp_seen, v, n, PROC_RESPONDER);
	ds = procstat_cpu_delta(&srv_seen, v, n, PROC_SERVER);
	free(v);
	self = procstat_cpu_ns(getpid());
	procstat_machine_cpu(&busy, &total);
	store_bytes = 0;
	nftw(cfg.store_dir, add_file, 16, FTW_PHYS);
	sa->store_mb = (double)store_bytes / 1048576.0;
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%lf", &sa->load1) != 1)
			sa->load1 = 0;
		fclose(f);
	}
	if (t_prev != 0 && (secs = (double)(now - t_prev) / 1e9) > 0) {
		ncores = (double)sysconf(_SC_NPROCESSORS_ONLN);
		sa->cpu_resp = 100.0 * (double)dr / 1e9 / secs;
		sa->cpu_srv = 100.0 * (double)ds / 1e9 / secs;
		sa->cpu_self = 100.0 * (double)(self - self0) / 1e9 / secs;
		if (total > total0)
			sa->cpu_machine = 100.0 * ncores *
			    (double)(busy - busy0) / (double)(total - total0);
	} else
		sa->cpu_resp = sa->cpu_srv = sa->cpu_self = sa->cpu_machine =
		    -1;
	t_prev = now;
	self0 = self;
	busy0 = busy;
	total0 = total;
	printf("%6.0f %5d %9lld %5d %8.1f %8.1f %8.1f %8.1f", sa->t, sa->open,
	    sa->events, sa->nresp, sa->uss / 1024.0, sa->rss / 1024.0,
	    sa->srv_rss / 1024.0, sa->store_mb);
	if (sa->cpu_resp < 0)
		printf(" %7s %7s %7s %8s", "-", "-", "-", "-");
	else
		printf(" %7.1f %7.1f %7.1f %8.1f", sa->cpu_resp, sa->cpu_srv,
		    sa->cpu_self, sa->cpu_machine);
	printf(" %5.2f\n", sa->load1);
	fflush(stdout);
}

void
sample_header(void)
{
	printf("%6s %5s %9s %5s %8s %8s %8s %8s %7s %7s %7s %8s %5s\n", "t s",
	    "open", "events", "resp", "USS MB", "RSS MB", "srv RSS", "store MB",
	    "resp %", "srv %", "self %", "all %", "load");
	printf("  (USS, RSS: the responders' totals; srv RSS: the web server's "
	    "own processes; CPU in %% of one core since the sample before; "
	    "all: the whole machine)\n");
}

void
report_memory(void)
{
	const struct sample	*a = NULL, *z;
	double			 from = opt.seconds >= 240 ? 120 :
				    opt.seconds / 2.0;
	long			 umin = 0, umax = 0;
	int			 i;

	if (nsamples == 0)
		return;
	z = &samples[nsamples - 1];
	for (i = 0; i < nsamples; i++) {
		if (a == NULL && samples[i].t >= from)
			a = &samples[i];
		if (a != NULL) {
			if (umin == 0 || samples[i].uss < umin)
				umin = samples[i].uss;
			if (samples[i].uss > umax)
				umax = samples[i].uss;
		}
	}
	if (a == NULL || a->nresp == 0 || z->nresp == 0)
		return;
	printf("memory from t=%.0f s to the end (t=%.0f s):\n", a->t, z->t);
	printf("  responders' USS total: %.1f MB -> %.1f MB (%+.1f MB, "
	    "%+.2f %%; between %.1f and %.1f MB); per responder %.0f -> "
	    "%.0f kB (%d -> %d responders)\n", a->uss / 1024.0,
	    z->uss / 1024.0, (z->uss - a->uss) / 1024.0,
	    100.0 * (double)(z->uss - a->uss) / (double)a->uss,
	    umin / 1024.0, umax / 1024.0, (double)a->uss / a->nresp,
	    (double)z->uss / z->nresp, a->nresp, z->nresp);
	printf("  responders' RSS total: %.1f MB -> %.1f MB (%+.1f MB)\n",
	    a->rss / 1024.0, z->rss / 1024.0, (z->rss - a->rss) / 1024.0);
	printf("  web server RSS: %.1f MB -> %.1f MB (%+.1f MB); store: %.1f "
	    "MB -> %.1f MB\n", a->srv_rss / 1024.0, z->srv_rss / 1024.0,
	    (z->srv_rss - a->srv_rss) / 1024.0, a->store_mb, z->store_mb);
}

void
report_cpu(double engine_s, double secs)
{
	double	resp = 0, srv = 0, self = 0, all = 0, load = 0;
	int	i, k = 0;

	for (i = 0; i < nsamples; i++) {
		if (samples[i].cpu_resp < 0)
			continue;
		resp += samples[i].cpu_resp;
		srv += samples[i].cpu_srv;
		self += samples[i].cpu_self;
		all += samples[i].cpu_machine;
		load += samples[i].load1;
		k++;
	}
	if (k == 0)
		return;
	printf("CPU, mean over the run in %% of one core: responders %.1f, "
	    "web server %.1f, engine runs %.1f (%.0f s), this client %.1f; "
	    "the whole machine %.1f of %ld cores; load average %.1f\n",
	    resp / k, srv / k, 100.0 * engine_s / secs, engine_s, self / k,
	    all / k, sysconf(_SC_NPROCESSORS_ONLN), load / k);
}


double
last_sample_t(void)
{
	return nsamples > 0 ? samples[nsamples - 1].t : -1;
}

void
samples_free(void)
{
	free(samples);
	samples = NULL;
	nsamples = capsamples = 0;
}
