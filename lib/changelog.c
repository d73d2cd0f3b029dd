/* changelog.c: the change log: a sequence counter in STORE_META and records in STORE_CHANGES. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "changelog.h"
#include "mstime.h"
#include "notify.h"
#include "pack.h"
#include "store-int.h"
#include "tail.h"
#include "xmalloc.h"

/* 1: before the users' own numbers (store format 1), still read. */
#define CHANGE_VERSION_1	1
#define CHANGE_VERSION		2
#define META_SEQ		"seq"
/* A user's own counter: this prefix, then the uid. */
#define META_USER_SEQ		"useq/"

/*
 * Sequence numbers taken before a machine crash may be lost with the log
 * tail that was not yet on disk (commits of engine progress do not wait
 * for the disk), yet browsers may hold them as event ids.  After a reboot
 * the counter therefore jumps by far more than a machine can commit in the
 * time the kernel keeps writes unflushed.
 */
#define REBOOT_SEQ_GAP	(UINT64_C(1) << 24)

/*
 * Reads record key of STORE_META, of exactly len bytes with a first byte
 * of 1, into rec, write-locking it in a write transaction.  Returns 0,
 * DB_NOTFOUND or a store code.
 */
static int
meta_read(struct store_txn *txn, const void *k, size_t klen,
    unsigned char *rec, size_t len)
{
	DB	*db = store_db(txn, STORE_META);
	DBT	 key, data;
	int	 r;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = (void *)(uintptr_t)k;
	key.size = (uint32_t)klen;
	data.data = rec;
	data.ulen = (uint32_t)len;
	data.flags = DB_DBT_USERMEM;
	r = db->get(db, txn->tid, &key, &data, txn->writable ? DB_RMW : 0);
	if (r == 0 && (data.size != len || rec[0] != 1))
		return store_fail(txn, EIO, "change counter record is damaged");
	return r;
}

static int
meta_write(struct store_txn *txn, const void *k, size_t klen,
    const unsigned char *rec, size_t len)
{
	DB	*db = store_db(txn, STORE_META);
	DBT	 key, data;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = (void *)(uintptr_t)k;
	key.size = (uint32_t)klen;
	data.data = (void *)(uintptr_t)rec;
	data.size = (uint32_t)len;
	return db->put(db, txn->tid, &key, &data, 0);
}

/*
 * Reads the next free number, write-locking the counter: from here to the
 * commit no other writer can take a number, which is what makes sequence
 * order equal commit order.
 */
static int
read_counter(struct store_txn *txn, uint64_t *next)
{
	unsigned char	rec[9];
	int		r;

	r = meta_read(txn, META_SEQ, sizeof META_SEQ - 1, rec, sizeof rec);
	if (r == DB_NOTFOUND) {
		*next = 1;
		return 0;
	}
	if (r == 0)
		*next = store_get_be64(rec + 1);
	return r;
}

static int
write_counter(struct store_txn *txn, uint64_t next)
{
	unsigned char	rec[9];

	rec[0] = 1;
	store_put_be64(rec + 1, next);
	return meta_write(txn, META_SEQ, sizeof META_SEQ - 1, rec, sizeof rec);
}

/* ---- the users' own numbers ------------------------------------------ */

/*
 * Event ids must say nothing of other users' activity, so each user has
 * a counter of its own changes too: its record holds the next number and
 * the log sequence number of the user's last change.
 */
struct user_counter {
	unsigned char	key[sizeof META_USER_SEQ - 1 + UID_MAX];
	size_t		klen;
	unsigned char	rec[17];
};

/* Reads uid's counter: 0, DB_NOTFOUND (no change yet) or a store code. */
static int
user_counter_read(struct store_txn *txn, const char *uid,
    struct user_counter *uc)
{
	size_t	n = strlen(uid);

	if (n == 0 || n > UID_MAX)
		return EINVAL;
	memcpy(uc->key, META_USER_SEQ, sizeof META_USER_SEQ - 1);
	memcpy(uc->key + sizeof META_USER_SEQ - 1, uid, n);
	uc->klen = sizeof META_USER_SEQ - 1 + n;
	return meta_read(txn, uc->key, uc->klen, uc->rec, sizeof uc->rec);
}

/*
 * Takes uid's next own number into *useq for the change at log sequence
 * seq.  A change lost with the log's tail in a crash took a number too
 * (which a browser may hold): when the log's counter jumped since the
 * user's last change (changelog_reboot_jump), the user's jumps as well.
 */
static int
user_number_take(struct store_txn *txn, const char *uid, uint64_t seq,
    uint64_t *useq)
{
	struct user_counter	uc;
	uint64_t		next = 1;
	int			r;

	r = user_counter_read(txn, uid, &uc);
	if (r != 0 && r != DB_NOTFOUND)
		return r;
	if (r == 0) {
		next = store_get_be64(uc.rec + 1);
		if (seq - store_get_be64(uc.rec + 9) >= REBOOT_SEQ_GAP)
			next += REBOOT_SEQ_GAP;
	}
	*useq = next;
	uc.rec[0] = 1;
	store_put_be64(uc.rec + 1, next + 1);
	store_put_be64(uc.rec + 9, seq);
	return meta_write(txn, uc.key, uc.klen, uc.rec, sizeof uc.rec);
}

