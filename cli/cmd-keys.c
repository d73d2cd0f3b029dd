/* cmd-keys.c: a local signing key and tokens signed with it (for tests and private installations). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mint.h"
#include "strnum.h"
#include "xmalloc.h"

static const struct cli_option keygen_options[] = {
	{ "force", NULL, "replace an existing key and certificate set" },
	{ NULL, NULL, NULL },
};

/*
 * A certificate set in place is what servers verify every token against:
 * replacing it by mistake (keygen run on the real cert_file's directory)
 * locks out every user and lets the holder of the new key mint tokens for
 * anyone.  So it takes --force.  The check races with another writer, but
 * it guards against a slip of the hand, not an adversary.
 */
static int
keygen_refuse_existing(struct cli *c, const char *dir)
{
	static const char *const files[] = { MINT_CERT_FILE, MINT_KEY_FILE };
	char		*path;
	size_t		 i;
	int		 exists;

	if (cli_opt(c, "force") != NULL)
		return 0;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		xasprintf(&path, "%s/%s", dir, files[i]);
		exists = access(path, F_OK) == 0;
		free(path);
		if (exists)
			return cli_fail(c, CLI_FAILED, "%s/%s exists: replacing "
			    "it makes every token signed with its key invalid "
			    "(give --force to rotate the key)", dir, files[i]);
	}
	return 0;
}

static int
run_keygen(struct cli *c)
{
	const char	*dir = c->args[0];
	char		 err[1024];
	int		 r;

	if ((r = keygen_refuse_existing(c, dir)) != 0)
		return r;
	if (mint_keygen(dir, err, sizeof err) == -1)
		return cli_fail(c, CLI_FAILED, "%s", err);
	printf("wrote %s/%s and %s/%s\n", dir, MINT_KEY_FILE, dir,
	    MINT_CERT_FILE);
	return CLI_OK;
}

const struct cli_command cli_cmd_keygen = {
	.name = "keygen",
	.run = run_keygen,
	.usage = "[--force] DIR",
	.min_args = 1,
	.max_args = 1,
	.options = keygen_options,
	.help = "Make a new signing key and certificate set in DIR",
};

static const struct cli_option token_options[] = {
	{ "uid", "UID", "the user the token is for (its sub claim)" },
	{ "ttl", "SECONDS", "lifetime, also as 90s, 30m, 1h or 7d "
	  "(default 1h)" },
	{ NULL, NULL, NULL },
};

#define TTL_DEFAULT_MS	(3600 * 1000LL)
#define TTL_MAX_MS	(365 * 86400 * 1000LL)

/* The signing key lives beside the certificate set that servers read. */
static char *
key_path(const char *cert_file)
{
	const char	*slash = strrchr(cert_file, '/');
	char		*path;

	if (slash == NULL)
		xasprintf(&path, "%s", MINT_KEY_FILE);
	else
		xasprintf(&path, "%.*s/%s", (int)(slash - cert_file),
		    cert_file, MINT_KEY_FILE);
	return path;
}

static int
run_token(struct cli *c)
{
	const char	*uid = cli_opt(c, "uid"), *ttl = cli_opt(c, "ttl");
	const char	*why;
	char		 err[1024], *key, *token;
	int64_t		 ttl_ms = TTL_DEFAULT_MS;
	int		 r;

	if (uid == NULL)
		return cli_usage(c, "--uid is required");
	if ((r = cli_check_uid(c, uid)) != 0)
		return r;
	if (ttl != NULL && strnum_duration(ttl, 1000, TTL_MAX_MS, &ttl_ms,
	    &why) == -1)
		return cli_usage(c, "--ttl: \"%.40s\" %s (1s to 365d)", ttl,
		    why);
	if ((r = cli_load_conf(c)) != 0)
		return r;
	if (c->cfg.project_id[0] == '\0')
		return cli_fail(c, CLI_UNAVAILABLE, "%s: project_id is not set",
		    c->cfg.path);
	key = key_path(c->cfg.cert_file);
	if (access(key, R_OK) == -1) {
		r = cli_fail(c, CLI_UNAVAILABLE, "%s: %s (make one with "
		    "\"backstream keygen DIR\" in the directory of cert_file)",
		    key, strerror(errno));
		free(key);
		return r;
	}
	r = mint_token(key, c->cfg.cert_file, c->cfg.project_id, uid,
	    (int64_t)time(NULL), ttl_ms / 1000, &token, err, sizeof err);
	free(key);
	if (r == -1)
		return cli_fail(c, CLI_FAILED, "%s", err);
	printf("%s\n", token);
	/* A token is a credential: leave no copy in freed memory. */
	explicit_bzero(token, strlen(token));
	free(token);
	return CLI_OK;
}

const struct cli_command cli_cmd_token = {
	.name = "token",
	.run = run_token,
	.usage = "--uid UID [--ttl SECONDS]",
	.options = token_options,
	.help = "Print a token for a user, signed with the local key",
};
