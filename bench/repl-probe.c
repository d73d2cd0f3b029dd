/* repl-probe.c: probes Berkeley DB 5.3's Replication Manager for issue 17 (run by repl-probe.sh). */
/*
 * One program, three roles, chosen by the first argument:
 *
 *   site    a replication process: opens an environment, starts repmgr,
 *           and, while it is master, commits transactions at a fixed
 *           rate (a counter "n" and a row "log/<n>" in one transaction).
 *   reader  a plain process attached to a site's environment (no repmgr)
 *           that runs a read transaction every few milliseconds and
 *           counts what each one returned.
 *   applied a plain process on a client that reads commit tokens from a
 *           FIFO written by the master and waits for each with
 *           txn_applied, timing commit-to-applied.
 *
 * Every line printed starts with milliseconds since the epoch and the
 * role, so that the driver can merge the logs of several processes.
 * The program is a measuring tool, not part of the product: it keeps its
 * few settings in file-scope variables and dies on setup errors.
 */
#define _GNU_SOURCE
#include <db.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_REMOTES	4
#define MAX_SAMPLES	200000
#define DB_NAME		"probe.db"

enum nodelay_mode { NODELAY_NONE, NODELAY_SOCKET, NODELAY_SWEEP };

struct opts {
	const char	*dir;
	const char	*fifo;
	const char	*gofile;
	int		 port;
	int		 remotes[MAX_REMOTES];
	int		 nremotes;
	int		 priority;
	int		 recover;
	int		 creator;
	int		 nwrites;
	int		 rate;
	int		 seconds;
	int		 interval_ms;
	int		 archive;
	int		 lg_max;
	int		 ckpt_delay_ms;
	int		 heartbeat;
	int		 do_register;
	int		 failchk;
	int		 hold;
	int		 verbose;
	int		 ack_timeout_ms;
	int		 pad;
	int		 nowait;
	int		 nosync;
};

static const char *role = "?";
static _Atomic int nodelay_mode = NODELAY_NONE;
static _Atomic int is_master;
static _Atomic int perm_failed;
static _Atomic int panicked;
static volatile sig_atomic_t stopping;

/* ---- small helpers ------------------------------------------------------ */

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int64_t t = now_ns();

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("%lld.%03lld %s[%d] %s\n", (long long)(t / 1000000000),
	    (long long)(t / 1000000 % 1000), role, (int)getpid(), line);
	fflush(stdout);
}

static void die(const char *what, int ret) __attribute__((noreturn));
static void
die(const char *what, int ret)
{
	say("FATAL %s: %s", what, db_strerror(ret));
	exit(1);
}

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

/* Prints p50/p99/max of n samples in nanoseconds, as milliseconds. */
static void
report_latency(const char *what, int64_t *v, int n)
{
	if (n == 0) {
		say("%s: no samples", what);
		return;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	say("%s: n=%d p50=%.3f p99=%.3f max=%.3f ms", what, n,
	    v[n / 2] / 1e6, v[(int64_t)n * 99 / 100] / 1e6, v[n - 1] / 1e6);
}

/* ---- TCP_NODELAY on repmgr's sockets ------------------------------------ */

static int
set_nodelay(int fd)
{
	int one = 1;

	return (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
}

/*
 * Repmgr 5.3 creates its sockets with libc's socket(), for outgoing
 * connections and for its listener; on Linux an accepted socket inherits
 * TCP_NODELAY from the listener.  Defining socket() in the executable
 * puts it ahead of libc's for libdb, linked statically or dynamically.
 */
int
socket(int domain, int type, int protocol)
{
	int fd = (int)syscall(SYS_socket, domain, type, protocol);

	if (fd >= 0 && atomic_load(&nodelay_mode) == NODELAY_SOCKET &&
	    (domain == AF_INET || domain == AF_INET6) &&
	    (type & 0xff) == SOCK_STREAM)
		(void)set_nodelay(fd);
	return (fd);
}

/*
 * Visits every TCP socket of this process; sets TCP_NODELAY on it if set
 * is true.  Returns the number of TCP sockets, and in *with those that
 * have TCP_NODELAY (after setting).
 */
static int
sweep_sockets(int set, int *with)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	*with = 0;
	if (d == NULL)
		return (0);
	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name), v = 0, dom = 0;
		socklen_t len = sizeof(dom);
		struct stat st;

		if (e->d_name[0] == '.' || fstat(fd, &st) != 0 ||
		    !S_ISSOCK(st.st_mode) ||
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) != 0 ||
		    (dom != AF_INET && dom != AF_INET6))
			continue;
		if (set)
			(void)set_nodelay(fd);
		len = sizeof(v);
		if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) != 0)
			continue;
		n++;
		*with += v != 0;
	}
	closedir(d);
	return (n);
}

