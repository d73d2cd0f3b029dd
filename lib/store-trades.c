/* store-trades.c: trades keyed by job id and sequence number. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "changelog.h"
#include "pack.h"
#include "store-int.h"
#include "store-trades.h"

#define TRADE_VERSION	1
#define KEY_MAX		(ID_MAX + 1 + 4)

/* Key: job id, NUL, big-endian seq; so a job's trades sort in order. */
static size_t
make_key(unsigned char *k, const char *job_id, uint32_t seq)
{
	size_t	n = strlen(job_id);

	memcpy(k, job_id, n + 1);
	k[n + 1] = (unsigned char)(seq >> 24);
	k[n + 2] = (unsigned char)(seq >> 16);
	k[n + 3] = (unsigned char)(seq >> 8);
	k[n + 4] = (unsigned char)seq;
	return n + 5;
}

static void
encode(const struct trade *t, struct buf *out)
{
	pack_u8(out, TRADE_VERSION);
	pack_u32(out, t->seq);
	pack_i64(out, t->time);
	pack_u8(out, (uint8_t)t->side);
	pack_u8(out, (uint8_t)t->reason);
	pack_f64(out, t->price);
	pack_i64(out, t->quantity);
	pack_f64(out, t->commission);
	pack_f64(out, t->cash_after);
	pack_f64(out, t->pnl);
}

static int
decode(const void *data, size_t len, struct trade *t)
{
	struct unpack	u;

	unpack_init(&u, data, len);
	if (unpack_u8(&u) != TRADE_VERSION)
		return -1;
	t->seq = unpack_u32(&u);
	t->time = unpack_i64(&u);
	t->side = unpack_u8(&u) == TRADE_BUY ? TRADE_BUY : TRADE_SELL;
	t->reason = unpack_u8(&u) == TRADE_SIGNAL ? TRADE_SIGNAL :
	    TRADE_END_OF_DATA;
	t->price = unpack_f64(&u);
	t->quantity = unpack_i64(&u);
	t->commission = unpack_f64(&u);
	t->cash_after = unpack_f64(&u);
	t->pnl = unpack_f64(&u);
	return u.bad ? -1 : 0;
}

int
trades_append(struct store_txn *txn, const struct job *j,
    const struct trade *t, size_t n)
{
	DB		*db = store_db(txn, STORE_TRADES);
	struct buf	 rec = BUF_INIT;
	unsigned char	 k[KEY_MAX];
	DBT		 key, data;
	size_t		 i;
	int		 r = 0;

	if (n == 0)
		return 0;
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	for (i = 0; i < n && r == 0; i++) {
		buf_reset(&rec);
		encode(&t[i], &rec);
		key.data = k;
		key.size = (uint32_t)make_key(k, j->id, t[i].seq);
		data.data = rec.data;
		data.size = (uint32_t)rec.len;
		r = db->put(db, txn->tid, &key, &data, 0);
	}
	buf_free(&rec);
	if (r != 0)
		return r;
	return changelog_append(txn, CHANGE_TRADES, j->uid, j->id,
	    t[n - 1].seq);
}

struct list_arg {
	struct store_txn	*txn;
	int			(*fn)(const struct trade *, void *);
	void			*arg;
};

static int
list_one(const DBT *key, const DBT *data, void *arg)
{
	struct list_arg	*la = arg;
	struct trade	 t;

	(void)key;
	if (decode(data->data, data->size, &t) == -1)
		return store_fail(la->txn, EIO, "a trade record is damaged");
	return la->fn(&t, la->arg);
}

int
trades_list(struct store_txn *txn, const char *job_id, uint32_t after,
    int limit, int (*fn)(const struct trade *, void *), void *arg)
{
	struct list_arg	 la = { txn, fn, arg };
	unsigned char	 k[KEY_MAX];
	size_t		 n;

	if (strlen(job_id) > ID_MAX || after == UINT32_MAX)
		return 0;
	n = make_key(k, job_id, after + 1);
	return store_scan(txn, STORE_TRADES, k, n, n - 4, limit, list_one,
	    &la);
}

static int
delete_one(const DBT *key, const DBT *data, void *arg)
{
	struct store_txn	*txn = arg;
	DB			*db = store_db(txn, STORE_TRADES);

	(void)data;
	return db->del(db, txn->tid, (DBT *)(uintptr_t)key, 0);
}

int
trades_clear(struct store_txn *txn, const struct job *j)
{
	unsigned char	k[KEY_MAX];
	size_t		n;
	int		r;

	if (j->trade_count == 0)
		return 0;
	n = make_key(k, j->id, 0);
	/*
	 * Deleting through the key the cursor just returned is safe in
	 * Berkeley DB: the cursor keeps its place.
	 */
	if ((r = store_scan(txn, STORE_TRADES, k, n, n - 4, 0, delete_one,
	    txn)) != 0)
		return r;
	return changelog_append(txn, CHANGE_TRADES_RESET, j->uid, j->id, 0);
}
