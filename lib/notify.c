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

static void
wake(uint32_t *word)
{
	/* Not FUTEX_PRIVATE_FLAG: the waiters are other processes. */
	syscall(SYS_futex, word, FUTEX_WAKE, WAKE_FANOUT, NULL, NULL, 0);
}

void
notify_bump(struct notify *n, uint32_t w)
{
	uint32_t	*word = &n->words[w % NOTIFY_WORDS];

	__atomic_add_fetch(word, 1, __ATOMIC_RELEASE);
	wake(word);
}

int
notify_wait(struct notify *n, uint32_t w, uint32_t seen, int64_t timeout_ms)
{
	struct timespec	 ts;
	uint32_t	*word = &n->words[w % NOTIFY_WORDS];

	if (timeout_ms < 0)
		timeout_ms = 0;
	ts.tv_sec = (time_t)(timeout_ms / 1000);
	ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	if (syscall(SYS_futex, word, FUTEX_WAIT, seen, &ts, NULL, 0) == 0) {
		/* Woken: pass the wake on while the word has moved. */
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != seen)
			wake(word);
		return 0;
	}
	if (errno == EAGAIN)	/* the word had already moved */
		return 0;
	if (errno != ETIMEDOUT && errno != EINTR)
		errno = EINTR;	/* unexpected: let the caller re-check */
	return -1;
}
