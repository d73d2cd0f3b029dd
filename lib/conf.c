/* conf.c: backstream.conf parsing; one table of keys drives parsing, defaults and documentation. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "reloc.h"
#include "strnum.h"
#include "xmalloc.h"

enum conf_type {
	CONF_STRING,
	CONF_INT,
	CONF_DURATION,
	CONF_SIZE,
	CONF_LEVEL,
	CONF_ADDRESSES,	/* host:port, space-separated; max: how many (0: any) */
};

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;
	int64_t		 min;
	int64_t		 max;
	const char	*def;	/* as it would be written in the file */
	const char	*help;
};

#define SEC	1000LL
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)
#define OFF(f)	offsetof(struct conf, f)

static const struct conf_key conf_keys[] = {
	{ "store_dir", CONF_STRING, OFF(store_dir), 0, 0,
	  LOCALSTATEDIR "/lib/backstream",
	  "Directory of the Berkeley DB environment. Every process that uses "
	  "it (responders, engine, CLI) needs read and write access." },
	{ "cache_size", CONF_SIZE, OFF(cache_size), 1024 * 1024,
	  16LL * 1024 * 1024 * 1024, "32M",
	  "Size of the shared page cache, with an optional K, M or G unit. "
	  "Read when the environment is created." },
	{ "max_processes", CONF_INT, OFF(max_processes), 16, 100000, "2100",
	  "How many processes may use the environment at once: stream "
	  "responders, REST responders, engine workers and CLI commands. "
	  "Read when the environment is created." },
	{ "lock_timeout", CONF_DURATION, OFF(lock_timeout), 10, 60 * SEC,
	  "2s",
	  "How long a write waits for a lock before it checks for dead "
	  "processes and tries again." },
	{ "stall_timeout", CONF_DURATION, OFF(stall_timeout), 1 * SEC,
	  10 * MIN, "30s",
	  "A store operation that has not finished after this long, when a "
	  "process of the store has died, is taken to be stuck behind a "
	  "shared mutex the dead one held: the process exits so that the "
	  "store can be recovered. With no process dead the operation is "
	  "taken to be slow (an overloaded machine): it is waited for, and "
	  "logged. Past four times this long it is taken to be stuck only if "
	  "it spent this long of CPU, or if no operation of the store "
	  "finished meanwhile on a machine loaded under twice its cores." },
	{ "store_readers", CONF_INT, OFF(store_readers), 0, 10000, "0",
	  "How many processes may read the store at once; more wait their "
	  "turn, asleep. 0 means twice the number of cores. Berkeley DB's "
	  "page cache spins while it waits for a page, and a few hundred "
	  "stream responders inside at once on a small machine spin instead "
	  "of letting the one they wait for run. Writers do not count." },
	{ "changelog_retention", CONF_DURATION, OFF(changelog_retention),
	  1 * SEC, 365 * DAY, "24h",
	  "How long change-log records are kept. A client that reconnects "
	  "after a longer absence gets a fresh snapshot instead of a resume." },

	{ "project_id", CONF_STRING, OFF(project_id), 0, 0, "",
	  "Firebase project id: tokens must have it as audience and "
	  "https://securetoken.google.com/<project_id> as issuer." },
	{ "cert_file", CONF_STRING, OFF(cert_file), 0, 0,
	  LOCALSTATEDIR "/lib/backstream/certs.json",
	  "Google's certificate set (a JSON object mapping key id to PEM "
	  "certificate), kept current by backstream-fetch-certs. Re-read when "
	  "it changes." },
	{ "token_leeway", CONF_DURATION, OFF(token_leeway), 0, 5 * MIN, "30s",
	  "Clock skew allowed when checking a token's iat and auth_time, so "
	  "that a fresh token from a machine whose clock runs ahead is not "
	  "refused. It does not extend a token's life: see "
	  "token_expiry_leeway." },
	{ "token_expiry_leeway", CONF_DURATION, OFF(token_expiry_leeway), 0,
	  5 * MIN, "0s",
	  "How long after its exp a token is still accepted. Keep it 0: an "
	  "expired token is refused at once (a browser gets a fresh one from "
	  "Firebase before the old one ends), and a stolen token is not "
	  "usable any longer than its owner's." },
	{ "verify_helper", CONF_STRING, OFF(verify_helper), 0, 0,
	  PKGLIBEXECDIR "/backstream-verify",
	  "The program stream responders run to verify a token, so that they "
	  "never load OpenSSL into long-lived processes.  One that gives no "
	  "answer within 30 s is killed and the stream refused with 503." },

	{ "poll_interval", CONF_DURATION, OFF(poll_interval), 100, 10 * MIN,
	  "15s",
	  "How often an idle stream looks for changes even without a wake-up, "
	  "in case one was lost: in the shared tail of the change log, or in "
	  "the store while a writer that died between its commit and its "
	  "wake-up may have left the tail behind." },
	{ "heartbeat", CONF_DURATION, OFF(heartbeat), 1 * SEC, 10 * MIN, "15s",
	  "Interval of the comment line an idle stream sends, so that proxies "
	  "keep it open and a vanished client is noticed." },
	{ "retry", CONF_DURATION, OFF(retry), 0, 10 * MIN, "3s",
	  "Reconnection delay sent to browsers in the retry: field." },
	{ "stream_lifetime", CONF_DURATION, OFF(stream_lifetime), 2 * SEC,
	  7 * DAY, "55m",
	  "A stream ends itself cleanly after about this long and the browser "
	  "resumes it. Keep it under the web server's request time limit "
	  "(mod_fcgid FcgidBusyTimeout) and under a token's one-hour life." },
	{ "stream_jitter", CONF_DURATION, OFF(stream_jitter), 0, 1 * DAY, "3m",
	  "Each stream's lifetime is shortened by a random amount up to this, "
	  "so that streams opened together do not all end together." },
	{ "max_user_streams", CONF_INT, OFF(max_user_streams), 1, 100000, "12",
	  "How many streams one user may hold open at once, across every "
	  "stream responder; one more waits up to 2 s for a slot (a page "
	  "that closes a stream and opens another at once) and is then "
	  "answered HTTP 429 with Retry-After. "
	  "The pool of stream processes is shared by every user: this keeps "
	  "one user from holding all of it. A browser tab holds one to three." },

	{ "max_queued_jobs", CONF_INT, OFF(max_queued_jobs), 1, 100000, "20",
	  "How many queued jobs one user may have; a submission past it gets "
	  "HTTP 429." },
	{ "cors_origins", CONF_STRING, OFF(cors_origins), 0, 0, "",
	  "Space-separated origins (scheme://host[:port]) allowed to call the "
	  "REST API from a browser page on another host." },

	{ "engine_workers", CONF_INT, OFF(engine_workers), 1, 64, "1",
	  "Jobs one engine run executes in parallel." },
	{ "engine_cycle", CONF_DURATION, OFF(engine_cycle), 0, 1 * DAY, "55s",
	  "How long an engine run keeps watching for new jobs; with cron "
	  "starting it every minute, a little under a minute." },
	{ "engine_poll", CONF_DURATION, OFF(engine_poll), 100, 1 * HOUR,
	  "2s",
	  "How often an idle engine run looks at the queue, and for jobs of "
	  "dead engines, even without a wake-up: a submission wakes it at "
	  "once, so this only bounds the delay when a wake-up is lost." },
	{ "engine_crash_retries", CONF_INT, OFF(engine_crash_retries), 0, 10,
	  "2",
	  "How many times a job whose engine process died is run again before "
	  "it fails with \"engine crashed\"." },

	{ "engine_bar_rate", CONF_INT, OFF(engine_bar_rate), 0, 1000000000,
	  "0",
	  "Bars per second at most a job is run at; 0 runs at full speed. "
	  "For demonstrations, where a year of minute bars would otherwise "
	  "finish in milliseconds." },

	{ "repl_site", CONF_ADDRESSES, OFF(repl_site), 0, 1, "",
	  "This node's address in a replication group, as host:port: the "
	  "address and TCP port backstream-repd listens on for the other "
	  "nodes. Empty (the default) runs a single host, without "
	  "replication. The same file serves every node but for this key: "
	  "which node is the master is decided by the group, never here." },
	{ "repl_peers", CONF_ADDRESSES, OFF(repl_peers), 0, 0, "",
	  "The other nodes of the group, as space-separated host:port "
	  "addresses. A node joining a running group needs only one that "
	  "is up." },
	{ "repl_priority", CONF_INT, OFF(repl_priority), 0, 1000, "100",
	  "Weight of this node in an election of a new master; the node "
	  "with the highest priority among the most up-to-date wins. 0: "
	  "this node never becomes master (a web node only)." },

	{ "log_level", CONF_LEVEL, OFF(log_level), 0, 0, "info",
	  "error, warn, info or debug." },
	{ "log_file", CONF_STRING, OFF(log_file), 0, 0, "",
	  "File to append log lines to; empty means standard error, which web "
	  "servers put in their error log." },
};
#define NKEYS	(sizeof conf_keys / sizeof conf_keys[0])

