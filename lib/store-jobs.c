/* store-jobs.c: the jobs table and its secondary indexes. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changelog.h"
#include "json.h"
#include "store-int.h"
#include "store-jobs.h"
#include "xmalloc.h"

/* ---- index keys ------------------------------------------------------------ */

/*
 * Index keys end in the creation seq, inverted for the per-user indexes so
 * that an ascending cursor walks newest first.
 */

/* What an index key holds, in this order, before the creation seq. */
#define KEY_UID		0x1	/* the uid and a NUL */
#define KEY_STATUS	0x2	/* the status byte */
#define KEY_NEWEST	0x4	/* the seq inverted: newest first */

/* Builds the secondary key of a job record for an index of this shape. */
static int
index_key(const DBT *pdata, DBT *skey, int shape)
{
	enum job_status	 status;
	const char	*uid;
	unsigned char	*k;
	uint64_t	 seq;
	size_t		 n, len = 0;

	if (job_decode_index(pdata->data, pdata->size, &status, &seq, &uid,
	    &n) == -1)
		return EINVAL;
	k = xmalloc(n + 2 + 8);
	if (shape & KEY_UID) {
		memcpy(k, uid, n);
		k[n] = '\0';
		len = n + 1;
	}
	if (shape & KEY_STATUS)
		k[len++] = (unsigned char)status;
	store_put_be64(k + len, shape & KEY_NEWEST ? ~seq : seq);
	memset(skey, 0, sizeof *skey);
	skey->data = k;
	skey->size = (uint32_t)(len + 8);
	skey->flags = DB_DBT_APPMALLOC;
	return 0;
}

int
jobs_user_key(DB *db, const DBT *pkey, const DBT *pdata, DBT *skey)
{
	(void)db;
	(void)pkey;
	return index_key(pdata, skey, KEY_UID | KEY_NEWEST);
}

int
jobs_user_status_key(DB *db, const DBT *pkey, const DBT *pdata, DBT *skey)
{
	(void)db;
	(void)pkey;
	return index_key(pdata, skey, KEY_UID | KEY_STATUS | KEY_NEWEST);
}

int
jobs_status_key(DB *db, const DBT *pkey, const DBT *pdata, DBT *skey)
{
	(void)db;
	(void)pkey;
	return index_key(pdata, skey, KEY_STATUS);
}

/* ---- records --------------------------------------------------------------- */

static void
id_key(DBT *key, const char *id)
{
	memset(key, 0, sizeof *key);
	key->data = (void *)(uintptr_t)id;
	key->size = (uint32_t)strlen(id);
}

static int
get(struct store_txn *txn, const char *id, struct job *j, uint32_t flags)
{
	DB	*db = store_db(txn, STORE_JOBS);
	DBT	 key, data;
	int	 r;

	if (strlen(id) > ID_MAX)
		return ENOENT;
	id_key(&key, id);
	store_dbt_out(txn, &data);
	if ((r = db->get(db, txn->tid, &key, &data, flags)) == DB_NOTFOUND)
		r = ENOENT;
	else if (r == 0 && job_decode(data.data, data.size, j) == -1)
		r = store_fail(txn, EIO, "job record %s is damaged", id);
	store_dbt_free(&data);
	return r;
}

int
jobs_get(struct store_txn *txn, const char *id, struct job *j)
{
	return get(txn, id, j, 0);
}

int
jobs_get_for_update(struct store_txn *txn, const char *id, struct job *j)
{
	return get(txn, id, j, DB_RMW);
}

static int
put(struct store_txn *txn, const struct job *j, uint32_t flags)
{
	DB		*db = store_db(txn, STORE_JOBS);
	struct buf	 rec = BUF_INIT;
	DBT		 key, data;
	json_object	*o;
	int		 r;

	job_encode(j, &rec);
	id_key(&key, j->id);
	memset(&data, 0, sizeof data);
	data.data = rec.data;
	data.size = (uint32_t)rec.len;
	r = db->put(db, txn->tid, &key, &data, flags);
	/*
	 * Every put follows the change it logs: the record goes with it, and
	 * its text, made here once for all the streams that send it.
	 */
	if (r == 0) {
		o = job_to_json(j);
		changelog_append_record(txn, rec.data, rec.len, json_text(o));
		json_object_put(o);
	}
	buf_free(&rec);
	return r;
}

