/* cmd-selftest.c: "backstream selftest": checks a deployed site's streams end to end, as a browser sees them. */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "mstime.h"

/*
 * The most common deployment failure is a layer that buffers the response
 * (mod_fcgid's 64 KiB, lighttpd's default, a proxy): events then arrive
 * only when the response ends.  A stream is opened through the site with
 * curl (which speaks HTTPS, and takes the token on stdin, out of sight of
 * ps), and what arrives is timed line by line.
 */

extern char **environ;

/* Where the token comes from unless --token-file names a file. */
#define SELFTEST_TOKEN_ENV	"BACKSTREAM_TOKEN"
/* The longest token taken, as the servers take them (AUTH_TOKEN_MAX). */
#define SELFTEST_TOKEN_MAX	8192
/* A site's base URL, and a stream's URL with a path, query and token. */
#define BASE_URL_MAX		2048
#define STREAM_URL_MAX		(BASE_URL_MAX + 64 + SELFTEST_TOKEN_MAX)

/* One HTTP response being read from curl -i -N. */
struct probe {
	pid_t		 pid;
	int		 fd;
	struct buf	 in;		/* unconsumed bytes */
	int		 status;	/* HTTP status, 0 until read */
	int		 in_body;
	int		 eof;
	char		 content_type[128];
	int		 no_cache;
	char		 last_id[128];
	int		 events;
	int		 beats;
};

/* Writes curl's config (URL and headers) on its stdin: nothing on argv. */
static int
start_probe(struct probe *p, const char *url, const char *auth,
    const char *last_id)
{
	posix_spawn_file_actions_t	 fa;
	char				*argv[] = { "curl", "-q", "-sS", "-N", "-i",
					    "-K", "-", NULL };
	struct buf			 cfg = BUF_INIT;
	int				 in[2], out[2], r;

	memset(p, 0, sizeof *p);
	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	r = posix_spawnp(&p->pid, "curl", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (r != 0) {
		close(in[1]);
		close(out[0]);
		errno = r;
		return -1;
	}
	buf_printf(&cfg, "url = \"%s\"\n", url);
	buf_printf(&cfg, "header = \"Accept: text/event-stream\"\n");
	if (auth != NULL)
		buf_printf(&cfg, "header = \"Authorization: Bearer %s\"\n",
		    auth);
	if (last_id != NULL)
		buf_printf(&cfg, "header = \"Last-Event-ID: %s\"\n", last_id);
	(void)!write(in[1], cfg.data, cfg.len);
	close(in[1]);
	buf_free(&cfg);
	p->fd = out[0];
	return 0;
}

static void
stop_probe(struct probe *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		while (waitpid(p->pid, NULL, 0) == -1 && errno == EINTR)
			;
		p->pid = 0;
	}
	if (p->fd > 0)
		close(p->fd);
	p->fd = -1;
	buf_free(&p->in);
}

/* Takes one line from p->in into line (NUL-terminated); 0 if none whole. */
static int
take_line(struct probe *p, char *line, size_t len)
{
	char	*nl;
	size_t	 n;

	if (p->in.len == 0 || (nl = memchr(p->in.data, '\n', p->in.len)) ==
	    NULL)
		return 0;
	n = (size_t)(nl - p->in.data);
	snprintf(line, len, "%.*s", (int)n, p->in.data);
	line[strcspn(line, "\r")] = '\0';
	memmove(p->in.data, nl + 1, p->in.len - n - 1);
	p->in.len -= n + 1;
	return 1;
}

static void
header_line(struct probe *p, const char *line)
{
	if (strncmp(line, "HTTP/", 5) == 0) {
		const char *sp = strchr(line, ' ');

		p->status = sp != NULL ? atoi(sp + 1) : 0;
		/* curl shows "100 Continue" and proxies' own heads first. */
		p->content_type[0] = '\0';
		p->no_cache = 0;
	} else if (strncasecmp(line, "Content-Type:", 13) == 0)
		snprintf(p->content_type, sizeof p->content_type, "%s",
		    line + 13 + strspn(line + 13, " "));
	else if (strncasecmp(line, "Cache-Control:", 14) == 0)
		p->no_cache = strstr(line, "no-cache") != NULL;
	else if (line[0] == '\0' && p->status >= 200)
		p->in_body = 1;
}

/*
 * Reads until want(p) holds, the response ends, or deadline (monotonic
 * ms).  Returns 1 if want held.
 */
