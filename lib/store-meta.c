/* store-meta.c: the store's format, and the boot it was last opened in. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "store-core.h"

/*
 * Version of the on-disk layout.  2: change records carry the user's own
 * sequence number (changelog.c).  A format-1 store is upgraded when first
 * opened for writing: its records stay readable as they are, so the
 * upgrade only writes the new number, which keeps older releases out.
 */
#define STORE_FORMAT		2
#define STORE_FORMAT_OLDEST	1

/* The meta keys (the change log keeps its counter here too). */
#define META_FORMAT	"format"
#define META_BOOT	"boot"

/* Reads the kernel's boot id (a UUID string) into out[40]; "" if unknown. */
static void
read_boot_id(char *out)
{
	ssize_t	n = 0;
	int	fd;

	out[0] = '\0';
	if ((fd = open("/proc/sys/kernel/random/boot_id",
	    O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, out, 39);
	close(fd);
	if (n <= 0)
		n = 0;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

struct meta_check {
	char	boot[40];
	int	create;
	int	write;		/* 0: only look; stale says a write is due */
	int	stale;
};

static int
check_meta(struct store_txn *txn, void *arg)
{
	struct meta_check	*mc = arg;
	DB			*db = store_db(txn, STORE_META);
	DBT			 key, data;
	unsigned char		 fmt[4];
	char			 stored[40];
	int			 r;

	memset(&key, 0, sizeof key);
	memset(&data, 0, sizeof data);
	key.data = META_FORMAT;
	key.size = sizeof META_FORMAT - 1;
	data.data = fmt;
	data.ulen = sizeof fmt;
	data.flags = DB_DBT_USERMEM;
	r = db->get(db, txn->tid, &key, &data, mc->write ? DB_RMW : 0);
	if (r != 0 && (r != DB_NOTFOUND || !mc->create))
		return r;
	if (r == 0 && (data.size != 1 || fmt[0] < STORE_FORMAT_OLDEST ||
	    fmt[0] > STORE_FORMAT))
		return store_fail(txn, EINVAL, "the store has format %u; this "
		    "release reads formats %u to %u", data.size == 1 ?
		    fmt[0] : 0, STORE_FORMAT_OLDEST, STORE_FORMAT);
	if (r == DB_NOTFOUND || fmt[0] != STORE_FORMAT) {
		/* A new store, or an older format to upgrade. */
		if (!mc->write) {
			mc->stale = 1;
			return 0;
		}
		fmt[0] = STORE_FORMAT;
		data.size = 1;
		if ((r = db->put(db, txn->tid, &key, &data, 0)) != 0)
			return r;
	}

	key.data = META_BOOT;
	key.size = sizeof META_BOOT - 1;
	data.data = stored;
	data.ulen = sizeof stored - 1;
	r = db->get(db, txn->tid, &key, &data, mc->write ? DB_RMW : 0);
	if (r != 0 && r != DB_NOTFOUND)
		return r;
	if (r == 0) {
		stored[data.size] = '\0';
		if (strcmp(stored, mc->boot) == 0)
			return 0;
	}
	if (!mc->write) {
		mc->stale = 1;
		return 0;
	}
	/* A new boot (or a new store): sequence numbers jump past any lost. */
	if (r == 0 && (r = changelog_reboot_jump(txn)) != 0)
		return r;
	data.data = mc->boot;
	data.size = (uint32_t)strlen(mc->boot);
	return db->put(db, txn->tid, &key, &data, 0);
}

int
store_check_meta(struct store *s, int create, char *err, size_t errlen)
{
	struct meta_check	mc;
	int			r;

	/*
	 * Look first, write only when the format or the boot is new: a
	 * thousand responders opening at once would otherwise queue for the
	 * meta page behind each other and behind every writer.
	 */
	memset(&mc, 0, sizeof mc);
	read_boot_id(mc.boot);
	mc.create = create;
	r = store_read(s, check_meta, &mc, err, errlen);
	/*
	 * In a replication group only the master can write, and its
	 * backstream-repd records the format and its host's boot; a boot
	 * of another host says nothing about the master's log.
	 */
	if (s->repl && !(s->repl_owner && store_is_master(s)))
		mc.stale = 0;
	if (r == 0 && mc.stale &&
	    (r = store_meta_make_writable(s, err, errlen)) == 0) {
		mc.write = 1;
		r = store_write(s, STORE_SYNC, check_meta, &mc, err, errlen);
	}
	return r;
}