const char *
conf_default_path(void)
{
	/* Made once: the place of the program does not change. */
	static char	*path;

	if (path == NULL)
		path = reloc_path(SYSCONFDIR "/backstream.conf");
	return path;
}

const char *
conf_path(const char *arg)
{
	const char	*env;

	if (arg != NULL)
		return arg;
	env = getenv("BACKSTREAM_CONF");
	if (env != NULL && *env != '\0')
		return env;
	return conf_default_path();
}

int
conf_address_next(const char **p, char *host, size_t hostlen,
    unsigned *port, const char **why)
{
	const char	*s, *colon, *h;
	char		 num[8];
	size_t		 len, hlen;
	int64_t		 v;

	s = *p + strspn(*p, " \t");
	if (*s == '\0')
		return 0;
	len = strcspn(s, " \t");
	*p = s + len;
	for (colon = s + len; colon > s && colon[-1] != ':'; colon--)
		continue;
	if (colon == s) {
		*why = "is not host:port";
		return -1;
	}
	h = s;
	hlen = (size_t)(colon - 1 - s);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= hostlen) {
		*why = hlen == 0 ? "has no host" : "has too long a host";
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if ((size_t)(s + len - colon) >= sizeof num) {
		*why = "has a port out of 1..65535";
		return -1;
	}
	memcpy(num, colon, (size_t)(s + len - colon));
	num[s + len - colon] = '\0';
	if (strnum_int(num, 1, 65535, &v, why) == -1) {
		*why = "has a port out of 1..65535";
		return -1;
	}
	*port = (unsigned)v;
	return 1;
}

