/* cli.c: argument parsing, error reporting, store opening and output helpers shared by the commands. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changelog.h"
#include "cli.h"
#include "json.h"
#include "log.h"
#include "strnum.h"
#include "timefmt.h"
#include "xmalloc.h"

/* ---- arguments ------------------------------------------------------------- */

static int
find_option(const struct cli_command *cmd, const char *name, size_t len)
{
	int	i;

	for (i = 0; cmd->options != NULL && cmd->options[i].name != NULL;
	    i++) {
		if (strlen(cmd->options[i].name) == len &&
		    strncmp(cmd->options[i].name, name, len) == 0)
			return i;
	}
	return -1;
}

/* Takes the value of an option: "--name=value" or the next argument. */
static int
option_value(struct cli *c, const char *arg, const char *eq, int argc,
    char **argv, int *i, const char **out)
{
	if (eq != NULL) {
		*out = eq + 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return cli_usage(c, "%s needs a value", arg);
	*out = argv[++*i];
	return 0;
}

int
cli_parse(struct cli *c, int argc, char **argv)
{
	const struct cli_command	*cmd = c->cmd;
	const char			*arg, *eq, *value = NULL;
	size_t				 len;
	int				 i, k, only_args = 0, r;

	/* The arrays of struct cli bound the table: a longer entry is a bug. */
	for (k = 0; cmd->options != NULL && cmd->options[k].name != NULL; k++)
		;
	if (k > CLI_MAX_OPTIONS || cmd->max_args > CLI_MAX_ARGS)
		abort();

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (!only_args && strcmp(arg, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (only_args || arg[0] != '-' || arg[1] == '\0') {
			if (c->nargs == cmd->max_args)
				return cli_usage(c, "unexpected argument \"%s\"",
				    arg);
			c->args[c->nargs++] = arg;
			continue;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			return -1;
		if (strcmp(arg, "-c") == 0 || strcmp(arg, "--config") == 0 ||
		    strncmp(arg, "--config=", 9) == 0) {
			eq = strchr(arg, '=');
			if ((r = option_value(c, "-c", eq, argc, argv, &i,
			    &value)) != 0)
				return r;
			if (c->conf_arg != NULL)
				return cli_usage(c, "-c is given twice");
			c->conf_arg = value;
			continue;
		}
		if (arg[1] != '-')
			return cli_usage(c, "unknown option \"%s\"", arg);
		eq = strchr(arg, '=');
		len = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		if ((k = find_option(cmd, arg + 2, len)) == -1)
			return cli_usage(c, "unknown option \"%.*s\"",
			    (int)len + 2, arg);
		if (c->values[k] != NULL)
			return cli_usage(c, "--%s is given twice",
			    cmd->options[k].name);
		if (cmd->options[k].value == NULL) {
			if (eq != NULL)
				return cli_usage(c, "--%s takes no value",
				    cmd->options[k].name);
			c->values[k] = "";
			continue;
		}
		if ((r = option_value(c, arg, eq, argc, argv, &i,
		    &c->values[k])) != 0)
			return r;
	}
	if (c->nargs < cmd->min_args)
		return cli_usage(c, "missing argument%s",
		    cmd->min_args - c->nargs > 1 ? "s" : "");
	return 0;
}

const char *
cli_opt(const struct cli *c, const char *name)
{
	int	k = find_option(c->cmd, name, strlen(name));

	return k == -1 ? NULL : c->values[k];
}

int
cli_opt_int(struct cli *c, const char *name, int64_t min, int64_t max,
    int64_t def, int64_t *out)
{
	const char	*s = cli_opt(c, name), *why;

	if (s == NULL) {
		*out = def;
		return 0;
	}
	if (strnum_int(s, min, max, out, &why) == -1)
		return cli_usage(c, "--%s: \"%.40s\" %s (%lld to %lld)", name, s,
		    why, (long long)min, (long long)max);
	return 0;
}

int
cli_check_uid(struct cli *c, const char *uid)
{
	size_t	i, len = strlen(uid);

	for (i = 0; i < len; i++)
		if ((unsigned char)uid[i] < 0x20 || uid[i] == 0x7f)
			break;
	if (len == 0 || len > UID_MAX || i < len)
		return cli_usage(c, "--uid: a uid has 1 to %d bytes and no "
		    "control characters", UID_MAX);
	return 0;
}

/* Reads fd up to size - 1 bytes into buf; -1 with errno, or the length. */
static ssize_t
read_upto(int fd, char *buf, size_t size)
{
	size_t	len = 0;
	ssize_t	n;

	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

/* Reads the secret from file path ("-": standard input) into buf. */
static int
secret_from_file(struct cli *c, const char *opt, const char *path,
    char *buf, size_t size)
{
	ssize_t	n;
	int	fd, saved;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return cli_usage(c, "--%s: %s: %s", opt, path, strerror(errno));
	n = read_upto(fd, buf, size);
	saved = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	if (n == -1)
		return cli_usage(c, "--%s: %s: %s", opt, path,
		    strerror(saved));
	buf[n] = '\0';
	return 0;
}

int
cli_read_secret(struct cli *c, const char *opt, const char *env, char *buf,
    size_t size)
{
	const char	*path = cli_opt(c, opt), *val;
	size_t		 len;
	int		 r;

	if (path != NULL) {
		if ((r = secret_from_file(c, opt, path, buf, size)) != 0)
			return r;
	} else if ((val = getenv(env)) != NULL && *val != '\0') {
		if (strlen(val) >= size)
			return cli_usage(c, "$%s is longer than %zu bytes",
			    env, size - 1);
		memcpy(buf, val, strlen(val) + 1);
	} else
		return cli_usage(c, "no token: set $%s, or give --%s FILE "
		    "(- for standard input)", env, opt);
	len = strcspn(buf, "\r\n");
	/* A longer first line filled the buffer: its end was not seen. */
	if (len == size - 1)
		return cli_usage(c, "the token is longer than %zu bytes",
		    size - 2);
	buf[len] = '\0';
	if (len == 0 || strspn(buf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.") != len) {
		explicit_bzero(buf, size);
		return cli_usage(c, "the token is empty or has characters "
		    "a token cannot have");
	}
	return 0;
}

int
cli_parse_when(struct cli *c, const char *what, const char *s, int end,
    int64_t *out)
{
	if (date_parse(s, out) == 0) {
		/* A day given as the end of a range includes the whole day. */
		if (end)
			*out += SECONDS_PER_DAY - 1;
		return 0;
	}
	if (time_parse(s, strlen(s), out) == 0)
		return 0;
	return cli_usage(c, "%s: \"%.40s\" is not a date (YYYY-MM-DD) or an "
	    "ISO 8601 time", what, s);
}

void
cli_print_usage(const char *progname, const struct cli_command *cmd, FILE *f)
{
	fprintf(f, "usage: %s %s%s%s\n", progname, cmd->name,
	    cmd->usage[0] != '\0' ? " " : "", cmd->usage);
}

void
cli_print_help(const char *progname, const struct cli_command *cmd)
{
	const struct cli_option	*o;
	char			 left[64];

	cli_print_usage(progname, cmd, stdout);
	printf("\n%s\n\noptions:\n", cmd->help);
	for (o = cmd->options; o != NULL && o->name != NULL; o++) {
		snprintf(left, sizeof left, "--%s%s%s", o->name,
		    o->value != NULL ? " " : "",
		    o->value != NULL ? o->value : "");
		printf("  %-22s %s\n", left, o->help);
	}
	printf("  %-22s %s\n", "-c FILE", "the configuration file");
	printf("  %-22s %s\n", "--help", "show this help");
	printf("\nThe configuration is -c FILE, else $BACKSTREAM_CONF, else\n"
	    "%s.  backstream(1) has the details.\n", conf_default_path());
}

/* ---- errors ---------------------------------------------------------------- */

static void	vreport(const struct cli *c, const char *fmt, va_list ap)
		    __attribute__((format(printf, 2, 0)));

static void
vreport(const struct cli *c, const char *fmt, va_list ap)
{
	struct buf	line = BUF_INIT;

	/* One write, so that the message is not torn by other output. */
	buf_printf(&line, "%s: %s: ", c->progname, c->cmd->name);
	buf_vprintf(&line, fmt, ap);
	buf_addc(&line, '\n');
	fflush(stdout);
	fwrite(line.data, 1, line.len, stderr);
	buf_free(&line);
}

int
cli_fail(struct cli *c, int status, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vreport(c, fmt, ap);
	va_end(ap);
	return status;
}

int
cli_usage(struct cli *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vreport(c, fmt, ap);
	va_end(ap);
	cli_print_usage(c->progname, c->cmd, stderr);
	return CLI_USAGE;
}

int
cli_status_of(int code)
{
	switch (code) {
	case 0:
		return CLI_OK;
	case EIO:		/* damaged records */
	case EACCES:
	case EPERM:
	case EROFS:
	case ENOSPC:
		return CLI_UNAVAILABLE;
	default:
		/* Berkeley DB's codes are negative, ours positive errnos. */
		return code < 0 ? CLI_UNAVAILABLE : CLI_FAILED;
	}
}

/* ---- configuration and store ------------------------------------------------ */

int
cli_load_conf(struct cli *c)
{
	char	err[1024];

	if (c->have_cfg)
		return 0;
	c->have_cfg = 1;
	if (conf_read(&c->cfg, c->conf_arg, err, sizeof err) == -1)
		return cli_fail(c, CLI_UNAVAILABLE, "%s", err);
	log_set_level(c->cfg.log_level);
	return 0;
}

int
cli_open_store(struct cli *c, int flags)
{
	char	err[1024];
	int	r;

	if ((r = cli_load_conf(c)) != 0)
		return r;
	if ((c->store = store_open(&c->cfg, flags, err, sizeof err)) == NULL)
		return cli_fail(c, CLI_UNAVAILABLE, "%s", err);
	return 0;
}

/* ---- output ------------------------------------------------------------------ */

void
cli_print_json(json_object *obj)
{
	fputs(json_text(obj), stdout);
	fputc('\n', stdout);
	json_object_put(obj);
}

/* Adds "key value" rows for v, nested objects flattened as "key.sub". */
static void
add_fields(struct table *t, const char *key, json_object *v)
{
	char	*name;

	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, sub) {
			xasprintf(&name, "%s.%s", key, k);
			add_fields(t, name, sub);
			free(name);
		}
		return;
	}
	table_cell(t, key);
	if (v == NULL)
		table_cell(t, "null");
	else if (json_object_is_type(v, json_type_string))
		table_cell(t, json_object_get_string(v));
	else
		table_cell(t, json_text(v));
}

void
cli_print_fields(json_object *obj)
{
	struct table	t;

	table_init(&t, "ll", NULL);
	json_object_object_foreach(obj, key, v)
		add_fields(&t, key, v);
	table_print(&t);
}

void
table_init(struct table *t, const char *align, const char *const *headers)
{
	int	i;

	memset(t, 0, sizeof *t);
	t->ncols = (int)strlen(align);
	t->align = align;
	for (i = 0; headers != NULL && i < t->ncols; i++)
		table_cell(t, headers[i]);
}

void
table_cell(struct table *t, const char *text)
{
	if (t->ncells == t->cap) {
		t->cap = t->cap == 0 ? 64 : t->cap * 2;
		t->cells = xreallocarray(t->cells, t->cap, sizeof *t->cells);
	}
	t->cells[t->ncells++] = t->text.len;
	buf_add(&t->text, text, strlen(text) + 1);
}

void
table_cellf(struct table *t, const char *fmt, ...)
{
	struct buf	cell = BUF_INIT;
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&cell, fmt, ap);
	va_end(ap);
	table_cell(t, buf_str(&cell));
	buf_free(&cell);
}

void
table_print(struct table *t)
{
	size_t		*width, i, w;
	const char	*cell;
	int		 col;

	width = xcalloc((size_t)t->ncols, sizeof *width);
	for (i = 0; i < t->ncells; i++) {
		w = strlen(t->text.data + t->cells[i]);
		if (w > width[i % (size_t)t->ncols])
			width[i % (size_t)t->ncols] = w;
	}
	for (i = 0; i < t->ncells; i++) {
		col = (int)(i % (size_t)t->ncols);
		cell = t->text.data + t->cells[i];
		if (col == t->ncols - 1 && t->align[col] == 'l')
			fputs(cell, stdout);	/* no trailing blanks */
		else
			printf(t->align[col] == 'r' ? "%*s" : "%-*s",
			    (int)width[col], cell);
		fputs(col == t->ncols - 1 ? "\n" : "  ", stdout);
	}
	free(width);
	free(t->cells);
	buf_free(&t->text);
	memset(t, 0, sizeof *t);
}

/* ---- progress ---------------------------------------------------------------- */

#define BAR_WIDTH	30

void
progress_start(struct progress *p, const char *label)
{
	p->enabled = isatty(STDERR_FILENO);
	p->label = label;
	p->shown = -1;
}

void
progress_update(struct progress *p, uint64_t done, uint64_t total)
{
	char	bar[BAR_WIDTH + 1];
	int	pct, fill;

	if (!p->enabled || total == 0)
		return;
	pct = done >= total ? 100 : (int)(done * 100 / total);
	if (pct == p->shown)
		return;
	p->shown = pct;
	fill = pct * BAR_WIDTH / 100;
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%s [%s] %3d%%", p->label, bar, pct);
	fflush(stderr);
}

void
progress_end(struct progress *p)
{
	if (!p->enabled || p->shown == -1)
		return;
	/* \033[K clears to the end of the line. */
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = -1;
}
