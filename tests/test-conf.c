/* test-conf.c: unit tests of lib/conf.c, the backstream.conf reader. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "test.h"

/* The configuration's keys, each documented once in both forms. */
#define KEYS	30

#define SEC	1000LL
#define MIN	(60 * SEC)

static int
ends_with(const char *s, const char *suffix)
{
	size_t	n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Parses text (a C string) over the defaults as file "t.conf". */
static int
parse(struct conf *cfg, const char *text, char *err, size_t errlen)
{
	conf_defaults(cfg);
	err[0] = '\0';
	return conf_parse(cfg, "t.conf", text, strlen(text), err, errlen);
}

/* Expects text to fail with exactly the message want. */
static void
check_error_at(int line, const char *text, size_t len, const char *want)
{
	struct conf	cfg;
	char		err[512];

	conf_defaults(&cfg);
	err[0] = '\0';
	if (conf_parse(&cfg, "t.conf", text, len, err, sizeof err) != -1)
		TEST_FAIL("(from line %d) accepted: \"%.60s\"", line, text);
	else if (strcmp(err, want) != 0)
		TEST_FAIL("(from line %d) \"%s\" != \"%s\"", line, err,
		    want);
	conf_free(&cfg);
}

#define CHECK_ERROR(text, want)						\
	check_error_at(__LINE__, text, strlen(text), want)

static void
test_defaults(void)
{
	struct conf	cfg;
	char		err[512];

	conf_defaults(&cfg);
	CHECK(cfg.path == NULL);
	CHECK(ends_with(cfg.store_dir, "/lib/backstream"));
	CHECK_INT(cfg.cache_size, 32 * 1024 * 1024);
	CHECK_INT(cfg.max_processes, 2100);
	CHECK_INT(cfg.lock_timeout, 2 * SEC);
	CHECK_INT(cfg.stall_timeout, 30 * SEC);
	/* 0: twice the cores, counted where the store is opened. */
	CHECK_INT(cfg.store_readers, 0);
	CHECK_INT(cfg.changelog_retention, 24 * 60 * MIN);
	CHECK_STR(cfg.project_id, "");
	CHECK(ends_with(cfg.cert_file, "/lib/backstream/certs.json"));
	CHECK_INT(cfg.token_leeway, 30 * SEC);
	/* An expired token gets no grace unless an operator asks for it. */
	CHECK_INT(cfg.token_expiry_leeway, 0);
	CHECK(ends_with(cfg.verify_helper, "/backstream-verify"));
	CHECK_INT(cfg.poll_interval, 15 * SEC);
	CHECK_INT(cfg.heartbeat, 15 * SEC);
	CHECK_INT(cfg.retry, 3 * SEC);
	CHECK_INT(cfg.stream_lifetime, 55 * MIN);
	CHECK_INT(cfg.stream_jitter, 3 * MIN);
	CHECK_INT(cfg.max_queued_jobs, 20);
	CHECK_STR(cfg.cors_origins, "");
	CHECK_INT(cfg.engine_workers, 1);
	CHECK_INT(cfg.engine_cycle, 55 * SEC);
	CHECK_INT(cfg.engine_poll, 2 * SEC);
	CHECK_INT(cfg.engine_crash_retries, 2);
	CHECK_INT(cfg.log_level, LOG_LEVEL_INFO);
	CHECK_STR(cfg.log_file, "");
	conf_free(&cfg);
	CHECK(cfg.store_dir == NULL);
	CHECK(cfg.log_file == NULL);
	conf_free(&cfg);	/* twice is harmless */
	conf_free(NULL);

	/* An empty file keeps every default. */
	conf_defaults(&cfg);
	CHECK_INT(conf_parse(&cfg, "t.conf", "", 0, err, sizeof err), 0);
	CHECK_INT(cfg.heartbeat, 15 * SEC);
	conf_free(&cfg);
}

static void
test_every_type(void)
{
	struct conf	cfg;
	char		err[512];

	CHECK_INT(parse(&cfg,
	    "store_dir = /srv/backstream/db\n"
	    "cache_size = 64M\n"
	    "max_processes = 500\n"
	    "lock_timeout = 500ms\n"
	    "heartbeat = 20s\n"
	    "changelog_retention = 2h\n"
	    "stream_lifetime = 1d\n"
	    "engine_cycle = 0\n"
	    "engine_poll = 10m\n"
	    "log_level = debug\n"
	    "cors_origins = https://a.example https://b.example:8443\n",
	    err, sizeof err), 0);
	CHECK_STR(err, "");
	CHECK_STR(cfg.store_dir, "/srv/backstream/db");
	CHECK_INT(cfg.cache_size, 64 * 1024 * 1024);
	CHECK_INT(cfg.max_processes, 500);
	CHECK_INT(cfg.lock_timeout, 500);
	CHECK_INT(cfg.heartbeat, 20 * SEC);
	CHECK_INT(cfg.changelog_retention, 120 * MIN);
	CHECK_INT(cfg.stream_lifetime, 24 * 60 * MIN);
	CHECK_INT(cfg.engine_cycle, 0);
	CHECK_INT(cfg.engine_poll, 10 * MIN);
	CHECK_INT(cfg.log_level, LOG_LEVEL_DEBUG);
	CHECK_STR(cfg.cors_origins, "https://a.example https://b.example:8443");
	/* Untouched keys keep their defaults. */
	CHECK_INT(cfg.retry, 3 * SEC);
	conf_free(&cfg);

	/* Units: a duration without one is seconds, a size without one bytes. */
	CHECK_INT(parse(&cfg, "retry = 7\ncache_size = 2097152\n"
	    "token_leeway = 1m\ntoken_expiry_leeway = 5\nlog_level = error\n",
	    err, sizeof err), 0);
	CHECK_INT(cfg.retry, 7 * SEC);
	CHECK_INT(cfg.cache_size, 2 * 1024 * 1024);
	CHECK_INT(cfg.token_leeway, MIN);
	CHECK_INT(cfg.token_expiry_leeway, 5 * SEC);
	CHECK_INT(cfg.log_level, LOG_LEVEL_ERROR);
	conf_free(&cfg);
	CHECK_INT(parse(&cfg, "cache_size = 1G\nlog_level = warn\n", err,
	    sizeof err), 0);
	CHECK_INT(cfg.cache_size, 1024 * 1024 * 1024);
	CHECK_INT(cfg.log_level, LOG_LEVEL_WARN);
	conf_free(&cfg);

	/* Bounds, inclusive at both ends. */
	CHECK_INT(parse(&cfg, "max_processes = 16\ncache_size = 1M\n"
	    "engine_crash_retries = 10\nengine_workers = 64\n"
	    "cache_size_x = 1\n", err, sizeof err), -1);
	CHECK_STR(err, "t.conf:5: unknown key \"cache_size_x\"");
	conf_free(&cfg);
	CHECK_INT(parse(&cfg, "max_processes = 16\ncache_size = 1M\n"
	    "engine_crash_retries = 10\nengine_workers = 64\n"
	    "lock_timeout = 10ms\n", err, sizeof err), 0);
	CHECK_INT(cfg.max_processes, 16);
	CHECK_INT(cfg.engine_workers, 64);
	CHECK_INT(cfg.lock_timeout, 10);
	conf_free(&cfg);

	/* Values keep inner blanks and a # not preceded by one. */
	CHECK_INT(parse(&cfg, "project_id = my#project\n"
	    "log_file = /var/log/back stream.log\t \n", err, sizeof err), 0);
	CHECK_STR(cfg.project_id, "my#project");
	CHECK_STR(cfg.log_file, "/var/log/back stream.log");
	conf_free(&cfg);

	/* An empty value is an empty string, and can replace a default. */
	CHECK_INT(parse(&cfg, "store_dir =\nproject_id=x\n", err, sizeof err),
	    0);
	CHECK_STR(cfg.store_dir, "");
	CHECK_STR(cfg.project_id, "x");
	conf_free(&cfg);
}

static void
test_comments_and_layout(void)
{
	struct conf	cfg;
	char		err[512];

	CHECK_INT(parse(&cfg,
	    "# backstream.conf\n"
	    "\n"
	    "   # indented comment\n"
	    "\t\n"
	    "heartbeat = 20s # after a blank\n"
	    "retry = 4s\t# after a tab\n"
	    "  project_id\t=\tproj  \n"
	    "#heartbeat = 99s\n"
	    "log_level = debug\r\n"
	    "\r\n"
	    "engine_workers = 3", err, sizeof err), 0);
	CHECK_STR(err, "");
	CHECK_INT(cfg.heartbeat, 20 * SEC);
	CHECK_INT(cfg.retry, 4 * SEC);
	CHECK_STR(cfg.project_id, "proj");
	CHECK_INT(cfg.log_level, LOG_LEVEL_DEBUG);
	CHECK_INT(cfg.engine_workers, 3);	/* no final newline */
	conf_free(&cfg);

	/* A # glued to the value is part of it; for a number, that is wrong. */
	CHECK_ERROR("heartbeat = 20s#comment\n",
	    "t.conf:1: heartbeat: \"20s#comment\" has an unknown unit "
	    "(use ms, s, m, h or d)");
}

static void
test_errors(void)
{
	char	text[6000];

	CHECK_ERROR("# ok\nheartbeat = 20s\nbogus = 1\n",
	    "t.conf:3: unknown key \"bogus\"");
	CHECK_ERROR("Heartbeat = 20s\n", "t.conf:1: unknown key \"Heartbeat\"");
	CHECK_ERROR("= 20s\n", "t.conf:1: unknown key \"\"");
	CHECK_ERROR("heartbeat = 20s\n\n# again\nheartbeat = 30s\n",
	    "t.conf:4: heartbeat is already set on line 1");
	CHECK_ERROR("retry = 1s\nheartbeat = 20s\nheartbeat = 20s\n",
	    "t.conf:3: heartbeat is already set on line 2");
	CHECK_ERROR("\n\nheartbeat 20s\n",
	    "t.conf:3: expected \"key = value\"");
	CHECK_ERROR("heartbeat\n", "t.conf:1: expected \"key = value\"");
	CHECK_ERROR("[section]\n", "t.conf:1: expected \"key = value\"");

	/* Bad values: the key, the value as written and why. */
	CHECK_ERROR("\nheartbeat = abc\n",
	    "t.conf:2: heartbeat: \"abc\" is not a number");
	CHECK_ERROR("heartbeat =\n",
	    "t.conf:1: heartbeat: \"\" is not a number");
	CHECK_ERROR("heartbeat == 20s\n",
	    "t.conf:1: heartbeat: \"= 20s\" is not a number");
	CHECK_ERROR("heartbeat = 20 s\n",
	    "t.conf:1: heartbeat: \"20 s\" has an unknown unit "
	    "(use ms, s, m, h or d)");
	CHECK_ERROR("heartbeat = -5s\n",
	    "t.conf:1: heartbeat: \"-5s\" is not a number");
	CHECK_ERROR("heartbeat = 999ms\n",
	    "t.conf:1: heartbeat: \"999ms\" is too small");
	CHECK_ERROR("heartbeat = 11m\n",
	    "t.conf:1: heartbeat: \"11m\" is too large");
	CHECK_ERROR("max_processes = 15\n",
	    "t.conf:1: max_processes: \"15\" is too small");
	CHECK_ERROR("max_processes = 100001\n",
	    "t.conf:1: max_processes: \"100001\" is too large");
	CHECK_ERROR("max_processes = 1e3\n",
	    "t.conf:1: max_processes: \"1e3\" is not a whole number");
	CHECK_ERROR("max_processes = 99999999999999999999\n",
	    "t.conf:1: max_processes: \"99999999999999999999\" is too large");
	CHECK_ERROR("cache_size = 17G\n",
	    "t.conf:1: cache_size: \"17G\" is too large");
	CHECK_ERROR("cache_size = 1023K\n",
	    "t.conf:1: cache_size: \"1023K\" is too small");
	CHECK_ERROR("cache_size = 32MB\n",
	    "t.conf:1: cache_size: \"32MB\" has an unknown unit "
	    "(use K, M or G)");
	CHECK_ERROR("cache_size = 99999999999G\n",
	    "t.conf:1: cache_size: \"99999999999G\" is too large");
	CHECK_ERROR("log_level = verbose\n",
	    "t.conf:1: log_level: must be error, warn, info or debug");
	CHECK_ERROR("log_level = INFO\n",
	    "t.conf:1: log_level: must be error, warn, info or debug");
	CHECK_ERROR("repl_site = 10.0.0.1\n",
	    "t.conf:1: repl_site: \"10.0.0.1\" is not host:port");
	CHECK_ERROR("repl_site = 10.0.0.1:7701 10.0.0.2:7701\n",
	    "t.conf:1: repl_site: at most 1 address");
	CHECK_ERROR("repl_peers = a:1 b:0\n",
	    "t.conf:1: repl_peers: \"b:0\" has a port out of 1..65535");
	CHECK_ERROR("repl_peers = a:1 :7701\n",
	    "t.conf:1: repl_peers: \":7701\" has no host");
	CHECK_ERROR("repl_peers = []:7701\n",
	    "t.conf:1: repl_peers: \"[]:7701\" has no host");
	CHECK_ERROR("repl_peers = a:70000\n",
	    "t.conf:1: repl_peers: \"a:70000\" has a port out of 1..65535");
	CHECK_ERROR("repl_peers = a:x\n",
	    "t.conf:1: repl_peers: \"a:x\" has a port out of 1..65535");

	/* Over-long lines (test_long_line_accepted has the longest good one). */
	memset(text, ' ', sizeof text);
	memcpy(text, "retry = 1s\n#", 12);
	text[11 + 4096] = '\n';
	text[11 + 4097] = '\0';
	CHECK_ERROR(text, "t.conf:2: line too long");
	memset(text, 'x', 5000);
	text[5000] = '\0';
	CHECK_ERROR(text, "t.conf:1: line too long");

	/* NUL bytes: the file is text. */
	check_error_at(__LINE__, "retry = 1s\n# c\nheartbeat = 2\0s\n",
	    sizeof "retry = 1s\n# c\nheartbeat = 2\0s\n" - 1,
	    "t.conf:3: NUL byte in line");
	check_error_at(__LINE__, "\0", 1, "t.conf:1: NUL byte in line");
}

static void
test_long_line_accepted(void)
{
	struct conf	cfg;
	char		text[6000], err[512];

	/* A 4095-byte comment line, then a key on line 2. */
	memset(text, ' ', 4095);
	text[0] = '#';
	text[4095] = '\n';
	strcpy(text + 4096, "retry = 1s\n");
	conf_defaults(&cfg);
	CHECK_INT(conf_parse(&cfg, "t.conf", text, strlen(text), err,
	    sizeof err), 0);
	CHECK_INT(cfg.retry, SEC);
	conf_free(&cfg);
}

static void
test_relations(void)
{
	struct conf	cfg;
	char		err[512];

	CHECK_ERROR("stream_jitter = 55m\n", "t.conf: stream_jitter must be "
	    "shorter than stream_lifetime");
	CHECK_ERROR("stream_lifetime = 10s\n", "t.conf: stream_jitter must be "
	    "shorter than stream_lifetime");
	CHECK_ERROR("stream_lifetime = 1m\nstream_jitter = 30s\n"
	    "heartbeat = 30s\n", "t.conf: heartbeat must be shorter than "
	    "stream_lifetime minus stream_jitter");
	CHECK_ERROR("stream_lifetime = 15s\nstream_jitter = 0\n",
	    "t.conf: heartbeat must be shorter than stream_lifetime minus "
	    "stream_jitter");

	/* Checked once the whole file is read, so order does not matter. */
	CHECK_INT(parse(&cfg, "stream_jitter = 1h\nstream_lifetime = 2h\n",
	    err, sizeof err), 0);
	CHECK_INT(cfg.stream_jitter, 60 * MIN);
	conf_free(&cfg);
	CHECK_INT(parse(&cfg, "stream_lifetime = 1m\nstream_jitter = 30s\n"
	    "heartbeat = 29s\n", err, sizeof err), 0);
	conf_free(&cfg);
	CHECK_INT(parse(&cfg, "stream_lifetime = 16s\nstream_jitter = 0\n",
	    err, sizeof err), 0);
	conf_free(&cfg);
}

static void
test_path(void)
{
	const char	*def;

	unsetenv("BACKSTREAM_CONF");
	def = conf_path(NULL);
	CHECK(ends_with(def, "/backstream.conf"));
	CHECK_STR(conf_path("/x/y.conf"), "/x/y.conf");
	setenv("BACKSTREAM_CONF", "/from/env.conf", 1);
	CHECK_STR(conf_path(NULL), "/from/env.conf");
	CHECK_STR(conf_path("/x/y.conf"), "/x/y.conf");	/* -c wins */
	setenv("BACKSTREAM_CONF", "", 1);
	CHECK_STR(conf_path(NULL), def);
	unsetenv("BACKSTREAM_CONF");
	CHECK_STR(conf_path(NULL), def);
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE	*f;

	f = fopen(path, "w");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

static void
test_load(void)
{
	struct conf	 cfg;
	char		*dir, *path, *missing, *big, err[512], want[600];
	size_t		 i;

	dir = test_tmpdir();
	if (asprintf(&path, "%s/backstream.conf", dir) < 0 ||
	    asprintf(&missing, "%s/nope.conf", dir) < 0)
		abort();

	write_file(path, "# test\nheartbeat = 21s\nproject_id = p1\n", 38);
	conf_defaults(&cfg);
	CHECK_INT(conf_load(&cfg, path, err, sizeof err), 0);
	CHECK_STR(cfg.path, path);
	CHECK_INT(cfg.heartbeat, 21 * SEC);
	CHECK_STR(cfg.project_id, "p1");
	conf_free(&cfg);

	/* conf_read: defaults, then the file named by -c or the environment. */
	CHECK_INT(conf_read(&cfg, path, err, sizeof err), 0);
	CHECK_INT(cfg.heartbeat, 21 * SEC);
	CHECK_INT(cfg.retry, 3 * SEC);
	conf_free(&cfg);
	setenv("BACKSTREAM_CONF", path, 1);
	CHECK_INT(conf_read(&cfg, NULL, err, sizeof err), 0);
	CHECK_STR(cfg.path, path);
	CHECK_INT(cfg.heartbeat, 21 * SEC);
	conf_free(&cfg);
	unsetenv("BACKSTREAM_CONF");

	/* Errors name the file as given, and the line. */
	write_file(path, "heartbeat = 21s\nretry = soon\n", 29);
	CHECK_INT(conf_read(&cfg, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:2: retry: \"soon\" is not a number",
	    path);
	CHECK_STR(err, want);
	conf_free(&cfg);

	CHECK_INT(conf_read(&cfg, missing, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: No such file or directory", missing);
	CHECK_STR(err, want);
	conf_free(&cfg);

	/* Past a megabyte, the file is refused before it is parsed. */
	big = malloc(1024 * 1024 + 100);
	REQUIRE(big != NULL);
	for (i = 0; i < 1024 * 1024 + 100; i++)
		big[i] = i % 64 == 63 ? '\n' : '#';
	write_file(path, big, 1024 * 1024 + 100);
	free(big);
	CHECK_INT(conf_read(&cfg, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s: file too large", path);
	CHECK_STR(err, want);
	conf_free(&cfg);

	/* An empty file is fine. */
	write_file(path, "", 0);
	CHECK_INT(conf_read(&cfg, path, err, sizeof err), 0);
	conf_free(&cfg);

	test_rmtree(dir);
	free(path);
	free(missing);
	free(dir);
}

static void
collect(const char *line, void *arg)
{
	struct buf	*b = arg;

	buf_adds(b, line);
	buf_addc(b, '\n');
}

static void
test_docs_conf(void)
{
	struct buf	 docs = BUF_INIT, text = BUF_INIT;
	struct conf	 cfg, def;
	const char	*p, *nl;
	char		 err[512];
	int		 keys = 0;

	conf_write_docs("conf", collect, &docs);
	buf_str(&docs);
	CHECK(strstr(docs.data, "\n#heartbeat = 15s\n\n") != NULL);
	CHECK(strstr(docs.data, "\n#cache_size = 32M\n\n") != NULL);
	CHECK(strstr(docs.data, "\n#log_level = info\n\n") != NULL);
	CHECK(strstr(docs.data, "# Interval of the comment line an idle "
	    "stream sends, so that proxies\n# keep it open and a vanished "
	    "client is noticed.\n#heartbeat = 15s\n") != NULL);

	/*
	 * The sample file parses as it is (all comments), and with every
	 * "#key = default" line uncommented it gives exactly the defaults.
	 */
	conf_defaults(&cfg);
	CHECK_INT(conf_parse(&cfg, "sample", docs.data, docs.len, err,
	    sizeof err), 0);
	conf_free(&cfg);
	for (p = docs.data; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (p[0] == '#' && p[1] == ' ' && (size_t)(nl - p) > 72)
			TEST_FAIL("long line: %.*s", (int)(nl - p), p);
		if (p[0] == '#' && p[1] != ' ' && p[1] != '\n') {
			buf_add(&text, p + 1, (size_t)(nl - p));
			keys++;
		} else if (p[0] != '#' && p[0] != '\n')
			TEST_FAIL("not a comment: %.*s", (int)(nl - p), p);
	}
	CHECK_INT(keys, KEYS);
	memset(&cfg, 0, sizeof cfg);
	conf_defaults(&def);
	err[0] = '\0';
	CHECK_INT(conf_parse(&cfg, "sample", text.data, text.len, err,
	    sizeof err), 0);
	CHECK_STR(err, "");
	CHECK_STR(cfg.store_dir, def.store_dir);
	CHECK_STR(cfg.cert_file, def.cert_file);
	CHECK_STR(cfg.verify_helper, def.verify_helper);
	CHECK_STR(cfg.project_id, def.project_id);
	CHECK_STR(cfg.cors_origins, def.cors_origins);
	CHECK_STR(cfg.log_file, def.log_file);
	CHECK_INT(cfg.cache_size, def.cache_size);
	CHECK_INT(cfg.max_processes, def.max_processes);
	CHECK_INT(cfg.lock_timeout, def.lock_timeout);
	CHECK_INT(cfg.stall_timeout, def.stall_timeout);
	CHECK_INT(cfg.store_readers, def.store_readers);
	CHECK_INT(cfg.changelog_retention, def.changelog_retention);
	CHECK_INT(cfg.token_leeway, def.token_leeway);
	CHECK_INT(cfg.poll_interval, def.poll_interval);
	CHECK_INT(cfg.heartbeat, def.heartbeat);
	CHECK_INT(cfg.retry, def.retry);
	CHECK_INT(cfg.stream_lifetime, def.stream_lifetime);
	CHECK_INT(cfg.stream_jitter, def.stream_jitter);
	CHECK_INT(cfg.max_queued_jobs, def.max_queued_jobs);
	CHECK_INT(cfg.engine_workers, def.engine_workers);
	CHECK_INT(cfg.engine_cycle, def.engine_cycle);
	CHECK_INT(cfg.engine_poll, def.engine_poll);
	CHECK_INT(cfg.engine_crash_retries, def.engine_crash_retries);
	CHECK_INT(cfg.log_level, def.log_level);
	conf_free(&cfg);
	conf_free(&def);
	buf_free(&text);
	buf_free(&docs);
}

static void
test_docs_man(void)
{
	struct buf	 docs = BUF_INIT;
	const char	*p, *nl;
	int		 tp = 0;

	conf_write_docs("man", collect, &docs);
	buf_str(&docs);
	CHECK(strstr(docs.data, ".TP\n\\fBheartbeat\\fR = \\fIduration\\fR "
	    "(default: 15s)\nInterval of the comment line an idle stream "
	    "sends, so that proxies keep\nit open and a vanished client is "
	    "noticed.\n.TP\n") != NULL);
	CHECK(strstr(docs.data, "\\fBproject_id\\fR = \\fItext\\fR "
	    "(default: empty)\n") != NULL);
	CHECK(strstr(docs.data, "\\fBcache_size\\fR = \\fIsize\\fR "
	    "(default: 32M)\n") != NULL);
	CHECK(strstr(docs.data, "\\fBmax_processes\\fR = \\fInumber\\fR "
	    "(default: 2100)\n") != NULL);
	CHECK(strstr(docs.data, "\\fBlog_level\\fR = \\fIlevel\\fR "
	    "(default: info)\n") != NULL);
	CHECK(strncmp(docs.data, ".TP\n", 4) == 0);

	/* Help text must not turn into roff requests or escapes. */
	for (p = docs.data; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (strncmp(p, ".TP\n", 4) == 0) {
			tp++;
			continue;
		}
		if (*p == '.' || *p == '\'' || *p == '\n')
			TEST_FAIL("roff control line: %.*s", (int)(nl - p), p);
		if (strncmp(p, "\\fB", 3) != 0 &&
		    memchr(p, '\\', (size_t)(nl - p)) != NULL)
			TEST_FAIL("backslash in help: %.*s", (int)(nl - p), p);
		if ((size_t)(nl - p) > 72 && strncmp(p, "\\fB", 3) != 0)
			TEST_FAIL("long line: %.*s", (int)(nl - p), p);
	}
	CHECK_INT(tp, KEYS);
	buf_free(&docs);
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "defaults", test_defaults },
		{ "every_type", test_every_type },
		{ "comments_and_layout", test_comments_and_layout },
		{ "errors", test_errors },
		{ "long_line_accepted", test_long_line_accepted },
		{ "relations", test_relations },
		{ "path", test_path },
		{ "load", test_load },
		{ "docs_conf", test_docs_conf },
		{ "docs_man", test_docs_man },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests, 60);
}