/* Checks a list of addresses for key k; 0, or -1 with a reason in err. */
static int
check_addresses(const struct conf_key *k, const char *value, char *err,
    size_t errlen)
{
	const char	*p = value, *start, *why;
	char		 host[256];
	unsigned	 port;
	int64_t		 n = 0;
	int		 r;

	for (;;) {
		start = p + strspn(p, " \t");
		if ((r = conf_address_next(&p, host, sizeof host, &port,
		    &why)) == 0)
			return 0;
		if (r == -1) {
			snprintf(err, errlen, "%s: \"%.*s\" %s", k->name,
			    (int)(p - start), start, why);
			return -1;
		}
		if (k->max > 0 && ++n > k->max) {
			snprintf(err, errlen, "%s: at most %lld address%s",
			    k->name, (long long)k->max, k->max == 1 ? "" :
			    "es");
			return -1;
		}
	}
}

/* Parses value for key into cfg; returns 0 or -1 with reason in err. */
static int
set_value(struct conf *cfg, const struct conf_key *k, const char *value,
    char *err, size_t errlen)
{
	char		*base = (char *)cfg + k->offset;
	const char	*why;
	int64_t		 v;
	int		 r;

	if (k->type == CONF_ADDRESSES &&
	    check_addresses(k, value, err, errlen) == -1)
		return -1;
	switch (k->type) {
	case CONF_ADDRESSES:
	case CONF_STRING:
		free(*(char **)base);
		*(char **)base = xstrdup(value);
		return 0;
	case CONF_LEVEL:
		if (log_level_parse(value, (enum log_level *)base) == -1) {
			snprintf(err, errlen, "%s: must be error, warn, info or "
			    "debug", k->name);
			return -1;
		}
		return 0;
	case CONF_INT:
		r = strnum_int(value, k->min, k->max, &v, &why);
		break;
	case CONF_DURATION:
		r = strnum_duration(value, k->min, k->max, &v, &why);
		break;
	case CONF_SIZE:
		r = strnum_size(value, k->min, k->max, &v, &why);
		break;
	default:
		abort();
	}
	if (r == -1) {
		snprintf(err, errlen, "%s: \"%s\" %s", k->name, value, why);
		return -1;
	}
	*(int64_t *)base = v;
	return 0;
}