int
changelog_user_head(struct store_txn *txn, const char *uid, uint64_t *useq)
{
	struct user_counter	uc;
	int			r;

	r = user_counter_read(txn, uid, &uc);
	*useq = r == 0 ? store_get_be64(uc.rec + 1) - 1 : 0;
	return r == DB_NOTFOUND ? 0 : r;
}

/* ---- the log ---------------------------------------------------------- */

/*
 * Puts the change just logged under txn->seq into the tail, the shared
 * copy woken streams read without a transaction (lib/tail.h).  The
 * counter stays write-locked until the commit, so slots fill in order.
 * On its first change a writer also publishes the one before its
 * counter: that one is committed (the counter moved past it), and if its
 * writer died before publishing, the streams would otherwise miss it in
 * the tail until a later change.
 */
static void
tail_append(struct store_txn *txn, enum change_kind kind, const char *uid,
    const char *id, uint32_t aux, uint64_t useq, int64_t time_ms)
{
	struct tail	*t = store_tail(txn->store);
	struct change	 c;

	if (txn->first_seq == 0) {
		tail_writer_begin(t);
		txn->first_seq = txn->seq;
		tail_publish(t, txn->seq - 1, txn->seq - 1);
	}
	memset(&c, 0, sizeof c);
	c.seq = txn->seq;
	c.useq = useq;
	c.time_ms = time_ms;
	c.kind = kind;
	snprintf(c.uid, sizeof c.uid, "%s", uid);
	snprintf(c.id, sizeof c.id, "%s", id);
	c.aux = aux;
	/*
	 * Inside the transaction the gate keeps recovery out, so the
	 * generation is the one the transaction began in.
	 */
	tail_put(t, &c, notify_value(store_notify(txn->store),
	    NOTIFY_GENERATION));
}

int
changelog_append(struct store_txn *txn, enum change_kind kind,
    const char *uid, const char *id, uint32_t aux)
{
	DB		*db = store_db(txn, STORE_CHANGES);
	struct buf	 rec = BUF_INIT;
	unsigned char	 k[8];
	uint64_t	 seq, useq = 0;
	int64_t		 time_ms;
	DBT		 key, data;
	int		 r;

	if ((r = read_counter(txn, &seq)) != 0 || (uid[0] != '\0' &&
	    (r = user_number_take(txn, uid, seq, &useq)) != 0))
		return r;
	time_ms = wall_ms();
	pack_u8(&rec, CHANGE_VERSION);
	pack_u8(&rec, (uint8_t)kind);
	pack_i64(&rec, time_ms);
	pack_str(&rec, uid);
	pack_str(&rec, id);
	pack_u32(&rec, aux);
	pack_u64(&rec, useq);
	store_put_be64(k, seq);
	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = k;
	key.size = sizeof k;
	data.data = rec.data;
	data.size = (uint32_t)rec.len;
	r = db->put(db, txn->tid, &key, &data, 0);
	buf_free(&rec);
	if (r == 0)
		r = write_counter(txn, seq + 1);
	if (r != 0)
		return r;
	txn->seq = seq;
	tail_append(txn, kind, uid, id, aux, useq, time_ms);
	if (uid[0] != '\0')
		store_txn_wake(txn, notify_user_word(uid));
	return 0;
}

void
changelog_append_record(struct store_txn *txn, const void *rec, size_t len,
    const char *text)
{
	tail_put_record(store_tail(txn->store), txn->seq, rec, len, text);
}

int
changelog_reboot_jump(struct store_txn *txn)
{
	uint64_t	next;
	int		r;

	if ((r = read_counter(txn, &next)) != 0)
		return r;
	return write_counter(txn, next + REBOOT_SEQ_GAP);
}

static int
decode(const DBT *key, const DBT *data, struct change *c)
{
	struct unpack	u;
	uint8_t		version;

	if (key->size != 8)
		return -1;
	c->seq = store_get_be64(key->data);
	unpack_init(&u, data->data, data->size);
	version = unpack_u8(&u);
	if (version != CHANGE_VERSION && version != CHANGE_VERSION_1)
		return -1;
	c->kind = (enum change_kind)unpack_u8(&u);
	c->time_ms = unpack_i64(&u);
	unpack_str(&u, c->uid, sizeof c->uid);
	unpack_str(&u, c->id, sizeof c->id);
	c->aux = unpack_u32(&u);
	c->useq = version == CHANGE_VERSION ? unpack_u64(&u) : 0;
	return u.bad ? -1 : 0;
}

