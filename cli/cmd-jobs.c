/* cmd-jobs.c: jobs as a user sees them through the REST API: submit, jobs, job, transactions, cancel, delete. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ids.h"
#include "job.h"
#include "jobctl.h"
#include "json.h"
#include "numfmt.h"
#include "spec-parse.h"
#include "store-jobs.h"
#include "timefmt.h"
#include "trade.h"
#include "xmalloc.h"

/*
 * Every command goes through jobctl.h, scoped to --uid like the REST API:
 * another user's job answers exactly like a missing one.  An operator may
 * name --any-user instead, which looks up the job's owner first and then
 * acts as that user, through the same rules.
 */

#define SPEC_TEXT_MAX	(1024 * 1024)
#define LIST_DEFAULT	10
#define LIST_MAX	10000

/* ---- shared ------------------------------------------------------------------- */

/* Exactly one of --uid and --any-user; returns 0 or CLI_USAGE. */
static int
check_scope(struct cli *c, const char **uid)
{
	*uid = cli_opt(c, "uid");
	if (*uid != NULL && cli_opt(c, "any-user") != NULL)
		return cli_usage(c, "--uid and --any-user exclude each other");
	if (*uid == NULL && cli_opt(c, "any-user") == NULL)
		return cli_usage(c, "--uid is required (or --any-user, to act "
		    "on any user's job)");
	return *uid != NULL ? cli_check_uid(c, *uid) : 0;
}

struct owner {
	const char	*id;
	struct job	 job;
};

static int
read_owner(struct store_txn *txn, void *arg)
{
	struct owner	*o = arg;
	int		 r;

	if ((r = jobs_get(txn, o->id, &o->job)) == ENOENT)
		return store_fail(txn, ENOENT, "no job %s", o->id);
	return r;
}

/*
 * Checks the job id, opens the store and settles whose job it is: uid as
 * given, or the owner's (into owner, UID_MAX + 1 bytes) with --any-user.
 * Returns 0 or an exit status, after printing why.
 */
static int
prepare_job(struct cli *c, const char **uid, char *owner)
{
	const char	*id = c->args[0];
	struct owner	*o;
	char		 err[1024];
	int		 r;

	if ((r = check_scope(c, uid)) != 0)
		return r;
	/* What the REST API answers for a malformed id in its path. */
	if (!id_is_valid(id))
		return cli_fail(c, CLI_FAILED, "no job %.40s", id);
	if ((r = cli_open_store(c, 0)) != 0)
		return r;
	if (*uid != NULL)
		return 0;
	o = xcalloc(1, sizeof *o);
	o->id = id;
	r = store_read(c->store, read_owner, o, err, sizeof err);
	snprintf(owner, UID_MAX + 1, "%s", o->job.uid);
	free(o);
	if (r != 0)
		return cli_fail(c, cli_status_of(r), "%s", err);
	*uid = owner;
	return 0;
}

static char *
time_text(int64_t t, char *out)
{
	if (t == 0)
		return strcpy(out, "-");
	time_format_iso(t, out);
	return out;
}

/* ---- submit ------------------------------------------------------------------- */

static const struct cli_option submit_options[] = {
	{ "uid", "UID", "the user submitting (a token's sub)" },
	{ "json", "SPEC", "the job as JSON text" },
	{ "file", "FILE", "the job as a JSON file (- for stdin)" },
	{ NULL, NULL, NULL },
};

/* Reads at most SPEC_TEXT_MAX bytes of path into out; returns 0 or -1 with err. */
static int
read_text(const char *path, struct buf *out, char *err, size_t errlen)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;
	int	 r = 0;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(out, chunk, n);
		if (out->len > SPEC_TEXT_MAX) {
			snprintf(err, errlen, "%s: larger than %d bytes", path,
			    SPEC_TEXT_MAX);
			r = -1;
			break;
		}
	}
	if (r == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		r = -1;
	}
	if (f != stdin)
		fclose(f);
	return r;
}