int
jobs_create(struct store_txn *txn, struct job *j)
{
	int	r;

	if ((r = changelog_append(txn, CHANGE_JOB, j->uid, j->id, 0)) != 0)
		return r;
	j->create_seq = txn->seq;
	r = put(txn, j, DB_NOOVERWRITE);
	return r == DB_KEYEXIST ? EEXIST : r;
}

int
jobs_update(struct store_txn *txn, const struct job *j)
{
	int	r;

	if ((r = changelog_append(txn, CHANGE_JOB, j->uid, j->id, 0)) != 0)
		return r;
	return put(txn, j, 0);
}

int
jobs_remove(struct store_txn *txn, const struct job *j)
{
	int	r;

	if ((r = changelog_append(txn, CHANGE_JOB_DELETED, j->uid, j->id,
	    0)) != 0)
		return r;
	return store_delete(txn, STORE_JOBS, j->id);
}

/* ---- scans ----------------------------------------------------------------- */

struct scan_arg {
	struct store_txn	*txn;
	int			(*fn)(const struct job *, void *);
	void			*arg;
	struct job		 job;
};

static int
scan_one(const DBT *pkey, const DBT *data, void *arg)
{
	struct scan_arg	*sa = arg;

	(void)pkey;
	if (job_decode(data->data, data->size, &sa->job) == -1)
		return store_fail(sa->txn, EIO, "a job record is damaged");
	return sa->fn(&sa->job, sa->arg);
}

static int
scan(struct store_txn *txn, enum store_table t, const unsigned char *prefix,
    size_t plen, int limit, int (*fn)(const struct job *, void *), void *arg)
{
	struct scan_arg	*sa;
	int		 r;

	/* struct job is large: keep it off the stack of small processes. */
	sa = xmalloc(sizeof *sa);
	sa->txn = txn;
	sa->fn = fn;
	sa->arg = arg;
	r = store_scan(txn, t, prefix, plen, plen, limit, scan_one, sa);
	free(sa);
	return r;
}

int
jobs_list(struct store_txn *txn, const char *uid, int status, int limit,
    int (*fn)(const struct job *, void *), void *arg)
{
	unsigned char	prefix[UID_MAX + 2];
	size_t		n;

	n = strlen(uid);
	if (n == 0 || n > UID_MAX)
		return 0;
	memcpy(prefix, uid, n);
	prefix[n] = '\0';
	if (status < 0)
		return scan(txn, STORE_JOBS_BY_USER, prefix, n + 1, limit, fn,
		    arg);
	prefix[n + 1] = (unsigned char)status;
	return scan(txn, STORE_JOBS_BY_USER_STATUS, prefix, n + 2, limit, fn,
	    arg);
}

int
jobs_scan_status(struct store_txn *txn, enum job_status status,
    int (*fn)(const struct job *, void *), void *arg)
{
	unsigned char	prefix[1];

	prefix[0] = (unsigned char)status;
	return scan(txn, STORE_JOBS_BY_STATUS, prefix, 1, 0, fn, arg);
}

struct counter {
	int	n;
	int	max;
};

static int
count_one(const struct job *j, void *arg)
{
	struct counter	*c = arg;

	(void)j;
	return ++c->n >= c->max ? STORE_STOP : 0;
}

int
jobs_count(struct store_txn *txn, const char *uid, enum job_status status,
    int max, int *count)
{
	struct counter	c = { 0, max };
	int		r;

	r = jobs_list(txn, uid, (int)status, 0, count_one, &c);
	*count = c.n;
	return r;
}
