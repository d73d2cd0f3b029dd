/* cmd-bars.c: bars in and out: import-bars, demo-data, bars and symbols. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bar.h"
#include "cli.h"
#include "csv.h"
#include "demodata.h"
#include "interval.h"
#include "numfmt.h"
#include "spec.h"
#include "store-bars.h"
#include "symbols.h"
#include "timefmt.h"
#include "xmalloc.h"

/* The range a query covers when --from or --to is not given: years 0 to 9999. */
#define TIME_FIRST	(-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define TIME_LAST	253402300799LL		/* 9999-12-31T23:59:59Z */

static int
parse_symbol(struct cli *c, const char *symbol)
{
	if (!symbol_is_valid(symbol))
		return cli_usage(c, "\"%.40s\" is not a symbol: 1 to %d "
		    "characters from A-Z a-z 0-9 . _ - ^ :", symbol,
		    SYMBOL_MAX);
	return 0;
}

static int
parse_interval(struct cli *c, const char *name, enum interval *iv)
{
	if (interval_parse(name, iv) == -1)
		return cli_usage(c, "unknown interval \"%.40s\" (known: %s)",
		    name, interval_list());
	return 0;
}

static void
show_progress(size_t done, size_t total, void *arg)
{
	progress_update(arg, done, total);
}

static void
show_csv_progress(uint64_t done, uint64_t total, void *arg)
{
	progress_update(arg, done, total);
}

/* ---- import-bars ----------------------------------------------------------- */

static const struct cli_option import_options[] = {
	{ "interval", "INTERVAL", "what the file's bars are (default minute)" },
	{ NULL, NULL, NULL },
};

/*
 * The reader takes any second; what an interval requires is checked here:
 * minute-based bars start on a whole minute, day bars at 00:00:00Z.  The
 * bars are sorted by now, so the message names the time, unique in the file.
 */
static int
check_times(struct cli *c, const char *name, enum interval iv,
    const struct csv_bars *cb)
{
	char	when[TIME_ISO_LEN + 1];
	size_t	i;

	for (i = 0; i < cb->n; i++) {
		int64_t t = cb->bars[i].time;

		if (iv == INTERVAL_DAY && time_day_start(t) != t) {
			time_format_iso(t, when);
			return cli_fail(c, CLI_FAILED, "%s: the row at %s: a "
			    "day bar's time must be 00:00:00Z of its date "
			    "(write the date alone, e.g. 2024-01-02)", name,
			    when);
		}
		if (iv != INTERVAL_DAY && (t % 60 + 60) % 60 != 0) {
			time_format_iso(t, when);
			return cli_fail(c, CLI_FAILED, "%s: the row at %s: a "
			    "%s bar must start on a whole minute", name, when,
			    interval_name(iv));
		}
	}
	return 0;
}

static int
run_import_bars(struct cli *c)
{
	const char		*symbol = c->args[0], *path = c->args[1];
	const char		*ivname = cli_opt(c, "interval"), *name;
	struct csv_bars		 cb;
	struct progress		 p;
	enum interval		 iv = INTERVAL_MINUTE;
	char			 err[1024], first[TIME_ISO_LEN + 1];
	char			 last[TIME_ISO_LEN + 1], *label;
	int			 r;

	if ((r = parse_symbol(c, symbol)) != 0 || (ivname != NULL &&
	    (r = parse_interval(c, ivname, &iv)) != 0))
		return r;
	/* Before reading a large file: the store must be there to take it. */
	if ((r = cli_open_store(c, 0)) != 0)
		return r;

	name = strcmp(path, "-") == 0 ? "stdin" : path;
	xasprintf(&label, "reading %s", strrchr(name, '/') != NULL ?
	    strrchr(name, '/') + 1 : name);
	progress_start(&p, label);
	if (strcmp(path, "-") == 0)
		r = csv_read_stream(stdin, name, &cb, show_csv_progress, &p,
		    err, sizeof err);
	else
		r = csv_read_file(path, &cb, show_csv_progress, &p, err,
		    sizeof err);
	progress_end(&p);
	free(label);
	if (r == -1)
		return cli_fail(c, CLI_FAILED, "%s", err);
	if ((r = check_times(c, name, iv, &cb)) != 0) {
		csv_bars_free(&cb);
		return r;
	}

	xasprintf(&label, "writing %s", symbol);
	progress_start(&p, label);
	r = bars_import(c->store, symbol, iv, cb.bars, cb.n, show_progress,
	    &p, err, sizeof err);
	progress_end(&p);
	free(label);
	if (r != 0) {
		csv_bars_free(&cb);
		return cli_fail(c, cli_status_of(r), "%s", err);
	}
	time_format_iso(cb.bars[0].time, first);
	time_format_iso(cb.bars[cb.n - 1].time, last);
	printf("imported %zu %s bars of %s, %s to %s\n", cb.n,
	    interval_name(iv), symbol, first, last);
	csv_bars_free(&cb);
	return CLI_OK;
}