static int
run_submit(struct cli *c)
{
	const char	*uid = cli_opt(c, "uid"), *text = cli_opt(c, "json");
	const char	*file = cli_opt(c, "file");
	struct buf	 in = BUF_INIT;
	struct job_spec	 spec;
	struct job	*job = NULL;
	json_object	*obj = NULL;
	char		 err[1024];
	int		 r;

	if (uid == NULL)
		return cli_usage(c, "--uid is required");
	if ((r = cli_check_uid(c, uid)) != 0)
		return r;
	if ((text == NULL) == (file == NULL))
		return cli_usage(c, "give the job with either --json or --file");
	if (file != NULL) {
		if (read_text(file, &in, err, sizeof err) == -1) {
			r = cli_fail(c, CLI_FAILED, "%s", err);
			goto out;
		}
	} else
		buf_adds(&in, text);
	/* null is refused by spec_from_json(), as the API refuses it. */
	if (json_parse_value(in.data == NULL ? "" : in.data, in.len, &obj,
	    err, sizeof err) == -1) {
		r = cli_fail(c, CLI_FAILED, "%s", err);
		goto out;
	}
	if (spec_from_json(obj, &spec, err, sizeof err) == -1) {
		r = cli_fail(c, CLI_FAILED, "%s", err);
		goto out;
	}
	if ((r = cli_open_store(c, 0)) != 0)
		goto out;
	job = xmalloc(sizeof *job);
	if ((r = jobctl_submit(c->store, uid, &spec,
	    (int)c->cfg.max_queued_jobs, job, err, sizeof err)) != 0) {
		r = cli_fail(c, cli_status_of(r), "%s", err);
		goto out;
	}
	cli_print_json(job_to_json(job));
out:
	free(job);
	json_object_put(obj);
	buf_free(&in);
	return r;
}

const struct cli_command cli_cmd_submit = {
	.name = "submit",
	.run = run_submit,
	.usage = "--uid UID (--json SPEC | --file FILE)",
	.options = submit_options,
	.help = "Queue a backtest for a user, checked as by the REST API",
};

/* ---- jobs ---------------------------------------------------------------------- */

static const struct cli_option jobs_options[] = {
	{ "uid", "UID", "whose jobs" },
	{ "any-user", NULL, "every user's jobs (operators)" },
	{ "status", "STATUS", "only queued, running, completed, failed or "
	  "cancelled jobs" },
	{ "limit", "N", "at most N jobs, newest first (default 10)" },
	{ "json", NULL, "print a JSON array" },
	{ NULL, NULL, NULL },
};

struct all_jobs {
	int		 status;	/* -1: any */
	size_t		 limit;
	struct job	*jobs;
	size_t		 n;
	size_t		 cap;
};

static int
newest_first(const void *a, const void *b)
{
	const struct job	*ja = a, *jb = b;

	return ja->create_seq < jb->create_seq ? 1 :
	    ja->create_seq > jb->create_seq ? -1 : 0;
}

/*
 * Keeps the newest limit jobs seen: when the array holds twice that, the
 * older half goes, so memory stays bounded however many jobs there are.
 */
static int
add_any_job(const struct job *j, void *arg)
{
	struct all_jobs	*a = arg;

	if (a->n == a->cap && a->n >= 2 * a->limit) {
		qsort(a->jobs, a->n, sizeof *a->jobs, newest_first);
		a->n = a->limit;
	}
	if (a->n == a->cap) {
		a->cap = a->cap == 0 ? 64 : a->cap * 2;
		a->jobs = xreallocarray(a->jobs, a->cap, sizeof *a->jobs);
	}
	a->jobs[a->n++] = *j;
	return 0;
}

static int
read_all_jobs(struct store_txn *txn, void *arg)
{
	struct all_jobs	*a = arg;
	int		 s, r;

	/* A snapshot read may run again after recovery: start empty. */
	a->n = 0;
	for (s = 0; s < JOB_STATUS_COUNT; s++) {
		if (a->status != -1 && s != a->status)
			continue;
		if ((r = jobs_scan_status(txn, (enum job_status)s, add_any_job,
		    a)) != 0)
			return r;
	}
	return 0;
}

/* Every user's jobs, newest first: an operator's view no user has. */
static int
list_all_jobs(struct store *s, int status, size_t limit, struct job **jobs,
    size_t *n, char *err, size_t errlen)
{
	struct all_jobs	a;
	int		r;

	memset(&a, 0, sizeof a);
	a.status = status;
	a.limit = limit;
	if ((r = store_read(s, read_all_jobs, &a, err, errlen)) != 0) {
		free(a.jobs);
		return r;
	}
	if (a.n > 0)
		qsort(a.jobs, a.n, sizeof *a.jobs, newest_first);
	*jobs = a.jobs;
	*n = a.n < limit ? a.n : limit;
	return 0;
}