int
changelog_user_key(DB *db, const DBT *pkey, const DBT *pdata, DBT *skey)
{
	struct change	 c;
	unsigned char	*k;
	size_t		 n;

	(void)db;
	if (decode(pkey, pdata, &c) == -1)
		return EINVAL;
	if (c.uid[0] == '\0')
		return DB_DONOTINDEX;
	n = strlen(c.uid);
	k = xmalloc(n + 1 + 8);
	memcpy(k, c.uid, n + 1);
	store_put_be64(k + n + 1, c.seq);
	memset(skey, 0, sizeof *skey);
	skey->data = k;
	skey->size = (uint32_t)(n + 1 + 8);
	skey->flags = DB_DBT_APPMALLOC;
	return 0;
}

struct read_arg {
	struct store_txn	*txn;
	int			(*fn)(const struct change *, void *);
	void			*arg;
};

static int
read_one(const DBT *pkey, const DBT *data, void *arg)
{
	struct read_arg	*ra = arg;
	struct change	 c;

	if (decode(pkey, data, &c) == -1)
		return store_fail(ra->txn, EIO, "a change record is damaged");
	return ra->fn(&c, ra->arg);
}

int
changelog_read_since(struct store_txn *txn, const char *uid, uint64_t after,
    int (*fn)(const struct change *, void *), void *arg)
{
	struct read_arg	 ra = { txn, fn, arg };
	unsigned char	 k[UID_MAX + 1 + 8];
	size_t		 n;

	n = strlen(uid);
	if (n == 0 || n > UID_MAX)
		return EINVAL;
	memcpy(k, uid, n + 1);
	store_put_be64(k + n + 1, after + 1);
	return store_scan(txn, STORE_CHANGES_BY_USER, k, n + 1 + 8, n + 1, 0,
	    read_one, &ra);
}

int
changelog_read_after(struct store_txn *txn, uint64_t after,
    int (*fn)(const struct change *, void *), void *arg)
{
	struct read_arg	 ra = { txn, fn, arg };
	unsigned char	 k[8];

	store_put_be64(k, after + 1);
	return store_scan(txn, STORE_CHANGES, k, sizeof k, 0, 0, read_one,
	    &ra);
}

int
changelog_head(struct store_txn *txn, uint64_t *seq)
{
	uint64_t	next;
	int		r;

	if ((r = read_counter(txn, &next)) != 0)
		return r;
	*seq = next - 1;
	return 0;
}

int
changelog_first(struct store_txn *txn, uint64_t *seq)
{
	DB	*db = store_db(txn, STORE_CHANGES);
	DBC	*cur;
	DBT	 key, data;
	int	 r, cr;

	if ((r = db->cursor(db, txn->tid, &cur, 0)) != 0)
		return r;
	store_dbt_out(txn, &key);
	store_dbt_out(txn, &data);
	data.flags |= DB_DBT_PARTIAL;	/* only the key is wanted */
	r = cur->get(cur, &key, &data, DB_FIRST);
	cr = cur->close(cur);
	if (r == 0 && key.size == 8)
		*seq = store_get_be64(key.data);
	store_dbt_free(&key);
	store_dbt_free(&data);
	if (r == DB_NOTFOUND) {
		if ((r = changelog_head(txn, seq)) == 0)
			(*seq)++;
	}
	return r != 0 ? r : cr;
}

struct trim {
	int64_t	cutoff_ms;
	int	deleted;
	int	more;
};

#define TRIM_BATCH	500

static int
trim_batch(struct store_txn *txn, void *arg)
{
	struct trim	*t = arg;
	DB		*db = store_db(txn, STORE_CHANGES);
	DBC		*cur;
	DBT		 key, data;
	struct change	 c;
	int		 r, cr;

	t->deleted = 0;
	t->more = 0;
	if ((r = db->cursor(db, txn->tid, &cur, 0)) != 0)
		return r;
	store_dbt_out(txn, &key);
	store_dbt_out(txn, &data);
	while ((r = cur->get(cur, &key, &data, DB_NEXT | DB_RMW)) == 0) {
		if (decode(&key, &data, &c) == 0 && c.time_ms >= t->cutoff_ms)
			break;
		if ((r = cur->del(cur, 0)) != 0)
			break;
		if (++t->deleted == TRIM_BATCH) {
			t->more = 1;
			break;
		}
	}
	cr = cur->close(cur);
	store_dbt_free(&key);
	store_dbt_free(&data);
	if (r == DB_NOTFOUND)
		r = 0;
	return r != 0 ? r : cr;
}

int64_t
changelog_trim(struct store *s, int64_t cutoff_ms, char *err, size_t errlen)
{
	struct trim	t;
	int64_t		total = 0;

	t.cutoff_ms = cutoff_ms;
	do {
		if (store_write(s, 0, trim_batch, &t, err, errlen) != 0)
			return -1;
		total += t.deleted;
	} while (t.more);
	return total;
}
