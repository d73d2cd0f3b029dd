/* cli.h: what the backstream command's parts share: the command table's shape, arguments, errors and output. */
#ifndef BACKSTREAM_CLI_H
#define BACKSTREAM_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "buf.h"
#include "conf.h"
#include "store.h"

/* Exit statuses, documented in backstream(1) and "backstream --help". */
enum cli_status {
	CLI_OK = 0,		/* done */
	CLI_FAILED = 1,		/* refused or failed: not found, bad input, conflict */
	CLI_USAGE = 2,		/* the command line is wrong */
	CLI_UNAVAILABLE = 3,	/* configuration or store unavailable */
};

#define CLI_MAX_ARGS	4
#define CLI_MAX_OPTIONS	8

struct cli;

/* An option "--name VALUE" (or "--name=VALUE"), or a flag "--name". */
struct cli_option {
	const char	*name;		/* without the dashes */
	const char	*value;		/* the value's name in usage, NULL: a flag */
	const char	*help;
};

/*
 * One command of the table in backstream.c; each cmd-*.c file defines the
 * entries of its family.  Every command also takes -c FILE and --help.
 */
struct cli_command {
	const char		*name;
	int			(*run)(struct cli *c);
	const char		*usage;		/* what follows the name in usage */
	int			 min_args;	/* positional arguments; 0 if unset */
	int			 max_args;
	const struct cli_option	*options;	/* ends with a NULL name; NULL: none */
	const char		*help;		/* one line, under 60 characters */
};

/* One run of a command: its arguments, then what it opened (freed by main). */
struct cli {
	const char		*progname;
	const struct cli_command *cmd;
	const char		*conf_arg;	/* -c FILE, or NULL */
	const char		*args[CLI_MAX_ARGS];
	int			 nargs;
	const char		*values[CLI_MAX_OPTIONS];	/* per option; flags "" */
	struct conf		 cfg;
	int			 have_cfg;
	struct store		*store;
};

/* ---- arguments ------------------------------------------------------------- */

/*
 * Reads the arguments after the command name into c: options (anywhere,
 * "--" ending them), -c FILE, and positional arguments.  Returns 0,
 * CLI_USAGE after printing why, or -1 when --help was asked for (the
 * caller prints the command's help).
 */
int	 cli_parse(struct cli *c, int argc, char **argv);
/* The value of option name ("" for a set flag), or NULL if not given. */
const char *cli_opt(const struct cli *c, const char *name);
/*
 * Reads option name as a whole number in [min, max], def when absent.
 * Returns 0, or CLI_USAGE after printing why.
 */
int	 cli_opt_int(struct cli *c, const char *name, int64_t min, int64_t max,
	    int64_t def, int64_t *out);
/*
 * Checks a uid as a token's sub would be (1 to UID_MAX bytes, no control
 * characters).  Returns 0, or CLI_USAGE after printing why.
 */
int	 cli_check_uid(struct cli *c, const char *uid);
/*
 * Reads a secret (a token) as every command takes one, never from the
 * command line, which ps shows to every local user: from the file named by
 * option opt ("-": standard input) when given, else from environment
 * variable env.  The first line counts, without its line end; it must be
 * 1 to size - 2 characters of a JWT (A-Z a-z 0-9 - _ .).  Returns 0 with
 * the secret NUL-terminated in buf (the caller wipes it), or CLI_USAGE
 * after printing why (never the secret).
 */
int	 cli_read_secret(struct cli *c, const char *opt, const char *env,
	    char *buf, size_t size);
/*
 * Reads a date or time the way the CLI takes them: "YYYY-MM-DD" (its start,
 * or with end set its last second) or what time_parse() reads.  Returns 0,
 * or CLI_USAGE after printing why, naming what.
 */
int	 cli_parse_when(struct cli *c, const char *what, const char *s, int end,
	    int64_t *out);