/* ---- environment -------------------------------------------------------- */

static void
on_error(const DB_ENV *env, const char *prefix, const char *msg)
{
	(void)env;
	(void)prefix;
	say("bdb: %s", msg);
}

static void
on_message(const DB_ENV *env, const char *msg)
{
	(void)env;
	say("msg: %s", msg);
}

static const char *
event_name(u_int32_t ev)
{
	static const char *names[] = { "PANIC", "REG_ALIVE", "REG_PANIC",
	    "CLIENT", "CONNECT_BROKEN", "CONNECT_ESTD", "CONNECT_TRY_FAILED",
	    "DUPMASTER", "ELECTED", "ELECTION_FAILED", "INIT_DONE",
	    "JOIN_FAILURE", "LOCAL_SITE_REMOVED", "MASTER", "MASTER_FAILURE",
	    "NEWMASTER", "PERM_FAILED", "SITE_ADDED", "SITE_REMOVED",
	    "STARTUPDONE", "WOULD_ROLLBACK", "WRITE_FAILED" };

	return (ev < sizeof(names) / sizeof(names[0]) ? names[ev] : "?");
}

static void
on_event(DB_ENV *env, u_int32_t ev, void *info)
{
	(void)env;
	switch (ev) {
	case DB_EVENT_REP_MASTER:
		atomic_store(&is_master, 1);
		break;
	case DB_EVENT_REP_CLIENT:
		atomic_store(&is_master, 0);
		break;
	case DB_EVENT_REP_PERM_FAILED:
		atomic_fetch_add(&perm_failed, 1);
		return;		/* counted, and too frequent to print */
	case DB_EVENT_PANIC:
	case DB_EVENT_REG_PANIC:
		atomic_store(&panicked, 1);
		break;
	case DB_EVENT_REP_CONNECT_ESTD:
		if (atomic_load(&nodelay_mode) == NODELAY_SWEEP) {
			int with;

			(void)sweep_sockets(1, &with);
		}
		break;
	default:
		break;
	}
	if (ev == DB_EVENT_REP_CONNECT_ESTD || ev == DB_EVENT_REP_NEWMASTER)
		say("event %s eid=%d", event_name(ev), *(int *)info);
	else
		say("event %s", event_name(ev));
}

static int
is_alive(DB_ENV *env, pid_t pid, db_threadid_t tid, u_int32_t flags)
{
	(void)env;
	(void)tid;
	(void)flags;
	return (pid == getpid() || kill(pid, 0) == 0 || errno == EPERM);
}

/*
 * Creates the handle with what every role shares: messages, events,
 * deadlock detection, thread tracking when failchk is wanted.
 */
