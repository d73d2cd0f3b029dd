/* cmd-site.c: setup-site, which writes what Apache with mod_fcgid needs to serve backstream from a customer's web directory on a shared host. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "reloc.h"
#include "xmalloc.h"

/*
 * The first line of every file setup-site writes (after the #! line of a
 * script): it may replace them.
 */
#define SITE_MARK	"# Written by backstream setup-site"

/* Where this installation (or the unpacked bundle) has its parts. */
struct site_paths {
	char	*conf;		/* the configuration, absolute */
	char	*libexec;	/* the responders */
	char	*sbin;		/* the engine and the certificate fetcher */
	char	*bin;		/* this command */
	char	*www;		/* the built dashboard; may be absent */
};

/*
 * .htaccess: everything here is allowed to a customer whose directory has
 * "AllowOverride All" (Options, FileInfo, AuthConfig); the Fcgid* settings
 * are not, and are the host's (doc/deployment.md, "Shared hosting").
 */
static const char htaccess[] =
    SITE_MARK " (backstream(1)); run it again rather than\n"
    "# editing.  Apache with mod_fcgid serves the streams (/api/sse/) and the\n"
    "# REST API (/api/backtesting/) through the two .fcgi wrappers beside this\n"
    "# file, and the dashboard (index.html).  The host must give this directory\n"
    "# AllowOverride All, mod_rewrite, mod_fcgid, and FcgidOutputBufferSize 0:\n"
    "# \"backstream selftest\" says what is missing.\n"
    "Options +ExecCGI +SymLinksIfOwnerMatch -Indexes\n"
    "AddHandler fcgid-script .fcgi\n"
    "DirectoryIndex index.html\n"
    "\n"
    "# Apache keeps the Authorization header from FastCGI programs unless\n"
    "# told to pass it: without this, \"Authorization: Bearer\" never arrives.\n"
    "CGIPassAuth On\n"
    "\n"
    "# Each prefix is one responder, which routes on the request's path.\n"
    "RewriteEngine On\n"
    "RewriteRule ^api/sse(/|$) backstream-sse.fcgi [L]\n"
    "RewriteRule ^api/backtesting(/|$) backstream-api.fcgi [L]\n"
    "\n"
    "# Compressing a stream would hold its events back.\n"
    "SetEnvIf Request_URI \"^/api/sse/\" no-gzip no-brotli\n"
    "# Marks the API's requests, whose query strings carry tokens, so that the\n"
    "# host's access log can leave them out (\"CustomLog ... env=!backstream_api\").\n"
    "SetEnvIf Request_URI \"^/api/(sse|backtesting)(/|$)\" backstream_api\n";

/*
 * Makes p->conf absolute: a wrapper runs in the web server's directory,
 * and cron in the home directory.
 */
static int
site_conf_path(struct cli *c, struct site_paths *p)
{
	char	 real[PATH_MAX];

	if (realpath(conf_path(c->conf_arg), real) == NULL)
		return cli_fail(c, CLI_UNAVAILABLE, "%s: %s",
		    conf_path(c->conf_arg), strerror(errno));
	p->conf = xstrdup(real);
	return 0;
}

static int
site_paths(struct cli *c, struct site_paths *p)
{
	char	*sse;
	int	 ok;

	memset(p, 0, sizeof *p);
	if (site_conf_path(c, p) != 0)
		return CLI_UNAVAILABLE;
	p->libexec = reloc_path(PKGLIBEXECDIR);
	p->sbin = reloc_path(SBINDIR);
	p->bin = reloc_path(BINDIR);
	p->www = reloc_path(PKGDATADIR "/www");
	xasprintf(&sse, "%s/backstream-sse", p->libexec);
	ok = access(sse, X_OK) == 0;
	free(sse);
	if (!ok)
		return cli_fail(c, CLI_FAILED, "no responders in %s: run the "
		    "backstream of an installation or of the unpacked bundle",
		    p->libexec);
	return 0;
}

static void
site_paths_free(struct site_paths *p)
{
	free(p->conf);
	free(p->libexec);
	free(p->sbin);
	free(p->bin);
	free(p->www);
}