/* Prints "usage: backstream NAME USAGE" for cmd to f. */
void	 cli_print_usage(const char *progname, const struct cli_command *cmd,
	    FILE *f);
/* Prints the usage line, the one-line help and every option to stdout. */
void	 cli_print_help(const char *progname, const struct cli_command *cmd);

/* ---- errors ---------------------------------------------------------------- */

/* Prints "backstream: COMMAND: message" on stderr and returns status. */
int	 cli_fail(struct cli *c, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same, then the usage line; returns CLI_USAGE. */
int	 cli_usage(struct cli *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * The exit status for a code returned by a store or jobctl operation:
 * a refusal (ENOENT, EINVAL, EDQUOT, EALREADY, ...) is CLI_FAILED; a
 * Berkeley DB error or damaged data is CLI_UNAVAILABLE.
 */
int	 cli_status_of(int code);

/* ---- configuration and store ------------------------------------------------ */

/* Reads the configuration into c->cfg.  Returns 0, or CLI_UNAVAILABLE after printing why. */
int	 cli_load_conf(struct cli *c);
/*
 * Reads the configuration if not done yet and opens the store (flags as
 * store_open()) into c->store.  Returns 0, or CLI_UNAVAILABLE after printing
 * why.
 */
int	 cli_open_store(struct cli *c, int flags);

/* ---- output ------------------------------------------------------------------ */

/* Prints obj compactly and a newline on stdout, then drops the reference. */
void	 cli_print_json(json_object *obj);
/*
 * Prints an object as aligned "key  value" lines, nested objects flattened
 * as "parent.key", for the human form of a single record.
 */
void	 cli_print_fields(json_object *obj);

/*
 * A table printed with aligned columns: cells are copied in, one row at a
 * time.  align has one letter per column: 'l'eft or 'r'ight.
 */
struct table {
	int		 ncols;
	const char	*align;
	struct buf	 text;		/* every cell, NUL-terminated, in order */
	size_t		*cells;		/* offset of each cell in text */
	size_t		 ncells;
	size_t		 cap;
};

/* headers: one per column, or NULL for a table without a header row. */
void	 table_init(struct table *t, const char *align,
	    const char *const *headers);
/* Adds one cell; a row is complete after ncols of them. */
void	 table_cell(struct table *t, const char *text);
void	 table_cellf(struct table *t, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Prints the header and rows on stdout and frees the table. */
void	 table_print(struct table *t);

/*
 * A progress bar on stderr, drawn only when stderr is a terminal: a label
 * and a percentage, redrawn when the percentage changes.
 */
struct progress {
	int		 enabled;
	const char	*label;
	int		 shown;		/* last percentage drawn, -1: none */
};

void	 progress_start(struct progress *p, const char *label);
void	 progress_update(struct progress *p, uint64_t done, uint64_t total);
/* Erases the bar, so that what follows starts on a clean line. */
void	 progress_end(struct progress *p);

/* ---- the commands -------------------------------------------------------------- */

extern const struct cli_command cli_cmd_init;
extern const struct cli_command cli_cmd_stats;
extern const struct cli_command cli_cmd_checkpoint;
extern const struct cli_command cli_cmd_remove_node;
extern const struct cli_command cli_cmd_verify;

extern const struct cli_command cli_cmd_import_bars;
extern const struct cli_command cli_cmd_bars;
extern const struct cli_command cli_cmd_symbols;
extern const struct cli_command cli_cmd_demo_data;

extern const struct cli_command cli_cmd_submit;
extern const struct cli_command cli_cmd_jobs;
extern const struct cli_command cli_cmd_job;
extern const struct cli_command cli_cmd_transactions;
extern const struct cli_command cli_cmd_cancel;
extern const struct cli_command cli_cmd_delete;

extern const struct cli_command cli_cmd_keygen;
extern const struct cli_command cli_cmd_token;

extern const struct cli_command cli_cmd_selftest;
extern const struct cli_command cli_cmd_setup_site;

#endif