static DB_ENV *
env_handle(const struct opts *o)
{
	DB_ENV *env;
	int ret;

	if ((ret = db_env_create(&env, 0)) != 0)
		die("db_env_create", ret);
	env->set_errcall(env, on_error);
	env->set_msgcall(env, on_message);
	(void)env->set_event_notify(env, on_event);
	(void)env->set_lk_detect(env, DB_LOCK_DEFAULT);
	if (o->failchk) {
		(void)env->set_thread_count(env, 200);
		(void)env->set_isalive(env, is_alive);
	}
	/* Without it, an operation that meets a lockout sleeps 5 s. */
	if (o->nowait)
		(void)env->rep_set_config(env, DB_REP_CONF_NOWAIT, 1);
	if (o->verbose) {
		(void)env->set_verbose(env, DB_VERB_REPLICATION, 1);
		(void)env->set_verbose(env, DB_VERB_REPMGR_MISC, 1);
	}
	return (env);
}

/* Opens env in o->dir; extra adds DB_CREATE, DB_RECOVER, DB_REGISTER... */
static int
env_open(DB_ENV *env, const struct opts *o, u_int32_t extra)
{
	u_int32_t flags = DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL |
	    DB_INIT_TXN | DB_INIT_REP | DB_THREAD | extra;

	if (o->do_register)
		flags |= DB_REGISTER;
	if (o->failchk && !(flags & DB_CREATE))
		flags |= DB_FAILCHK;
	return (env->open(env, o->dir, flags, 0));
}

/* ---- site: the replication process --------------------------------------- */

static void
site_config(DB_ENV *env, const struct opts *o)
{
	DB_SITE *s;
	int i, ret;

	if ((ret = env->repmgr_site(env, "127.0.0.1", (u_int)o->port, &s,
	    0)) != 0)
		die("repmgr_site", ret);
	(void)s->set_config(s, DB_LOCAL_SITE, 1);
	if (o->creator)
		(void)s->set_config(s, DB_GROUP_CREATOR, 1);
	(void)s->close(s);
	for (i = 0; i < o->nremotes; i++) {
		if ((ret = env->repmgr_site(env, "127.0.0.1",
		    (u_int)o->remotes[i], &s, 0)) != 0)
			die("repmgr_site remote", ret);
		(void)s->set_config(s, DB_BOOTSTRAP_HELPER, 1);
		(void)s->close(s);
	}
}

static void
site_timeouts(DB_ENV *env, const struct opts *o)
{
	(void)env->repmgr_set_ack_policy(env, DB_REPMGR_ACKS_QUORUM);
	(void)env->rep_set_timeout(env, DB_REP_ACK_TIMEOUT,
	    (db_timeout_t)o->ack_timeout_ms * 1000);
	if (o->ckpt_delay_ms >= 0)
		(void)env->rep_set_timeout(env, DB_REP_CHECKPOINT_DELAY,
		    (db_timeout_t)o->ckpt_delay_ms * 1000);
	(void)env->rep_set_timeout(env, DB_REP_CONNECTION_RETRY, 1000000);
	(void)env->rep_set_timeout(env, DB_REP_ELECTION_RETRY, 1000000);
	(void)env->rep_set_timeout(env, DB_REP_ELECTION_TIMEOUT, 2000000);
	if (o->heartbeat) {
		(void)env->rep_set_timeout(env, DB_REP_HEARTBEAT_SEND,
		    1000000);
		(void)env->rep_set_timeout(env, DB_REP_HEARTBEAT_MONITOR,
		    3000000);
	}
	(void)env->rep_set_priority(env, (u_int32_t)o->priority);
}