const struct cli_command cli_cmd_import_bars = {
	.name = "import-bars",
	.run = run_import_bars,
	.usage = "SYMBOL FILE.csv [--interval INTERVAL]",
	.min_args = 2,
	.max_args = 2,
	.options = import_options,
	.help = "Import bars from a CSV file, all or nothing",
};

/* ---- demo-data --------------------------------------------------------------- */

struct demo_bars {
	struct bar	*bars;
	size_t		 n;
	size_t		 cap;
};

static int
add_demo_bar(const struct bar *b, void *arg)
{
	struct demo_bars	*db = arg;

	if (db->n == db->cap) {
		db->cap = db->cap == 0 ? DEMODATA_BARS_PER_SYMBOL : db->cap * 2;
		db->bars = xreallocarray(db->bars, db->cap, sizeof *db->bars);
	}
	db->bars[db->n++] = *b;
	return 0;
}

static int
run_demo_data(struct cli *c)
{
	const char *const	*names;
	struct demo_bars	 db;
	struct progress		 p;
	char			 err[1024], *label;
	size_t			 i, count;
	int			 r = 0;

	if ((r = cli_open_store(c, 0)) != 0)
		return r;
	memset(&db, 0, sizeof db);
	count = demodata_symbols(&names);
	for (i = 0; i < count; i++) {
		db.n = 0;
		if (demodata_generate(names[i], add_demo_bar, &db) != 0) {
			r = cli_fail(c, CLI_FAILED, "%s: no such demo symbol",
			    names[i]);
			break;
		}
		xasprintf(&label, "writing %s", names[i]);
		progress_start(&p, label);
		r = bars_import(c->store, names[i], INTERVAL_MINUTE, db.bars,
		    db.n, show_progress, &p, err, sizeof err);
		progress_end(&p);
		free(label);
		if (r != 0) {
			r = cli_fail(c, cli_status_of(r), "%s", err);
			break;
		}
		printf("%s: %zu minute bars\n", names[i], db.n);
	}
	free(db.bars);
	return r;
}

const struct cli_command cli_cmd_demo_data = {
	.name = "demo-data",
	.run = run_demo_data,
	.usage = "",
	.help = "Import the demo symbols' minute bars of 2024",
};

/* ---- bars -------------------------------------------------------------------- */

static const struct cli_option bars_options[] = {
	{ "from", "DATE", "first day or time (YYYY-MM-DD or ISO 8601)" },
	{ "to", "DATE", "last day (included whole) or time" },
	{ "limit", "N", "only the most recent N bars of the range" },
	{ "json", NULL, "print a JSON array" },
	{ NULL, NULL, NULL },
};

#define LIMIT_MAX	100000000

/* The bars of a query, kept in a ring of limit bars when there is one. */
struct query {
	const char	*symbol;
	enum interval	 iv;
	int64_t		 from;
	int64_t		 to;
	size_t		 limit;		/* 0: all */
	unsigned	 stored;	/* bit per stored interval */
	struct bar	*bars;
	size_t		 n;
	size_t		 cap;
	size_t		 head;		/* oldest bar, once the ring is full */
};

static int
note_range(const struct bar_range *r, void *arg)
{
	struct query	*q = arg;

	q->stored |= 1u << r->interval;
	return 0;
}

static int
keep_bar(const struct bar *b, void *arg)
{
	struct query	*q = arg;

	if (q->limit != 0 && q->n == q->limit) {
		q->bars[q->head] = *b;
		q->head = (q->head + 1) % q->limit;
		return 0;
	}
	if (q->n == q->cap) {
		q->cap = q->cap == 0 ? 1024 : q->cap * 2;
		if (q->limit != 0 && q->cap > q->limit)
			q->cap = q->limit;
		q->bars = xreallocarray(q->bars, q->cap, sizeof *q->bars);
	}
	q->bars[q->n++] = *b;
	return 0;
}