static void
print_jobs_table(const struct job *jobs, size_t n, int with_user)
{
	static const char *const headers[] = { "JOB_ID", "STATUS", "PROGRESS",
	    "SYMBOL", "INTERVAL", "STRATEGY", "FROM", "TO", "CREATED",
	    "USER" };
	struct table	 t;
	char		 when[TIME_ISO_LEN + 1], date[DATE_LEN + 1];
	size_t		 i;

	table_init(&t, with_user ? "llrlllllll" : "llrllllll", headers);
	for (i = 0; i < n; i++) {
		const struct job *j = &jobs[i];

		table_cell(&t, j->id);
		table_cell(&t, job_status_name(j->status));
		table_cellf(&t, "%.1f%%", j->progress);
		table_cell(&t, j->spec.symbol);
		table_cell(&t, interval_name(j->spec.interval));
		table_cell(&t, j->spec.strategy);
		time_format_date(j->spec.start_date, date);
		table_cell(&t, date);
		time_format_date(j->spec.end_date, date);
		table_cell(&t, date);
		table_cell(&t, time_text(j->created_at, when));
		if (with_user)
			table_cell(&t, j->uid);
	}
	table_print(&t);
}

static int
run_jobs(struct cli *c)
{
	const char	*uid, *status_name = cli_opt(c, "status");
	enum job_status	 st;
	struct job	*jobs = NULL;
	json_object	*arr;
	char		 err[1024];
	int64_t		 limit;
	size_t		 n, i;
	int		 r, status = -1;

	if ((r = check_scope(c, &uid)) != 0 ||
	    (r = cli_opt_int(c, "limit", 1, LIST_MAX, LIST_DEFAULT,
	    &limit)) != 0)
		return r;
	if (status_name != NULL) {
		if (job_status_parse(status_name, &st) == -1)
			return cli_usage(c, "--status: unknown status \"%.40s\" "
			    "(known: queued, running, completed, failed, "
			    "cancelled)", status_name);
		status = (int)st;
	}
	if ((r = cli_open_store(c, 0)) != 0)
		return r;
	if (uid != NULL)
		r = jobctl_list(c->store, uid, status, (int)limit, &jobs, &n,
		    err, sizeof err);
	else
		r = list_all_jobs(c->store, status, (size_t)limit, &jobs, &n,
		    err, sizeof err);
	if (r != 0)
		return cli_fail(c, cli_status_of(r), "%s", err);
	if (cli_opt(c, "json") != NULL) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, job_to_json(&jobs[i]));
		cli_print_json(arr);
	} else
		print_jobs_table(jobs, n, uid == NULL);
	free(jobs);
	return CLI_OK;
}

const struct cli_command cli_cmd_jobs = {
	.name = "jobs",
	.run = run_jobs,
	.usage = "(--uid UID | --any-user) [--status STATUS] [--limit N] [--json]",
	.options = jobs_options,
	.help = "List a user's jobs, newest first",
};

/* ---- job, transactions, cancel, delete ------------------------------------------- */

/* Whose job: every job command takes these. */
#define JOB_OWNER_OPTIONS \
	{ "uid", "UID", "the user whose job it is" }, \
	{ "any-user", NULL, "whoever's job it is (operators)" }

static const struct cli_option job_options[] = {
	JOB_OWNER_OPTIONS,
	{ "json", NULL, "print JSON" },
	{ NULL, NULL, NULL },
};

static const struct cli_option delete_options[] = {
	JOB_OWNER_OPTIONS,
	{ NULL, NULL, NULL },
};

/*
 * What a command does to the job c->args[0] of uid, once whose it is is
 * settled: 0 after printing the outcome, or a jobctl error with the
 * reason in err.
 */
typedef int	job_action(struct cli *c, const char *uid, char *err,
		    size_t errlen);

/* Each job command's run: its action, found in job_actions by command. */
static int	run_on_job(struct cli *c);

static int
show_job(struct cli *c, const char *uid, char *err, size_t errlen)
{
	struct job	*job;
	json_object	*obj, *shown;
	int		 r;

	job = xmalloc(sizeof *job);
	if ((r = jobctl_get(c->store, uid, c->args[0], job, err,
	    errlen)) != 0) {
		free(job);
		return r;
	}
	obj = job_to_json(job);
	if (cli_opt(c, "json") != NULL)
		cli_print_json(obj);
	else {
		/* The API's shape has no owner: an operator wants to see it. */
		shown = json_object_new_object();
		json_object_object_add(shown, "user",
		    json_object_new_string(job->uid));
		json_object_object_foreach(obj, key, v)
			json_object_object_add(shown, key, json_object_get(v));
		cli_print_fields(shown);
		json_object_put(shown);
		json_object_put(obj);
	}
	free(job);
	return 0;
}