static DB_ENV *
site_open(const struct opts *o)
{
	DB_ENV *env = env_handle(o);
	int64_t t0;
	int ret, tries;

	/*
	 * A client flushes its log after every transaction it applies unless
	 * DB_TXN_NOSYNC is set (WRITE_NOSYNC does not count there).
	 */
	(void)env->set_flags(env, o->nosync ? DB_TXN_NOSYNC :
	    DB_TXN_WRITE_NOSYNC, 1);
	if (o->lg_max > 0) {
		(void)env->set_lg_bsize(env, 64 * 1024);
		(void)env->set_lg_max(env, (u_int32_t)o->lg_max);
	}
	site_config(env, o);
	site_timeouts(env, o);
	t0 = now_ns();
	if ((ret = env_open(env, o, DB_CREATE |
	    (o->recover ? DB_RECOVER : 0))) != 0)
		die("env open", ret);
	say("env open%s in %.1f ms", o->recover ? " with recovery" : "",
	    (now_ns() - t0) / 1e6);
	/* A join fails with DB_REP_UNAVAIL while another is in progress. */
	for (tries = 0; (ret = env->repmgr_start(env, 3,
	    DB_REP_ELECTION)) == DB_REP_UNAVAIL && tries < 40; tries++)
		sleep_ms(500);
	if (ret != 0 && ret != DB_REP_IGNORE)
		die("repmgr_start", ret);
	return (env);
}

/* Reads the counter "n" in txn (NULL: a transaction of its own). */
static int
read_counter(DB *db, DB_TXN *txn, u_int32_t flags, uint64_t *n)
{
	DBT k = { .data = "n", .size = 1 }, v = { .data = n,
	    .ulen = sizeof(*n), .flags = DB_DBT_USERMEM };
	int ret;

	*n = 0;
	if ((ret = db->get(db, txn, &k, &v, flags)) == DB_NOTFOUND)
		return (0);
	return (ret);
}

/*
 * One write: n += 1 and the row log/<n>, in one transaction; the row's
 * value is n followed by pad zero bytes (a bigger database to copy).
 */
static int
write_one(DB_ENV *env, DB *db, int pad, DB_TXN_TOKEN *tok, uint64_t *seq)
{
	DB_TXN *txn;
	char key[32], row[8 + 4096] = { 0 };
	DBT k = { .data = "n", .size = 1 }, v = { 0 };
	uint64_t n;
	int ret;

	if ((ret = env->txn_begin(env, NULL, &txn, 0)) != 0)
		return (ret);
	if ((ret = read_counter(db, txn, DB_RMW, &n)) != 0)
		goto fail;
	n++;
	v.data = &n;
	v.size = sizeof(n);
	if ((ret = db->put(db, txn, &k, &v, 0)) != 0)
		goto fail;
	k.size = (u_int32_t)snprintf(key, sizeof(key), "log/%012llu",
	    (unsigned long long)n);
	k.data = key;
	memcpy(row, &n, sizeof(n));
	v.data = row;
	v.size = (u_int32_t)(sizeof(n) + (size_t)pad);
	if ((ret = db->put(db, txn, &k, &v, 0)) != 0)
		goto fail;
	if ((ret = txn->set_commit_token(txn, tok)) != 0)
		goto fail;
	*seq = n;
	return (txn->commit(txn, 0));
fail:
	(void)txn->abort(txn);
	return (ret);
}

/* On the master, every second: checkpoint, then remove unneeded logs. */
static void
archive_logs(DB_ENV *env)
{
	char **list = NULL, **p;
	int64_t t0 = now_ns();
	int ret, n = 0;

	if ((ret = env->txn_checkpoint(env, 0, 0, 0)) != 0)
		say("checkpoint: %s", db_strerror(ret));
	if (now_ns() - t0 > 50000000)
		say("checkpoint took %.1f ms", (now_ns() - t0) / 1e6);
	if (env->log_archive(env, &list, 0) == 0 && list != NULL) {
		for (p = list; *p != NULL; p++)
			n++;
		free(list);
	}
	if ((ret = env->log_archive(env, NULL, DB_ARCH_REMOVE)) != 0)
		say("log_archive: %s", db_strerror(ret));
	if (n > 0)
		say("archive: removed %d log files (%.1f ms)", n,
		    (now_ns() - t0) / 1e6);
}

struct writer {
	DB_ENV	*env;
	DB	*db;
	int	 fifo_fd;
	int64_t	*lat;
	int	 nlat;
	int	 written;
	int	 failed;
	int	 permfail;
	int64_t	 next;
};