/* Paths go into shell scripts in single quotes: refuse what would break them. */
static int
site_quotable(struct cli *c, const char *path)
{
	if (strpbrk(path, "'\n") != NULL)
		return cli_fail(c, CLI_FAILED, "%s: a path with a quote or a "
		    "newline cannot go into the wrappers", path);
	return 0;
}

/* Writes dir/name with mode through a temporary file and rename(2). */
static int
site_write(struct cli *c, const char *dir, const char *name,
    const char *data, size_t len, mode_t mode)
{
	char	*path, *tmp;
	FILE	*f;
	int	 ok;

	xasprintf(&path, "%s/%s", dir, name);
	xasprintf(&tmp, "%s/.%s.tmp", dir, name);
	ok = (f = fopen(tmp, "w")) != NULL;
	if (ok) {
		ok = fwrite(data, 1, len, f) == len;
		ok = fclose(f) == 0 && ok;
	}
	ok = ok && chmod(tmp, mode) == 0 && rename(tmp, path) == 0;
	if (!ok) {
		cli_fail(c, CLI_FAILED, "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(path);
	free(tmp);
	return ok ? 0 : CLI_FAILED;
}

/* A file setup-site did not write is the customer's: keep it unless --force. */
static int
site_may_replace(struct cli *c, const char *dir, const char *name)
{
	char	*path, line[64];
	FILE	*f;
	int	 ours;

	xasprintf(&path, "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		free(path);
		return 0;
	}
	ours = fgets(line, sizeof line, f) != NULL &&
	    (strncmp(line, "#!", 2) != 0 ||
	    fgets(line, sizeof line, f) != NULL) &&
	    strncmp(line, SITE_MARK, strlen(SITE_MARK)) == 0;
	fclose(f);
	if (!ours && cli_opt(c, "force") == NULL) {
		cli_fail(c, CLI_FAILED, "%s exists and was not written by "
		    "setup-site: move it away, or give --force", path);
		free(path);
		return CLI_FAILED;
	}
	free(path);
	return 0;
}

/* One .fcgi wrapper: the responder with this installation's configuration. */
static int
site_wrapper(struct cli *c, const struct site_paths *p, const char *dir,
    const char *program, const char *extra)
{
	struct buf	 b = BUF_INIT;
	char		*name;
	int		 r;

	xasprintf(&name, "%s.fcgi", program);
	buf_printf(&b, "#!/bin/sh\n"
	    SITE_MARK ": mod_fcgid starts %s through\n"
	    "# this file, with the configuration below (Fcgid* settings are the\n"
	    "# host's, so the environment is set here).\n"
	    "BACKSTREAM_CONF='%s'\n"
	    "export BACKSTREAM_CONF\n"
	    "%s"
	    "exec '%s/%s'\n", program, p->conf, extra, p->libexec, program);
	r = site_may_replace(c, dir, name);
	if (r == 0)
		r = site_write(c, dir, name, b.data, b.len, 0755);
	buf_free(&b);
	free(name);
	return r;
}

/* Reads the file at path into b. */
static int
site_read(struct cli *c, const char *path, struct buf *b)
{
	FILE	*f;
	size_t	 n;
	int	 ok;

	if ((f = fopen(path, "rb")) == NULL)
		return cli_fail(c, CLI_FAILED, "%s: %s", path, strerror(errno));
	do {
		n = fread(buf_reserve(b, 65536), 1, 65536, f);
		b->len += n;
	} while (n > 0);
	ok = !ferror(f);
	fclose(f);
	return ok ? 0 : cli_fail(c, CLI_FAILED, "%s: read error", path);
}

/*
 * Copies the tree src into dst (directories and regular files), leaving
 * out the hooks' test page.  Returns 0, or CLI_FAILED after saying why.
 */
static int
site_copy_tree(struct cli *c, const char *src, const char *dst)
{
	struct dirent	*e;
	struct stat	 st;
	struct buf	 text = BUF_INIT;
	char		*from, *to;
	DIR		*d;
	int		 r = 0;

	if ((d = opendir(src)) == NULL)
		return cli_fail(c, CLI_FAILED, "%s: %s", src, strerror(errno));
	if (mkdir(dst, 0755) == -1 && errno != EEXIST) {
		closedir(d);
		return cli_fail(c, CLI_FAILED, "%s: %s", dst, strerror(errno));
	}
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    strcmp(e->d_name, "test-hooks.html") == 0)
			continue;
		xasprintf(&from, "%s/%s", src, e->d_name);
		xasprintf(&to, "%s/%s", dst, e->d_name);
		if (stat(from, &st) == -1)
			r = cli_fail(c, CLI_FAILED, "%s: %s", from,
			    strerror(errno));
		else if (S_ISDIR(st.st_mode))
			r = site_copy_tree(c, from, to);
		else if (S_ISREG(st.st_mode)) {
			buf_reset(&text);
			r = site_read(c, from, &text);
			if (r == 0)
				r = site_write(c, dst, e->d_name, text.data,
				    text.len, 0644);
		}
		free(from);
		free(to);
	}
	closedir(d);
	buf_free(&text);
	return r;
}

