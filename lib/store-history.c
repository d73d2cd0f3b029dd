/* store-history.c: the history table and its per-user index. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "changelog.h"
#include "json.h"
#include "store-history.h"
#include "store-int.h"
#include "xmalloc.h"

int
history_user_key(DB *db, const DBT *pkey, const DBT *pdata, DBT *skey)
{
	const char	*uid;
	size_t		 n;
	uint64_t	 seq;
	unsigned char	*k;

	(void)db;
	(void)pkey;
	if (history_decode_index(pdata->data, pdata->size, &seq, &uid, &n) ==
	    -1)
		return EINVAL;
	/* uid, NUL, inverted seq: an ascending walk is newest first. */
	k = xmalloc(n + 1 + 8);
	memcpy(k, uid, n);
	k[n] = '\0';
	store_put_be64(k + n + 1, ~seq);
	memset(skey, 0, sizeof *skey);
	skey->data = k;
	skey->size = (uint32_t)(n + 1 + 8);
	skey->flags = DB_DBT_APPMALLOC;
	return 0;
}

static void
id_key(DBT *key, const char *id)
{
	memset(key, 0, sizeof *key);
	key->data = (void *)(uintptr_t)id;
	key->size = (uint32_t)strlen(id);
}

int
history_get(struct store_txn *txn, const char *id, struct history_entry *h)
{
	DB	*db = store_db(txn, STORE_HISTORY);
	DBT	 key, data;
	int	 r;

	if (strlen(id) > ID_MAX)
		return ENOENT;
	id_key(&key, id);
	store_dbt_out(txn, &data);
	if ((r = db->get(db, txn->tid, &key, &data, 0)) == DB_NOTFOUND)
		r = ENOENT;
	else if (r == 0 && history_decode(data.data, data.size, h) == -1)
		r = store_fail(txn, EIO, "history record %s is damaged", id);
	store_dbt_free(&data);
	return r;
}

int
history_create(struct store_txn *txn, struct history_entry *h)
{
	DB		*db = store_db(txn, STORE_HISTORY);
	struct buf	 rec = BUF_INIT;
	DBT		 key, data;
	json_object	*o;
	int		 r;

	if ((r = changelog_append(txn, CHANGE_BACKTEST, h->uid, h->id, 0)) !=
	    0)
		return r;
	h->seq = txn->seq;
	history_encode(h, &rec);
	id_key(&key, h->id);
	memset(&data, 0, sizeof data);
	data.data = rec.data;
	data.size = (uint32_t)rec.len;
	r = db->put(db, txn->tid, &key, &data, DB_NOOVERWRITE);
	if (r == 0) {
		o = history_to_json(h);
		changelog_append_record(txn, rec.data, rec.len, json_text(o));
		json_object_put(o);
	}
	buf_free(&rec);
	return r == DB_KEYEXIST ? EEXIST : r;
}

int
history_remove(struct store_txn *txn, const struct history_entry *h)
{
	int	r;

	if ((r = changelog_append(txn, CHANGE_BACKTEST_DELETED, h->uid, h->id,
	    0)) != 0)
		return r;
	return store_delete(txn, STORE_HISTORY, h->id);
}

struct list_arg {
	struct store_txn	*txn;
	int			(*fn)(const struct history_entry *, void *);
	void			*arg;
	struct history_entry	 entry;
};

static int
list_one(const DBT *pkey, const DBT *data, void *arg)
{
	struct list_arg	*la = arg;

	(void)pkey;
	if (history_decode(data->data, data->size, &la->entry) == -1)
		return store_fail(la->txn, EIO, "a history record is damaged");
	return la->fn(&la->entry, la->arg);
}

int
history_list(struct store_txn *txn, const char *uid, int limit,
    int (*fn)(const struct history_entry *, void *), void *arg)
{
	struct list_arg	*la;
	size_t		 n;
	int		 r;

	n = strlen(uid);
	if (n == 0 || n > UID_MAX)
		return 0;
	la = xmalloc(sizeof *la);
	la->txn = txn;
	la->fn = fn;
	la->arg = arg;
	/* Keys are uid, NUL, inverted seq: the uid and its NUL are the prefix. */
	r = store_scan(txn, STORE_HISTORY_BY_USER, uid, n + 1, n + 1, limit,
	    list_one, la);
	free(la);
	return r;
}
