/* cmd-maint.c: the store's life: init, stats, checkpoint and verify. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int
run_init(struct cli *c)
{
	int	r;

	if ((r = cli_open_store(c, STORE_CREATE)) != 0)
		return r;
	printf("store ready in %s\n", store_dir(c->store));
	return CLI_OK;
}

const struct cli_command cli_cmd_init = {
	.name = "init",
	.run = run_init,
	.usage = "",
	.help = "Create the store in store_dir, unless it exists",
};

static void
emit_line(const char *line, void *arg)
{
	(void)arg;
	puts(line);
}

static int
run_stats(struct cli *c)
{
	char	err[1024];
	int	r;

	if ((r = cli_open_store(c, 0)) != 0)
		return r;
	if (store_stats(c->store, emit_line, NULL, err, sizeof err) == -1)
		return cli_fail(c, CLI_UNAVAILABLE, "%s", err);
	return CLI_OK;
}

const struct cli_command cli_cmd_stats = {
	.name = "stats",
	.run = run_stats,
	.usage = "",
	.help = "Print table, lock, transaction, log and cache statistics",
};

static int
run_checkpoint(struct cli *c)
{
	char	err[1024];
	int	r;

	if ((r = cli_open_store(c, 0)) != 0)
		return r;
	if (store_checkpoint(c->store, err, sizeof err) == -1)
		return cli_fail(c, CLI_UNAVAILABLE, "%s", err);
	printf("checkpoint done\n");
	return CLI_OK;
}

const struct cli_command cli_cmd_checkpoint = {
	.name = "checkpoint",
	.run = run_checkpoint,
	.usage = "",
	.help = "Checkpoint the store and remove log files not needed",
};

static int
run_remove_node(struct cli *c)
{
	char	err[1024];
	int	r;

	if ((r = cli_open_store(c, 0)) != 0)
		return r;
	if ((r = store_remove_node(c->store, c->args[0], err,
	    sizeof err)) != 0)
		return cli_fail(c, r == EINVAL ? CLI_USAGE : CLI_UNAVAILABLE,
		    "%s", err);
	printf("removed %s from the replication group\n", c->args[0]);
	return CLI_OK;
}

const struct cli_command cli_cmd_remove_node = {
	.name = "remove-node",
	.run = run_remove_node,
	.usage = "HOST:PORT",
	.min_args = 1,
	.max_args = 1,
	.help = "Take a node (its repl_site) out of the replication group for "
	    "good",
};

/*
 * Whether store_dir holds an environment this process could open: when
 * it does not, a failed verify means "unavailable", not "damaged".
 */
static int
store_present(const struct conf *cfg, char *why, size_t len)
{
	char		path[4096];
	struct stat	st;

	if (access(cfg->store_dir, R_OK | W_OK | X_OK) == -1) {
		snprintf(why, len, "%s: %s%s", cfg->store_dir, strerror(errno),
		    errno == ENOENT ? " (run \"backstream init\")" : "");
		return 0;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/meta.db",
	    cfg->store_dir) >= sizeof path || stat(path, &st) == -1) {
		snprintf(why, len, "%s: no backstream store here; run "
		    "\"backstream init\"", cfg->store_dir);
		return 0;
	}
	return 1;
}

static int
run_verify(struct cli *c)
{
	char	err[4096];
	int	r;

	if ((r = cli_load_conf(c)) != 0)
		return r;
	if (!store_present(&c->cfg, err, sizeof err))
		return cli_fail(c, CLI_UNAVAILABLE, "%s", err);
	/* store_verify() opens the store itself: one per process. */
	if ((r = store_verify(&c->cfg, err, sizeof err)) == -1)
		return cli_fail(c, CLI_UNAVAILABLE, "%s", err);
	if (r != 0)
		return cli_fail(c, CLI_FAILED, "the store is damaged: %s", err);
	printf("store in %s verified: no problems found\n", c->cfg.store_dir);
	return CLI_OK;
}

const struct cli_command cli_cmd_verify = {
	.name = "verify",
	.run = run_verify,
	.usage = "",
	.help = "Check every database of the store for damage",
};