static int
writer_db(struct writer *w)
{
	int ret;

	if (w->db != NULL)
		return (0);
	if ((ret = db_create(&w->db, w->env, 0)) != 0)
		return (ret);
	if ((ret = w->db->open(w->db, NULL, DB_NAME, NULL, DB_BTREE,
	    DB_CREATE | DB_AUTO_COMMIT | DB_THREAD, 0644)) != 0) {
		(void)w->db->close(w->db, 0);
		w->db = NULL;
	}
	return (ret);
}

/* Commits one transaction if it is time to; records what happened. */
static void
writer_step(struct writer *w, const struct opts *o)
{
	DB_TXN_TOKEN tok;
	uint64_t seq = 0;
	int64_t t0, dt;
	int ret, pf;

	if (now_ns() < w->next) {
		sleep_ms(0);
		return;
	}
	w->next += 1000000000LL / o->rate;
	if (writer_db(w) != 0)
		return;
	pf = atomic_load(&perm_failed);
	t0 = now_ns();
	ret = write_one(w->env, w->db, o->pad, &tok, &seq);
	dt = now_ns() - t0;
	if (ret != 0) {
		if (w->failed++ < 5)
			say("commit failed: %s", db_strerror(ret));
		(void)w->db->close(w->db, DB_NOSYNC);
		w->db = NULL;
		return;
	}
	if (++w->written == o->nwrites)
		say("wrote %d", w->written);
	if (atomic_load(&perm_failed) != pf && w->permfail++ < 5)
		say("commit n=%llu PERM_FAILED", (unsigned long long)seq);
	if (w->nlat < MAX_SAMPLES)
		w->lat[w->nlat++] = dt;
	if (dt > 200000000)
		say("slow commit n=%llu: %.1f ms", (unsigned long long)seq,
		    dt / 1e6);
	if (w->fifo_fd >= 0) {
		char rec[8 + DB_TXN_TOKEN_SIZE];
		int64_t t1 = now_ns();

		memcpy(rec, &t1, 8);
		memcpy(rec + 8, tok.buf, DB_TXN_TOKEN_SIZE);
		(void)write(w->fifo_fd, rec, sizeof(rec));
	}
}

static void
site_summary(DB_ENV *env, struct writer *w)
{
	DB *db = w->db;
	uint64_t n = 0;
	int ret = 0, with;

	report_latency("commit", w->lat, w->nlat);
	say("writes: ok=%d failed=%d perm_failed=%d(events %d)", w->written,
	    w->failed, w->permfail, atomic_load(&perm_failed));
	if (db == NULL && (ret = db_create(&db, env, 0)) == 0 &&
	    (ret = db->open(db, NULL, DB_NAME, NULL, DB_BTREE,
	    DB_RDONLY | DB_AUTO_COMMIT | DB_THREAD, 0)) != 0) {
		(void)db->close(db, 0);
		db = NULL;
	}
	if (db != NULL && (ret = read_counter(db, NULL, 0, &n)) == 0)
		say("final n=%llu", (unsigned long long)n);
	else
		say("final n unreadable: %s", db_strerror(ret));
	if (db != NULL)
		(void)db->close(db, 0);
	w->db = NULL;
	ret = sweep_sockets(0, &with);
	say("sockets: tcp=%d nodelay=%d", ret, with);
}

