/* backstream.c: the admin command: global options, the command table and dispatch. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

#define PROGNAME	"backstream"

static int	run_help(struct cli *c);

static const struct cli_command cmd_help = {
	.name = "help",
	.run = run_help,
	.usage = "[COMMAND]",
	.max_args = 1,
	.help = "List the commands, or show one command's options",
};

/* In the order "backstream --help" lists them. */
static const struct cli_command *const commands[] = {
	&cli_cmd_init,
	&cli_cmd_import_bars,
	&cli_cmd_demo_data,
	&cli_cmd_bars,
	&cli_cmd_symbols,
	&cli_cmd_submit,
	&cli_cmd_jobs,
	&cli_cmd_job,
	&cli_cmd_transactions,
	&cli_cmd_cancel,
	&cli_cmd_delete,
	&cli_cmd_stats,
	&cli_cmd_checkpoint,
	&cli_cmd_remove_node,
	&cli_cmd_verify,
	&cli_cmd_keygen,
	&cli_cmd_token,
	&cli_cmd_selftest,
	&cli_cmd_setup_site,
	&cmd_help,
};
#define NCOMMANDS	(sizeof commands / sizeof commands[0])

static const struct cli_command *
find_command(const char *name)
{
	size_t	i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-c FILE] COMMAND [ARGS]\n"
	    "       %s --version\n", PROGNAME, PROGNAME);
}

static void
print_overview(void)
{
	size_t	i;

	usage(stdout);
	printf("\nAdministers a backstream installation: its store, bars, "
	    "jobs and signing keys.\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		printf("  %-14s %s\n", commands[i]->name, commands[i]->help);
	printf("\n\"%s COMMAND --help\" shows a command's arguments and "
	    "options.\n"
	    "-c FILE (before or after the command) names the configuration "
	    "file;\nthe default is $BACKSTREAM_CONF, else %s.\n\n"
	    "exit status:\n"
	    "  0  success\n"
	    "  1  the operation was refused or failed (not found, invalid "
	    "input, conflict)\n"
	    "  2  usage error\n"
	    "  3  configuration or store unavailable\n", PROGNAME,
	    conf_default_path());
}

static int
run_help(struct cli *c)
{
	const struct cli_command	*cmd;

	if (c->nargs == 0) {
		print_overview();
		return CLI_OK;
	}
	if ((cmd = find_command(c->args[0])) == NULL)
		return cli_usage(c, "unknown command \"%s\"", c->args[0]);
	cli_print_help(PROGNAME, cmd);
	return CLI_OK;
}

/* Finishes stdout, so that a full disk or a closed pipe is an error. */
static int
finish_output(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: writing the output: %s\n", PROGNAME,
		    strerror(errno));
		return status == CLI_OK ? CLI_FAILED : status;
	}
	return status;
}

int
main(int argc, char **argv)
{
	struct cli	 c;
	const char	*conf_arg = NULL, *value;
	int		 i, status;

	log_init(PROGNAME, LOG_LEVEL_WARN);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			printf("%s %s\n", PROGNAME, PACKAGE_VERSION);
			return finish_output(CLI_OK);
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			print_overview();
			return finish_output(CLI_OK);
		}
		if (strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) {
			if (i + 1 == argc) {
				fprintf(stderr, "%s: %s needs a FILE\n",
				    PROGNAME, argv[i]);
				return CLI_USAGE;
			}
			value = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0)
			value = argv[i] + 9;
		else {
			fprintf(stderr, "%s: unknown option \"%s\"\n",
			    PROGNAME, argv[i]);
			usage(stderr);
			return CLI_USAGE;
		}
		if (conf_arg != NULL) {
			fprintf(stderr, "%s: -c is given twice\n", PROGNAME);
			return CLI_USAGE;
		}
		conf_arg = value;
	}
	if (i == argc) {
		fprintf(stderr, "%s: no command given\n", PROGNAME);
		usage(stderr);
		fprintf(stderr, "\"%s --help\" lists the commands.\n",
		    PROGNAME);
		return CLI_USAGE;
	}

	memset(&c, 0, sizeof c);
	c.progname = PROGNAME;
	if ((c.cmd = find_command(argv[i])) == NULL) {
		fprintf(stderr, "%s: unknown command \"%s\"; \"%s --help\" "
		    "lists the commands\n", PROGNAME, argv[i], PROGNAME);
		return CLI_USAGE;
	}
	status = cli_parse(&c, argc - i - 1, argv + i + 1);
	if (status == -1) {
		cli_print_help(PROGNAME, c.cmd);
		return finish_output(CLI_OK);
	}
	if (status != 0)
		return status;
	if (conf_arg != NULL) {
		if (c.conf_arg != NULL)
			return cli_usage(&c, "-c is given twice");
		c.conf_arg = conf_arg;
	}

	status = c.cmd->run(&c);

	store_close(c.store);
	if (c.have_cfg)
		conf_free(&c.cfg);
	return finish_output(status);
}