void
conf_defaults(struct conf *cfg)
{
	char	err[256], *def;
	size_t	i;

	memset(cfg, 0, sizeof *cfg);
	for (i = 0; i < NKEYS; i++) {
		/* Default paths follow a relocated installation. */
		def = reloc_path(conf_keys[i].def);
		if (set_value(cfg, &conf_keys[i], def, err, sizeof err) == -1)
			abort();	/* a wrong default is a programming error */
		free(def);
	}
}

void
conf_free(struct conf *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		if (conf_keys[i].type == CONF_STRING ||
		    conf_keys[i].type == CONF_ADDRESSES) {
			free(*(char **)((char *)cfg + conf_keys[i].offset));
			*(char **)((char *)cfg + conf_keys[i].offset) = NULL;
		}
	}
	free(cfg->path);
	cfg->path = NULL;
}

static const struct conf_key *
find_key(const char *name)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Checks that hold between keys, once the whole file is read. */
static int
check_relations(const struct conf *cfg, const char *path, char *err,
    size_t errlen)
{
	if (cfg->stream_jitter >= cfg->stream_lifetime) {
		snprintf(err, errlen, "%s: stream_jitter must be shorter than "
		    "stream_lifetime", path);
		return -1;
	}
	if (cfg->heartbeat >= cfg->stream_lifetime - cfg->stream_jitter) {
		snprintf(err, errlen, "%s: heartbeat must be shorter than "
		    "stream_lifetime minus stream_jitter", path);
		return -1;
	}
	return 0;
}

int
conf_parse(struct conf *cfg, const char *path, const char *text, size_t len,
    char *err, size_t errlen)
{
	const struct conf_key	*k;
	unsigned		 seen[NKEYS];
	char			 line[4096], why[512], *key, *value, *eq, *hash;
	const char		*p, *end, *nl;
	size_t			 n;
	unsigned		 lineno;

	memset(seen, 0, sizeof seen);
	p = text;
	end = text + len;
	for (lineno = 1; p < end; lineno++, p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n >= sizeof line) {
			snprintf(err, errlen, "%s:%u: line too long", path,
			    lineno);
			return -1;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (strlen(line) != n) {
			snprintf(err, errlen, "%s:%u: NUL byte in line", path,
			    lineno);
			return -1;
		}
		/* A # at the start or after a blank begins a comment. */
		for (hash = line; (hash = strchr(hash, '#')) != NULL; hash++) {
			if (hash == line || hash[-1] == ' ' ||
			    hash[-1] == '\t') {
				*hash = '\0';
				break;
			}
		}
		key = trim(line);
		if (*key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(err, errlen, "%s:%u: expected \"key = value\"",
			    path, lineno);
			return -1;
		}
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		if ((k = find_key(key)) == NULL) {
			snprintf(err, errlen, "%s:%u: unknown key \"%.64s\"",
			    path, lineno, key);
			return -1;
		}
		if (seen[k - conf_keys] != 0) {
			snprintf(err, errlen, "%s:%u: %s is already set on line "
			    "%u", path, lineno, k->name, seen[k - conf_keys]);
			return -1;
		}
		seen[k - conf_keys] = lineno;
		if (set_value(cfg, k, value, why, sizeof why) == -1) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			return -1;
		}
	}
	return check_relations(cfg, path, err, errlen);
}

