/* notify.c: wake-up words in a shared mapping, waited on with futexes. */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
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
	struct stat	 st;
	char		 path[4096];
	void		*map;
	int		 fd, r;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, NOTIFY_FILE) >=
	    sizeof path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return NULL;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/*
	 * Growing the file with ftruncate is safe against a concurrent
	 * creator: both make it the same size, and new bytes read as zero.
	 */
	if (fstat(fd, &st) == -1 || (st.st_size < (off_t)NOTIFY_SIZE &&
	    ftruncate(fd, (off_t)NOTIFY_SIZE) == -1)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	/*
	 * The page must have its disk block before it is mapped: the first
	 * write to a hole on a full disk would be SIGBUS, not an error.
	 */
	if ((r = posix_fallocate(fd, 0, (off_t)NOTIFY_SIZE)) != 0 &&
	    r != EOPNOTSUPP && r != EINVAL) {
		snprintf(err, errlen, "%s: %s", path, strerror(r));
		close(fd);
		return NULL;
	}
	map = mmap(NULL, NOTIFY_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0);
	close(fd);
	if (map == MAP_FAILED) {
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return NULL;
	}
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

void
notify_bump(struct notify *n, uint32_t w)
{
	uint32_t	*word = &n->words[w % NOTIFY_WORDS];

	__atomic_add_fetch(word, 1, __ATOMIC_RELEASE);
	/* Not FUTEX_PRIVATE_FLAG: the waiters are other processes. */
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
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
	if (syscall(SYS_futex, word, FUTEX_WAIT, seen, &ts, NULL, 0) == 0)
		return 0;
	if (errno == EAGAIN)	/* the word had already moved */
		return 0;
	if (errno != ETIMEDOUT && errno != EINTR)
		errno = EINTR;	/* unexpected: let the caller re-check */
	return -1;
}