static int
read_until(struct probe *p, int (*want)(const struct probe *), int64_t deadline)
{
	struct pollfd	pfd;
	char		line[4096];
	ssize_t		n;
	int		r;

	for (;;) {
		while (take_line(p, line, sizeof line)) {
			if (!p->in_body)
				header_line(p, line);
			else if (line[0] == ':')
				p->beats++;
			else if (strncmp(line, "id:", 3) == 0)
				snprintf(p->last_id, sizeof p->last_id, "%s",
				    line + 3 + strspn(line + 3, " "));
			else if (strncmp(line, "event:", 6) == 0)
				p->events++;
		}
		if (want(p))
			return 1;
		if (p->eof)
			return 0;
		pfd.fd = p->fd;
		pfd.events = POLLIN;
		if ((r = poll(&pfd, 1, (int)(deadline - mono_ms()))) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return 0;
		}
		n = read(p->fd, buf_reserve(&p->in, 4096), 4096);
		if (n <= 0)
			p->eof = 1;
		else
			p->in.len += (size_t)n;
	}
}

static int
have_event(const struct probe *p)
{
	return p->events > 0 || (p->in_body && p->status != 200);
}

static int
have_two_beats(const struct probe *p)
{
	return p->beats >= 2;
}

static int
ended(const struct probe *p)
{
	(void)p;
	return 0;
}

static int	failures;

