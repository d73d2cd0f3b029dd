/* notify.c: wake-up words in a shared mapping, waited on with futexes. */
#include "config.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mstime.h"
#include "notify.h"
#include "shmfile.h"
#include "xmalloc.h"

#define NOTIFY_FILE	"notify"
#define NOTIFY_SIZE	(NOTIFY_WORDS * sizeof(uint32_t))

struct notify {
	uint32_t	*words;	/* NOTIFY_WORDS, shared */
};

struct notify *
notify_open(const char *dir, char *err, size_t errlen)
{
	struct notify	*n;
	void		*map;

	if ((map = shmfile_map(dir, NOTIFY_FILE, NOTIFY_SIZE, NULL, err,
	    errlen)) == NULL)
		return NULL;
	n = xmalloc(sizeof *n);
	n->words = map;
	return n;
}

void
notify_close(struct notify *n)
{
	if (n == NULL)
		return;
	munmap(n->words, NOTIFY_SIZE);
	free(n);
}

uint32_t
notify_user_word(const char *uid)
{
	uint32_t	h = 2166136261u;	/* FNV-1a */

	for (; *uid != '\0'; uid++) {
		h ^= (unsigned char)*uid;
		h *= 16777619u;
	}
	return 1 + h % (NOTIFY_WORDS - 2);
}

uint32_t
notify_value(struct notify *n, uint32_t w)
{
	return __atomic_load_n(&n->words[w % NOTIFY_WORDS], __ATOMIC_ACQUIRE);
}

/*
 * A commit wakes its waiters as a tree: the writer wakes WAKE_FANOUT of
 * them and each one woken wakes WAKE_FANOUT more before its own work.
 * Waking a thousand at once made the writer pay for every wake-up in its
 * system call and then wait behind the processes it had woken, which the
 * scheduler prefers to a task that has just run: its commit took 50 ms.
 * Futex waiters of one word are woken in the order they slept, so the
 * ones that have not seen the move go first; a process woken after every
 * such one has found the word unmoved does not pass the wake on, and the
 * tree ends.
 */
#define WAKE_FANOUT	2

/*
 * A waiter sleeps with the bit of the value it saw, and a wake names the
 * bit of the value the word moved from: so the tree of one move wakes only
 * those that saw the word before it.  With plain wakes, the tree's last
 * branches woke processes that had already seen the move and slept again,
 * as many as the real ones: every stream ran twice per commit.  A process
 * that slept 32 moves ago shares its bit with the current ones; it is
 * woken in their tree, as it should be.
 */
static uint32_t
bit_of(uint32_t value)
{
	return 1u << (value % 32);
}

static void
wake(uint32_t *word, uint32_t from)
{
	/* Not FUTEX_PRIVATE_FLAG: the waiters are other processes. */
	syscall(SYS_futex, word, FUTEX_WAKE_BITSET, WAKE_FANOUT, NULL, NULL,
	    bit_of(from));
}

void
notify_bump(struct notify *n, uint32_t w)
{
	uint32_t	*word = &n->words[w % NOTIFY_WORDS];

	wake(word, __atomic_fetch_add(word, 1, __ATOMIC_RELEASE));
}

void
notify_bump_all(struct notify *n)
{
	uint32_t	w;

	for (w = 0; w < NOTIFY_GENERATION; w++)
		notify_bump(n, w);
}

int
notify_wait_until(struct notify *n, uint32_t w, uint32_t seen,
    int64_t deadline_ms)
{
	struct timespec	 ts;
	uint32_t	*word = &n->words[w % NOTIFY_WORDS];

	if (deadline_ms < 0)
		deadline_ms = 0;
	/* FUTEX_WAIT_BITSET's timeout is a time of CLOCK_MONOTONIC. */
	ts.tv_sec = (time_t)(deadline_ms / 1000);
	ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
	if (syscall(SYS_futex, word, FUTEX_WAIT_BITSET, seen, &ts, NULL,
	    bit_of(seen)) == 0) {
		/* Woken: pass the wake on to others that saw seen. */
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != seen)
			wake(word, seen);
		return 0;
	}
	if (errno == EAGAIN)	/* the word had already moved */
		return 0;
	if (errno != ETIMEDOUT && errno != EINTR)
		errno = EINTR;	/* unexpected: let the caller re-check */
	return -1;
}

int
notify_wait(struct notify *n, uint32_t w, uint32_t seen, int64_t timeout_ms)
{
	return notify_wait_until(n, w, seen, mono_ms() +
	    (timeout_ms > 0 ? timeout_ms : 0));
}