static int
run_site(const struct opts *o)
{
	struct writer w = { .fifo_fd = -1 };
	int64_t end = now_ns() + (int64_t)o->seconds * 1000000000;
	int64_t last_tick = 0;
	int ret;

	w.env = site_open(o);
	w.lat = calloc(MAX_SAMPLES, sizeof(*w.lat));
	if (o->fifo != NULL && (w.fifo_fd = open(o->fifo, O_RDWR)) < 0)
		die("fifo", errno);
	w.next = now_ns();
	while (!stopping && now_ns() < end && !atomic_load(&panicked)) {
		int64_t t = now_ns();

		if (t - last_tick > 1000000000) {
			last_tick = t;
			if (o->failchk &&
			    (ret = w.env->failchk(w.env, 0)) != 0)
				say("failchk: %s", db_strerror(ret));
			if (o->archive && atomic_load(&is_master))
				archive_logs(w.env);
			if (atomic_load(&nodelay_mode) == NODELAY_SWEEP) {
				int with;

				(void)sweep_sockets(1, &with);
			}
		}
		/* The database exists before the first write is allowed. */
		if (atomic_load(&is_master) && w.db == NULL)
			(void)writer_db(&w);
		if (atomic_load(&is_master) && w.written < o->nwrites &&
		    (o->gofile == NULL || access(o->gofile, F_OK) == 0))
			writer_step(&w, o);
		else {
			w.next = now_ns();
			sleep_ms(5);
		}
	}
	site_summary(w.env, &w);
	if ((ret = w.env->close(w.env, 0)) != 0)
		say("env close: %s", db_strerror(ret));
	say("exit");
	return (0);
}

/* ---- reader: a plain process on a replica ------------------------------- */

enum { RD_OK, RD_DEADLOCK, RD_DEAD, RD_LOCKOUT, RD_RECOVERY, RD_NOENT, RD_OTHER,
    RD_INCONSISTENT, RD_N };
static const char *rname[RD_N] = { "ok", "deadlock", "handle_dead",
    "lockout", "runrecovery", "nodb", "other", "inconsistent" };

static int
classify(int ret)
{
	switch (ret) {
	case 0:			return (RD_OK);
	case DB_LOCK_DEADLOCK:	return (RD_DEADLOCK);
	case DB_REP_HANDLE_DEAD: return (RD_DEAD);
	case DB_REP_LOCKOUT:	return (RD_LOCKOUT);
	case DB_RUNRECOVERY:	return (RD_RECOVERY);
	case ENOENT:		return (RD_NOENT);
	default:		return (RD_OTHER);
	}
}

/* One read transaction: n and the last log row must agree. */
static int
read_one(DB_ENV *env, DB *db, int hold, uint64_t *seen)
{
	DB_TXN *txn;
	DBC *c = NULL;
	char kbuf[64], row[8 + 4096];
	uint64_t n, last = 0;
	DBT k = { .data = kbuf, .ulen = sizeof(kbuf),
	    .flags = DB_DBT_USERMEM }, v = { .data = row,
	    .ulen = sizeof(row), .flags = DB_DBT_USERMEM };
	int ret, t;

	if ((ret = env->txn_begin(env, NULL, &txn, 0)) != 0)
		return (ret);
	if ((ret = read_counter(db, txn, 0, &n)) != 0)
		goto out;
	if ((ret = db->cursor(db, txn, &c, 0)) != 0)
		goto out;
	if ((ret = c->get(c, &k, &v, DB_LAST)) == DB_NOTFOUND)
		ret = 0;
	else if (ret == 0)
		memcpy(&last, row, sizeof(last));
	if (hold) {
		say("holding a read lock on n=%llu", (unsigned long long)n);
		for (;;)
			pause();
	}
	if (ret == 0 && last != n)
		ret = -1;
	if (ret == 0)
		*seen = n;
out:
	if (c != NULL && (t = c->close(c)) != 0 && ret == 0)
		ret = t;
	if (ret == 0)
		return (txn->commit(txn, 0));
	(void)txn->abort(txn);
	return (ret);
}

struct reader {
	DB_ENV	*env;
	DB	*db;
	long	 count[RD_N];
	int64_t	 slowest;
	int	 reattached;
	uint64_t last_n;
};

static void
reader_detach(struct reader *r)
{
	if (r->db != NULL)
		(void)r->db->close(r->db, DB_NOSYNC);
	r->db = NULL;
	if (r->env != NULL)
		(void)r->env->close(r->env, 0);
	r->env = NULL;
}