static void
report(int ok, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report(int ok, const char *check, const char *fmt, ...)
{
	va_list	ap;

	printf("%-6s %-22s ", ok ? "ok" : "FAIL", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	failures += !ok;
}

/*
 * Opens the jobs stream and checks it starts, unbuffered, with its
 * headers.  A buffered response shows only as no event within wait_s: the
 * caller's bound, so that a slow site is not taken for a buffering one.
 */
static int
check_stream(struct probe *p, const char *url, const char *token,
    int64_t wait_s)
{
	char	full[STREAM_URL_MAX];
	int64_t	t0, t;

	snprintf(full, sizeof full, "%s/api/sse/backtest/jobs?limit=1&token=%s",
	    url, token);
	if (start_probe(p, full, NULL, NULL) == -1) {
		report(0, "curl", "cannot run curl: %s", strerror(errno));
		return -1;
	}
	t0 = mono_ms();
	if (!read_until(p, have_event, t0 + wait_s * 1000)) {
		report(0, "events unbuffered", p->eof ? "the response ended "
		    "before any event arrived" : "no event within %lld s: a "
		    "layer buffers the response (mod_fcgid: FcgidOutputBuffer"
		    "Size 0; lighttpd: server.stream-response-body = 2; nginx: "
		    "fastcgi_buffering off)", (long long)wait_s);
		return -1;
	}
	t = mono_ms() - t0;
	/*
	 * A buffered response arrives whole, with its end: a live stream
	 * does not end within moments of its first event.
	 */
	read_until(p, ended, mono_ms() + 300);
	if (p->status == 200 && p->eof) {
		report(0, "events unbuffered", "the events arrived only when "
		    "the response ended: a layer buffers the response "
		    "(mod_fcgid: FcgidOutputBufferSize 0; lighttpd: server."
		    "stream-response-body = 2; nginx: fastcgi_buffering off)");
		return -1;
	}
	if (p->status != 200) {
		report(0, "stream opens", "HTTP %d (401: the token is refused; "
		    "404: /api/sse/ is not routed to backstream-sse)",
		    p->status);
		return -1;
	}
	report(1, "stream opens", "first event after %lld ms", (long long)t);
	report(1, "events unbuffered", "the response is still open");
	report(strncmp(p->content_type, "text/event-stream", 17) == 0,
	    "content type", "%s", p->content_type[0] ? p->content_type :
	    "(none)");
	report(p->no_cache, "cache-control", p->no_cache ? "no-cache" :
	    "no-cache missing: a proxy may cache or hold the stream");
	return 0;
}

static void
check_heartbeats(struct probe *p, int64_t wait_s)
{
	int64_t	t0 = mono_ms();

	/* The first comes a second after the opening events, then each beat. */
	if (read_until(p, have_two_beats, t0 + wait_s * 1000))
		report(1, "heartbeats", "two heartbeats in %lld s",
		    (long long)((mono_ms() - t0) / 1000));
	else
		report(0, "heartbeats", p->eof ? "the stream ended after %d" :
		    "only %d heartbeat(s) in %lld s: small writes are held "
		    "back, or the heartbeat is longer than --wait", p->beats,
		    (long long)wait_s);
}

static void
check_authorization(const char *url, const char *token, int64_t wait_s)
{
	struct probe	p;
	char		full[4096];

	snprintf(full, sizeof full, "%s/api/sse/backtest/jobs?limit=1", url);
	if (start_probe(&p, full, token, NULL) == -1)
		return;
	if (!read_until(&p, have_event, mono_ms() + wait_s * 1000))
		report(0, "authorization header", "no answer within %lld s",
		    (long long)wait_s);
	else if (p.status == 401)
		report(0, "authorization header", "401: the web server drops "
		    "the Authorization header (Apache: CGIPassAuth On or "
		    "FcgidPassHeader Authorization)");
	else
		report(p.status == 200, "authorization header", "HTTP %d",
		    p.status);
	stop_probe(&p);
}

static void
check_rotation(struct probe *p, const char *url, const char *token,
    int64_t rotation_s, int64_t wait_s)
{
	struct probe	again;
	char		full[STREAM_URL_MAX], last[128];
	int64_t		t0 = mono_ms();

	read_until(p, ended, t0 + rotation_s * 1000);
	if (!p->eof) {
		report(0, "rotation", "the stream did not end itself within "
		    "%lld s (stream_lifetime)", (long long)rotation_s);
		return;
	}
	snprintf(last, sizeof last, "%s", p->last_id);
	snprintf(full, sizeof full, "%s/api/sse/backtest/jobs?limit=1&token=%s",
	    url, token);
	if (start_probe(&again, full, NULL, last) == -1)
		return;
	if (read_until(&again, have_event, mono_ms() + wait_s * 1000) &&
	    again.status == 200)
		report(1, "rotation", "ended after %lld s; resumed from id %s",
		    (long long)((mono_ms() - t0) / 1000), last);
	else
		report(0, "rotation", "resuming from id %s gave HTTP %d", last,
		    again.status);
	stop_probe(&again);
}

static int
run_selftest(struct cli *c)
{
	struct probe	 p;
	const char	*url = c->args[0];
	char		 base[BASE_URL_MAX], token[SELFTEST_TOKEN_MAX + 2];
	int64_t		 wait_s, rotation_s;

	/* The old form "selftest URL TOKEN" showed the token to ps. */
	if (c->nargs > 1)
		return cli_usage(c, "a token on the command line is visible to "
		    "every local user; set $%s or give --token-file FILE "
		    "(- for standard input) instead", SELFTEST_TOKEN_ENV);
	if (cli_opt_int(c, "wait", 1, 3600, 40, &wait_s) != 0 ||
	    cli_opt_int(c, "rotation", 0, 86400, 0, &rotation_s) != 0 ||
	    cli_read_secret(c, "token-file", SELFTEST_TOKEN_ENV, token,
	    sizeof token) != 0)
		return CLI_USAGE;
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return cli_usage(c, "URL must start with http:// or https://");
	snprintf(base, sizeof base, "%s", url);
	while (base[0] != '\0' && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	signal(SIGPIPE, SIG_IGN);
	failures = 0;
	if (check_stream(&p, base, token, wait_s) == 0) {
		check_heartbeats(&p, wait_s);
		check_authorization(base, token, wait_s);
		if (rotation_s > 0)
			check_rotation(&p, base, token, rotation_s, wait_s);
	}
	stop_probe(&p);
	explicit_bzero(token, sizeof token);
	return failures == 0 ? CLI_OK : CLI_FAILED;
}

static const struct cli_option selftest_options[] = {
	{ "token-file", "FILE", "read the token from FILE (- for standard "
	    "input) instead of $" SELFTEST_TOKEN_ENV },
	{ "wait", "SECONDS", "how long to wait for each answer, and for two "
	    "heartbeats (40)" },
	{ "rotation", "SECONDS", "also wait this long for the stream to end "
	    "itself, and resume it" },
	{ NULL, NULL, NULL },
};

const struct cli_command cli_cmd_selftest = {
	.name = "selftest",
	.run = run_selftest,
	.usage = "URL [--token-file FILE] [--wait S] [--rotation S]",
	.min_args = 1,
	.max_args = 2,	/* the second only to refuse it by name */
	.options = selftest_options,
	.help = "Check a deployed site's streams end to end",
};