static void
print_trades_table(const struct trade *trades, size_t n)
{
	static const char *const headers[] = { "SEQ", "TIME", "SIDE", "PRICE",
	    "QUANTITY", "COMMISSION", "CASH_AFTER", "REASON", "PNL" };
	struct table	 t;
	char		 text[NUMFMT_MAX > TIME_ISO_LEN + 1 ? NUMFMT_MAX :
			    TIME_ISO_LEN + 1];
	size_t		 i;

	table_init(&t, "rllrrrrlr", headers);
	for (i = 0; i < n; i++) {
		const struct trade *tr = &trades[i];

		table_cellf(&t, "%lu", (unsigned long)tr->seq);
		time_format_iso(tr->time, text);
		table_cell(&t, text);
		table_cell(&t, tr->side == TRADE_BUY ? "BUY" : "SELL");
		num_format(tr->price, text);
		table_cell(&t, text);
		table_cellf(&t, "%lld", (long long)tr->quantity);
		num_format(tr->commission, text);
		table_cell(&t, text);
		num_format(tr->cash_after, text);
		table_cell(&t, text);
		table_cell(&t, tr->reason == TRADE_SIGNAL ? "signal" :
		    "end_of_data");
		if (tr->side == TRADE_SELL)
			num_format(tr->pnl, text);
		else
			strcpy(text, "-");
		table_cell(&t, text);
	}
	table_print(&t);
}

static int
list_trades(struct cli *c, const char *uid, char *err, size_t errlen)
{
	struct trade	*trades;
	json_object	*arr;
	size_t		 n, i;
	int		 r;

	if ((r = jobctl_trades(c->store, uid, c->args[0], &trades, &n, err,
	    errlen)) != 0)
		return r;
	if (cli_opt(c, "json") != NULL) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(arr, trade_to_json(&trades[i]));
		cli_print_json(arr);
	} else
		print_trades_table(trades, n);
	free(trades);
	return 0;
}

static int
cancel_job(struct cli *c, const char *uid, char *err, size_t errlen)
{
	struct job	*job;
	int		 r;

	job = xmalloc(sizeof *job);
	r = jobctl_cancel(c->store, uid, c->args[0], job, err, errlen);
	if (r == 0 && cli_opt(c, "json") != NULL)
		cli_print_json(job_to_json(job));
	else if (r == 0 && job->status == JOB_CANCELLED)
		printf("%s cancelled\n", job->id);
	else if (r == 0)
		printf("%s cancelling: its engine stops it shortly\n", job->id);
	free(job);
	return r;
}

static int
delete_job(struct cli *c, const char *uid, char *err, size_t errlen)
{
	int	r;

	if ((r = jobctl_delete(c->store, uid, c->args[0], err, errlen)) == 0)
		printf("%s deleted\n", c->args[0]);
	return r;
}

/* ---- the job commands' table -------------------------------------------------- */

/* A command on one job of a user's, or of anyone's (--any-user). */
#define JOB_COMMAND(n, opts, usage_tail, h) { \
	.name = (n), .run = run_on_job, \
	.usage = "ID (--uid UID | --any-user)" usage_tail, \
	.min_args = 1, .max_args = 1, .options = (opts), .help = (h) }

const struct cli_command cli_cmd_job = JOB_COMMAND("job", job_options,
    " [--json]", "Show a job: status, progress, parameters and results");
const struct cli_command cli_cmd_transactions = JOB_COMMAND("transactions",
    job_options, " [--json]",
    "List the transactions (fills) of a job, in order");
const struct cli_command cli_cmd_cancel = JOB_COMMAND("cancel", job_options,
    " [--json]", "Cancel a queued or running job");
const struct cli_command cli_cmd_delete = JOB_COMMAND("delete",
    delete_options, "",
    "Delete a job, its transactions and its history entry");

static const struct {
	const struct cli_command	*cmd;
	job_action			*action;
} job_actions[] = {
	{ &cli_cmd_job, show_job },
	{ &cli_cmd_transactions, list_trades },
	{ &cli_cmd_cancel, cancel_job },
	{ &cli_cmd_delete, delete_job },
};

/* The job commands' common part: whose job, the action, its failure. */
static int
run_on_job(struct cli *c)
{
	const char	*uid;
	char		 owner[UID_MAX + 1], err[1024];
	size_t		 i;
	int		 r;

	for (i = 0; job_actions[i].cmd != c->cmd; i++)
		;
	if ((r = prepare_job(c, &uid, owner)) != 0)
		return r;
	if ((r = job_actions[i].action(c, uid, err, sizeof err)) != 0)
		return cli_fail(c, cli_status_of(r), "%s", err);
	return CLI_OK;
}