/* Whether the symbol can serve the interval: stored, or made from minutes. */
static int
serves(unsigned stored, enum interval iv)
{
	return (stored & (1u << iv)) || (stored & (1u << INTERVAL_MINUTE));
}

static int
read_bars(struct store_txn *txn, void *arg)
{
	struct query	*q = arg;
	int		 r;

	/* A snapshot read may run again after recovery: start empty. */
	q->n = q->head = 0;
	q->stored = 0;
	if ((r = bars_ranges(txn, q->symbol, note_range, q)) != 0)
		return r;
	if (!serves(q->stored, q->iv))
		return 0;
	return bars_query(txn, q->symbol, q->iv, q->from, q->to, keep_bar, q);
}

static void
print_bars_json(const struct query *q)
{
	struct buf	out = BUF_INIT;
	size_t		i;

	buf_addc(&out, '[');
	for (i = 0; i < q->n; i++) {
		if (i > 0)
			buf_addc(&out, ',');
		bar_append_json(&out, &q->bars[(q->head + i) % q->n]);
		if (out.len >= 1024 * 1024) {
			fwrite(out.data, 1, out.len, stdout);
			buf_reset(&out);
		}
	}
	buf_adds(&out, "]\n");
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
}

#define CELL_MAX	(NUMFMT_MAX > TIME_ISO_LEN + 1 ? NUMFMT_MAX : TIME_ISO_LEN + 1)

static void
format_bar(const struct bar *b, char cells[6][CELL_MAX])
{
	time_format_iso(b->time, cells[0]);
	num_format(b->open, cells[1]);
	num_format(b->high, cells[2]);
	num_format(b->low, cells[3]);
	num_format(b->close, cells[4]);
	num_format(b->volume, cells[5]);
}

/*
 * The table helper's layout, in two passes over the bars instead of a
 * copy of every cell: a year of minute bars is hundreds of thousands.
 */
static void
print_bars_table(const struct query *q)
{
	static const char *const headers[6] = { "TIME", "OPEN", "HIGH", "LOW",
	    "CLOSE", "VOLUME" };
	char	cells[6][CELL_MAX];
	int	width[6], col, len;
	size_t	i;

	for (col = 0; col < 6; col++)
		width[col] = (int)strlen(headers[col]);
	for (i = 0; i < q->n; i++) {
		format_bar(&q->bars[(q->head + i) % q->n], cells);
		for (col = 0; col < 6; col++)
			if ((len = (int)strlen(cells[col])) > width[col])
				width[col] = len;
	}
	printf("%-*s", width[0], headers[0]);
	for (col = 1; col < 6; col++)
		printf("  %*s", width[col], headers[col]);
	putchar('\n');
	for (i = 0; i < q->n; i++) {
		format_bar(&q->bars[(q->head + i) % q->n], cells);
		printf("%-*s", width[0], cells[0]);
		for (col = 1; col < 6; col++)
			printf("  %*s", width[col], cells[col]);
		putchar('\n');
	}
}

static int
run_bars(struct cli *c)
{
	const char	*from = cli_opt(c, "from"), *to = cli_opt(c, "to");
	struct query	 q;
	char		 err[1024];
	int64_t		 limit;
	int		 r;

	memset(&q, 0, sizeof q);
	q.symbol = c->args[0];
	q.from = TIME_FIRST;
	q.to = TIME_LAST;
	if ((r = parse_symbol(c, q.symbol)) != 0 ||
	    (r = parse_interval(c, c->args[1], &q.iv)) != 0 ||
	    (from != NULL && (r = cli_parse_when(c, "--from", from, 0,
	    &q.from)) != 0) ||
	    (to != NULL && (r = cli_parse_when(c, "--to", to, 1,
	    &q.to)) != 0) ||
	    (r = cli_opt_int(c, "limit", 1, LIMIT_MAX, 0, &limit)) != 0)
		return r;
	if (q.from < TIME_FIRST)
		q.from = TIME_FIRST;
	if (q.to > TIME_LAST)
		q.to = TIME_LAST;
	if (q.from > q.to)
		return cli_usage(c, "--from is after --to");
	q.limit = (size_t)limit;
	if ((r = cli_open_store(c, 0)) != 0)
		return r;
	if ((r = store_read(c->store, read_bars, &q, err, sizeof err)) != 0) {
		free(q.bars);
		return cli_fail(c, cli_status_of(r), "%s", err);
	}
	if (q.stored == 0)
		r = cli_fail(c, CLI_FAILED, "no bars stored for %s", q.symbol);
	else if (!serves(q.stored, q.iv))
		r = cli_fail(c, CLI_FAILED, "%s has no %s bars, and no minute "
		    "bars to make them from", q.symbol, interval_name(q.iv));
	else if (cli_opt(c, "json") != NULL)
		print_bars_json(&q);
	else
		print_bars_table(&q);
	free(q.bars);
	return r;
}

