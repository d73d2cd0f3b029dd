/* bench-floor.c: what one process per stream costs the kernel alone: N processes woken by the store's notify words, each writing one event to a reader, and nothing else. */
#include "config.h"

#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"
#include "mstime.h"
#include "notify.h"
#include "procstat.h"

/*
 * A stream responder's work per event is: wake from its notify word,
 * pass the wake on (the tree of lib/notify.c), read what changed, make
 * the event, write it to the web server, sleep again.  This program keeps
 * the first, second, fifth and last with the real notify code and one
 * write(2) of an event's size to a socket that one reader process drains
 * (the web server's part), and drops everything else.  The CPU its
 * processes use per event is the floor under a responder's own on this
 * machine: what any process-per-stream design pays before doing any work.
 *
 * Usage: bench-floor [-n PROCESSES] [-k EVENTS] [-b BYTES]
 */

#define UID		"bench-floor"
#define GAP_MS		5	/* quiet time between events */
#define EVENT_WAIT_MS	10000

/* Counters shared by every process of the run. */
struct shared {
	_Atomic int		ready;		/* processes waiting */
	_Atomic long long	received;	/* events the reader got */
	_Atomic int		stop;
};

static pid_t	*pids;
static int	 npids;

static void
kill_all(void)
{
	for (int i = 0; i < npids; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	for (int i = 0; i < npids; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

/* One "responder": waits on its user's word, writes an event when woken. */
static void
stream_process(struct notify *n, struct shared *sh, int fd, size_t bytes)
{
	uint32_t	 w = notify_user_word(UID), seen;
	char		*event;

	event = malloc(bytes);
	if (event == NULL)
		_exit(1);
	memset(event, 'x', bytes);
	seen = notify_value(n, w);
	atomic_fetch_add(&sh->ready, 1);
	while (!atomic_load(&sh->stop)) {
		uint32_t	now;

		/* A wake passed on late finds nothing new, as a stream does. */
		if (notify_wait(n, w, seen, 1000) != 0 ||
		    (now = notify_value(n, w)) == seen)
			continue;
		seen = now;
		if (write(fd, event, bytes) != (ssize_t)bytes)
			_exit(1);
	}
	_exit(0);
}

/* The "web server": drains every socket, counting whole events. */
static void
reader_process(struct shared *sh, const int *fds, int nfds, size_t bytes)
{
	struct epoll_event	 ev, evs[64];
	char			 buf[65536];
	long long		 total = 0;
	ssize_t			 r;
	int			 ep, i, m;

	if ((ep = epoll_create1(0)) == -1)
		_exit(1);
	for (i = 0; i < nfds; i++) {
		ev.events = EPOLLIN;
		ev.data.fd = fds[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == -1)
			_exit(1);
	}
	while (!atomic_load(&sh->stop)) {
		if ((m = epoll_wait(ep, evs, 64, 100)) == -1 && errno != EINTR)
			_exit(1);
		for (i = 0; i < m; i++) {
			if ((r = read(evs[i].data.fd, buf, sizeof buf)) <= 0)
				continue;
			total += r;
			atomic_store(&sh->received, total / (long long)bytes);
		}
	}
	_exit(0);
}

static long long
cpu_of(int from, int to)
{
	long long	ns = 0;

	for (int i = from; i < to; i++)
		ns += procstat_cpu_ns(pids[i]);
	return ns;
}

int
main(int argc, char **argv)
{
	struct shared	*sh;
	struct notify	*n;
	char		 dir[] = "/tmp/bench-floor.XXXXXX", err[256];
	int		 streams = 300, events = 200, opt, i, (*sv)[2], *rfds;
	size_t		 bytes = 480;
	long long	 cpu_streams, cpu_reader, want;
	int64_t		 t0, *lat;
	struct rlimit	 rl;
	uint32_t	 w = notify_user_word(UID);

	while ((opt = getopt(argc, argv, "n:k:b:")) != -1) {
		switch (opt) {
		case 'n': streams = atoi(optarg); break;
		case 'k': events = atoi(optarg); break;
		case 'b': bytes = (size_t)atol(optarg); break;
		default:
			fprintf(stderr, "usage: bench-floor [-n PROCESSES] "
			    "[-k EVENTS] [-b BYTES]\n");
			return 2;
		}
	}
	if (streams < 1 || events < 1 || bytes < 1 || bytes > 65536)
		die("-n, -k and -b must be positive (-b at most 65536)");
	/* Two descriptors a process while they are made. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (mkdtemp(dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	if ((n = notify_open(dir, err, sizeof err)) == NULL)
		die("%s", err);
	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(sh, 0, sizeof *sh);
	if ((sv = calloc((size_t)streams, sizeof *sv)) == NULL ||
	    (rfds = calloc((size_t)streams, sizeof *rfds)) == NULL ||
	    (pids = calloc((size_t)streams + 1, sizeof *pids)) == NULL ||
	    (lat = calloc((size_t)events, sizeof *lat)) == NULL)
		die("out of memory");
	die_cleanup(kill_all);
	for (i = 0; i < streams; i++)
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]) == -1)
			die("socketpair: %s (raise the open files limit)",
			    strerror(errno));

	/* The reader first, with every read end. */
	for (i = 0; i < streams; i++)
		rfds[i] = sv[i][0];
	if ((pids[0] = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pids[0] == 0)
		reader_process(sh, rfds, streams, bytes);
	npids = 1;
	for (i = 0; i < streams; i++) {
		if ((pids[1 + i] = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pids[1 + i] == 0)
			stream_process(n, sh, sv[i][1], bytes);
		npids++;
		close(sv[i][1]);
	}
	for (i = 0; i < streams; i++)
		close(sv[i][0]);
	t0 = mono_ms();
	while (atomic_load(&sh->ready) < streams) {
		if (mono_ms() - t0 > EVENT_WAIT_MS)
			die("only %d of %d processes started",
			    atomic_load(&sh->ready), streams);
		usleep(10000);
	}
	usleep(100000);	/* every one asleep in its wait */

	cpu_streams = cpu_of(1, npids);
	cpu_reader = cpu_of(0, 1);
	for (int k = 0; k < events; k++) {
		struct timespec	a, b;

		want = (long long)(k + 1) * streams;
		clock_gettime(CLOCK_MONOTONIC, &a);
		notify_bump(n, w);
		t0 = mono_ms();
		while (atomic_load(&sh->received) < want) {
			if (mono_ms() - t0 > EVENT_WAIT_MS)
				die("event %d reached %lld of %d processes", k,
				    atomic_load(&sh->received) - want + streams,
				    streams);
			usleep(50);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		lat[k] = (b.tv_sec - a.tv_sec) * 1000000000LL +
		    (b.tv_nsec - a.tv_nsec);
		usleep(GAP_MS * 1000);
	}
	cpu_streams = cpu_of(1, npids) - cpu_streams;
	cpu_reader = cpu_of(0, 1) - cpu_reader;
	atomic_store(&sh->stop, 1);
	notify_bump(n, w);
	kill_all();
	npids = 0;

	qsort(lat, (size_t)events, sizeof *lat, cmp_i64);
	printf("floor: %d processes woken by one notify word, each writing "
	    "%zu bytes to one reader, %d events\n", streams, bytes, events);
	printf("  CPU per event delivered: processes %.1f us, reader %.1f us\n",
	    (double)cpu_streams / 1000.0 / ((double)events * streams),
	    (double)cpu_reader / 1000.0 / ((double)events * streams));
	printf("  wake to the last process's event read: p50 %.2f ms, "
	    "p99 %.2f ms\n", (double)lat[events / 2] / 1e6,
	    (double)lat[events * 99 / 100] / 1e6);
	notify_close(n);
	{
		char	path[sizeof dir + 16];

		snprintf(path, sizeof path, "%s/notify", dir);
		unlink(path);
		rmdir(dir);
	}
	free(lat);
	free(sv);
	free(rfds);
	free(pids);
	return 0;
}