int
conf_load(struct conf *cfg, const char *path, char *err, size_t errlen)
{
	struct buf	 text = BUF_INIT;
	char		 chunk[4096];
	FILE		*f;
	size_t		 n;
	int		 r;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&text, chunk, n);
		if (text.len > 1024 * 1024) {
			snprintf(err, errlen, "%s: file too large", path);
			fclose(f);
			buf_free(&text);
			return -1;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		buf_free(&text);
		return -1;
	}
	fclose(f);
	free(cfg->path);
	cfg->path = xstrdup(path);
	r = conf_parse(cfg, path, text.data == NULL ? "" : text.data, text.len,
	    err, errlen);
	buf_free(&text);
	return r;
}

int
conf_read(struct conf *cfg, const char *arg, char *err, size_t errlen)
{
	conf_defaults(cfg);
	return conf_load(cfg, conf_path(arg), err, errlen);
}

static const char *
type_name(enum conf_type type)
{
	switch (type) {
	case CONF_STRING:
		return "text";
	case CONF_INT:
		return "number";
	case CONF_DURATION:
		return "duration";
	case CONF_SIZE:
		return "size";
	case CONF_LEVEL:
		return "level";
	case CONF_ADDRESSES:
		return "host:port";
	}
	return "";
}

/* Wraps help text at about 72 columns behind a prefix, one emit per line. */
static void
emit_wrapped(const char *prefix, const char *text,
    void (*emit)(const char *, void *), void *arg)
{
	struct buf	 line = BUF_INIT;
	const char	*p, *sp;

	p = text;
	while (*p != '\0') {
		buf_reset(&line);
		buf_adds(&line, prefix);
		while (*p != '\0') {
			sp = strchr(p, ' ');
			if (sp == NULL)
				sp = p + strlen(p);
			if (line.len > strlen(prefix) &&
			    line.len + (size_t)(sp - p) > 72)
				break;
			buf_add(&line, p, (size_t)(sp - p));
			p = *sp == ' ' ? sp + 1 : sp;
			if (*p != '\0')
				buf_addc(&line, ' ');
		}
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.len--;
		emit(buf_str(&line), arg);
	}
	buf_free(&line);
}

void
conf_write_docs(const char *format, void (*emit)(const char *, void *),
    void *arg)
{
	struct buf	 line = BUF_INIT;
	size_t		 i;

	for (i = 0; i < NKEYS; i++) {
		const struct conf_key *k = &conf_keys[i];

		buf_reset(&line);
		if (strcmp(format, "man") == 0) {
			emit(".TP", arg);
			buf_printf(&line, "\\fB%s\\fR = \\fI%s\\fR "
			    "(default: %s)", k->name, type_name(k->type),
			    *k->def == '\0' ? "empty" : k->def);
			emit(buf_str(&line), arg);
			emit_wrapped("", k->help, emit, arg);
		} else {
			emit_wrapped("# ", k->help, emit, arg);
			buf_printf(&line, "#%s = %s", k->name, k->def);
			emit(buf_str(&line), arg);
			emit("", arg);
		}
	}
	buf_free(&line);
}