const struct cli_command cli_cmd_bars = {
	.name = "bars",
	.run = run_bars,
	.usage = "SYMBOL INTERVAL [--from DATE] [--to DATE] [--limit N] [--json]",
	.min_args = 2,
	.max_args = 2,
	.options = bars_options,
	.help = "Print bars at an interval, resampled from minutes if needed",
};

/* ---- symbols ----------------------------------------------------------------- */

static const struct cli_option symbols_options[] = {
	{ "json", NULL, "print a JSON array (the REST API's shape)" },
	{ NULL, NULL, NULL },
};

/* "all" when every interval can be served, else the list. */
static void
served_text(unsigned served, struct buf *out)
{
	int	i;

	if (served == (1u << INTERVAL_COUNT) - 1) {
		buf_adds(out, "all (from minute bars)");
		return;
	}
	for (i = 0; i < INTERVAL_COUNT; i++) {
		if (!(served & (1u << i)))
			continue;
		if (out->len > 0)
			buf_addc(out, ',');
		buf_adds(out, interval_name((enum interval)i));
	}
}

static void
print_symbols_table(const struct symbol_info *items, size_t n)
{
	static const char *const headers[] = { "SYMBOL", "STORED", "FIRST",
	    "LAST", "BARS", "SERVES" };
	struct table	t;
	struct buf	serves_text = BUF_INIT;
	char		first[TIME_ISO_LEN + 1], last[TIME_ISO_LEN + 1];
	size_t		i;
	int		iv, row;

	table_init(&t, "llllrl", headers);
	for (i = 0; i < n; i++) {
		buf_reset(&serves_text);
		served_text(items[i].served, &serves_text);
		for (iv = 0, row = 0; iv < INTERVAL_COUNT; iv++) {
			const struct bar_range *br = &items[i].ranges[iv];

			if (!(items[i].stored & (1u << iv)))
				continue;
			time_format_iso(br->first, first);
			time_format_iso(br->last, last);
			table_cell(&t, row == 0 ? items[i].symbol : "");
			table_cell(&t, interval_name((enum interval)iv));
			table_cell(&t, first);
			table_cell(&t, last);
			table_cellf(&t, "%llu", (unsigned long long)br->count);
			table_cell(&t, row++ == 0 ? buf_str(&serves_text) : "");
		}
	}
	table_print(&t);
	buf_free(&serves_text);
}

static int
run_symbols(struct cli *c)
{
	const char		*symbol = c->nargs > 0 ? c->args[0] : NULL;
	struct symbol_info	*items = NULL;
	json_object		*arr = NULL;
	char			 err[1024];
	size_t			 n;
	int			 r, json = cli_opt(c, "json") != NULL;

	if (symbol != NULL && (r = parse_symbol(c, symbol)) != 0)
		return r;
	if ((r = cli_open_store(c, 0)) != 0)
		return r;
	/* The JSON comes from the function the REST API answers with. */
	if (json)
		r = symbols_to_json(c->store, symbol, &arr, err, sizeof err);
	else
		r = symbols_list(c->store, symbol, &items, &n, err,
		    sizeof err);
	if (r != 0)
		return cli_fail(c, cli_status_of(r), "%s", err);
	if (json)
		n = json_object_array_length(arr);
	if (symbol != NULL && n == 0)
		r = cli_fail(c, CLI_FAILED, "no bars stored for %s", symbol);
	else if (json) {
		cli_print_json(arr);
		arr = NULL;
	} else
		print_symbols_table(items, n);
	json_object_put(arr);
	free(items);
	return r;
}

const struct cli_command cli_cmd_symbols = {
	.name = "symbols",
	.run = run_symbols,
	.usage = "[SYMBOL] [--json]",
	.max_args = 1,
	.options = symbols_options,
	.help = "List symbols: stored bars and the intervals they serve",
};