static int
reader_attach(struct reader *r, const struct opts *o)
{
	int64_t t0 = now_ns();
	int ret;

	r->env = env_handle(o);
	if ((ret = env_open(r->env, o, o->recover ? DB_RECOVER | DB_CREATE :
	    0)) != 0) {
		(void)r->env->close(r->env, 0);
		r->env = NULL;
		return (ret);
	}
	say("attached in %.1f ms", (now_ns() - t0) / 1e6);
	return (0);
}

static int
reader_step(struct reader *r, const struct opts *o)
{
	int ret;

	if (r->env == NULL && (ret = reader_attach(r, o)) != 0)
		return (ret);
	if (r->db == NULL) {
		if ((ret = db_create(&r->db, r->env, 0)) != 0)
			return (ret);
		if ((ret = r->db->open(r->db, NULL, DB_NAME, NULL, DB_BTREE,
		    DB_RDONLY | DB_AUTO_COMMIT | DB_THREAD, 0)) != 0) {
			(void)r->db->close(r->db, 0);
			r->db = NULL;
			return (ret);
		}
	}
	return (read_one(r->env, r->db, o->hold, &r->last_n));
}

static int
run_reader(const struct opts *o)
{
	struct reader r = { 0 };
	int64_t end = now_ns() + (int64_t)o->seconds * 1000000000;

	while (!stopping && now_ns() < end) {
		int64_t t0 = now_ns(), dt;
		int ret = reader_step(&r, o), c;

		dt = now_ns() - t0;
		c = ret == -1 ? RD_INCONSISTENT : classify(ret);
		if (r.count[c]++ < 3 && c != RD_OK)
			say("read: %s (%s) after %.1f ms", rname[c],
			    db_strerror(ret), dt / 1e6);
		if (dt > r.slowest)
			r.slowest = dt;
		if (c == RD_DEAD || c == RD_OTHER || c == RD_NOENT) {
			if (r.db != NULL)
				(void)r.db->close(r.db, DB_NOSYNC);
			r.db = NULL;
		} else if (c == RD_RECOVERY) {
			reader_detach(&r);
			r.reattached++;
		}
		sleep_ms(c == RD_OK ? o->interval_ms : 50);
	}
	say("reads: ok=%ld deadlock=%ld handle_dead=%ld lockout=%ld "
	    "runrecovery=%ld nodb=%ld other=%ld inconsistent=%ld "
	    "reattached=%d slowest=%.1f ms last n=%llu", r.count[RD_OK],
	    r.count[RD_DEADLOCK], r.count[RD_DEAD], r.count[RD_LOCKOUT],
	    r.count[RD_RECOVERY], r.count[RD_NOENT], r.count[RD_OTHER],
	    r.count[RD_INCONSISTENT], r.reattached, r.slowest / 1e6,
	    (unsigned long long)r.last_n);
	reader_detach(&r);
	return (0);
}

/* ---- applied: commit-token waits on a client ----------------------------- */

static int
run_applied(const struct opts *o)
{
	struct reader r = { 0 };
	char rec[8 + DB_TXN_TOKEN_SIZE];
	int64_t *lat = calloc(MAX_SAMPLES, sizeof(*lat));
	long rc[4] = { 0 };
	int fd, n = 0, ret;

	if ((fd = open(o->fifo, O_RDONLY)) < 0)
		die("fifo", errno);
	if ((ret = reader_attach(&r, o)) != 0)
		die("attach", ret);
	while (!stopping && read(fd, rec, sizeof(rec)) == sizeof(rec)) {
		DB_TXN_TOKEN tok;
		int64_t t;

		memcpy(&t, rec, 8);
		memcpy(tok.buf, rec + 8, DB_TXN_TOKEN_SIZE);
		ret = r.env->txn_applied(r.env, &tok, 1000000, 0);
		rc[ret == 0 ? 0 : ret == DB_TIMEOUT ? 1 :
		    ret == DB_NOTFOUND ? 2 : 3]++;
		if (ret != 0 && rc[3] + rc[2] + rc[1] < 5)
			say("txn_applied: %s", db_strerror(ret));
		if (ret == 0 && n < MAX_SAMPLES)
			lat[n++] = now_ns() - t;
	}
	report_latency("commit to txn_applied", lat, n);
	say("txn_applied: ok=%ld timeout=%ld notfound=%ld other=%ld", rc[0],
	    rc[1], rc[2], rc[3]);
	reader_detach(&r);
	return (0);
}