/* What the customer does next: the store, cron, and the check. */
static void
site_next_steps(const struct site_paths *p, const char *dir, int dashboard)
{
	printf("wrote %s/.htaccess, backstream-sse.fcgi, backstream-api.fcgi%s\n",
	    dir, dashboard ? " and the dashboard (index.html, assets/)" : "");
	if (!dashboard)
		printf("no dashboard: %s is missing (this installation was made "
		    "without node); the API and streams work without it\n",
		    p->www);
	printf("\nNext:\n"
	    "1. Create the store (once):\n"
	    "     %s/backstream -c %s init\n"
	    "2. Add these lines to your crontab (crontab -e): the engine runs "
	    "queued\n   backtests, the fetcher keeps Google's token "
	    "certificates current:\n"
	    "     * * * * *   %s/backstream-engine -q -c %s\n"
	    "     17 * * * *  %s/backstream-fetch-certs -c %s\n"
	    "3. Check the site, streams included, with a token (a Firebase ID "
	    "token, or\n   one from \"backstream token\" with local keys); "
	    "it says what the host\n   must change if anything is missing "
	    "(the token from a file, never\n   the command line):\n"
	    "     %s/backstream -c %s selftest https://YOUR-SITE/ "
	    "--token-file TOKEN-FILE\n",
	    p->bin, p->conf, p->sbin, p->conf, p->sbin, p->conf, p->bin,
	    p->conf);
}

static int
run_setup_site(struct cli *c)
{
	struct site_paths	 p;
	struct stat		 st;
	const char		*dir = c->args[0];
	int			 r, dashboard;

	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return cli_fail(c, CLI_FAILED, "%s: not a directory", dir);
	if ((r = cli_load_conf(c)) != 0)
		return r;
	if ((r = site_paths(c, &p)) != 0) {
		site_paths_free(&p);
		return r;
	}
	dashboard = stat(p.www, &st) == 0 && S_ISDIR(st.st_mode) &&
	    cli_opt(c, "no-dashboard") == NULL;
	if ((r = site_quotable(c, p.conf)) == 0 &&
	    (r = site_quotable(c, p.libexec)) == 0 &&
	    (r = site_may_replace(c, dir, ".htaccess")) == 0 &&
	    (r = site_wrapper(c, &p, dir, "backstream-sse",
	    "GLIBC_TUNABLES=glibc.malloc.tcache_count=0\n"
	    "export GLIBC_TUNABLES\n")) == 0 &&
	    (r = site_wrapper(c, &p, dir, "backstream-api", "")) == 0 &&
	    (!dashboard || (r = site_copy_tree(c, p.www, dir)) == 0))
		r = site_write(c, dir, ".htaccess", htaccess,
		    sizeof htaccess - 1, 0644);
	if (r == 0)
		site_next_steps(&p, dir, dashboard);
	site_paths_free(&p);
	return r;
}

static const struct cli_option setup_site_options[] = {
	{ "force", NULL, "replace a .htaccess or wrapper not written by "
	  "setup-site" },
	{ "no-dashboard", NULL, "leave the dashboard out" },
	{ NULL, NULL, NULL },
};

const struct cli_command cli_cmd_setup_site = {
	.name = "setup-site",
	.run = run_setup_site,
	.usage = "DIR",
	.min_args = 1,
	.max_args = 1,
	.options = setup_site_options,
	.help = "Write a web directory for Apache with mod_fcgid",
};