/* ---- options ------------------------------------------------------------ */

static void
usage(void)
{
	fprintf(stderr, "usage: repl-probe site|reader|applied -d dir [-b pad]"
	    "[-l port] [-m helper-port]... [-p priority] [-C] [-R]\n"
	    "    [-n none|socket|sweep] [-N] [-S] [-w writes] [-r rate]"
	    " [-x seconds]\n"
	    "    [-i interval-ms] [-a] [-s lg-max] [-k ckpt-delay-ms] [-H]\n"
	    "    [-G] [-F] [-K] [-f fifo] [-g go-file] [-t ack-timeout-ms]"
	    " [-v]\n");
	exit(2);
}

static void
parse(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "b:d:l:m:p:CRn:NSw:r:x:i:as:k:HGFKf:g:t:v"))
	    != -1) {
		switch (c) {
		case 'b': o->pad = atoi(optarg); break;
		case 'd': o->dir = optarg; break;
		case 'l': o->port = atoi(optarg); break;
		case 'm':
			if (o->nremotes == MAX_REMOTES)
				usage();
			o->remotes[o->nremotes++] = atoi(optarg);
			break;
		case 'p': o->priority = atoi(optarg); break;
		case 'C': o->creator = 1; break;
		case 'R': o->recover = 1; break;
		case 'n':
			atomic_store(&nodelay_mode,
			    strcmp(optarg, "socket") == 0 ? NODELAY_SOCKET :
			    strcmp(optarg, "sweep") == 0 ? NODELAY_SWEEP :
			    NODELAY_NONE);
			break;
		case 'N': o->nowait = 1; break;
		case 'S': o->nosync = 1; break;
		case 'w': o->nwrites = atoi(optarg); break;
		case 'r': o->rate = atoi(optarg); break;
		case 'x': o->seconds = atoi(optarg); break;
		case 'i': o->interval_ms = atoi(optarg); break;
		case 'a': o->archive = 1; break;
		case 's': o->lg_max = atoi(optarg); break;
		case 'k': o->ckpt_delay_ms = atoi(optarg); break;
		case 'H': o->heartbeat = 1; break;
		case 'G': o->do_register = 1; break;
		case 'F': o->failchk = 1; break;
		case 'K': o->hold = 1; break;
		case 'f': o->fifo = optarg; break;
		case 'g': o->gofile = optarg; break;
		case 't': o->ack_timeout_ms = atoi(optarg); break;
		case 'v': o->verbose = 1; break;
		default: usage();
		}
	}
	if (o->dir == NULL || o->rate <= 0 || o->interval_ms < 0 ||
	    o->pad < 0 || o->pad > 4096)
		usage();
}

int
main(int argc, char **argv)
{
	struct opts o = { .priority = 100, .rate = 100, .seconds = 10,
	    .interval_ms = 20, .ckpt_delay_ms = 0, .ack_timeout_ms = 1000 };
	struct sigaction sa = { .sa_handler = on_signal };

	if (argc < 2)
		usage();
	role = argv[1];
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	parse(argc - 1, argv + 1, &o);
	if (strcmp(role, "site") == 0)
		return (run_site(&o));
	if (strcmp(role, "reader") == 0)
		return (run_reader(&o));
	if (strcmp(role, "applied") == 0 && o.fifo != NULL)
		return (run_applied(&o));
	usage();
}
