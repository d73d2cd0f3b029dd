/* shmfile.c: mapping a file of the environment directory, shared. */
#include "config.h"

#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shmfile.h"

static void
lock_file(int fd, int how)
{
	while (flock(fd, how) == -1 && errno == EINTR)
		;
}

/* Sizes fd's file: 0, or an errno value. */
static int
size_file(int fd, size_t size)
{
	struct stat	st;
	int		r;

	/*
	 * Growing the file with ftruncate is safe against a concurrent
	 * creator: both make it the same size, and new bytes read as zero.
	 */
	if (fstat(fd, &st) == -1 || (st.st_size < (off_t)size &&
	    ftruncate(fd, (off_t)size) == -1))
		return errno;
	/*
	 * Every page must have its disk block before it is mapped: the first
	 * write to a hole on a full disk would be SIGBUS, not an error.
	 */
	r = posix_fallocate(fd, 0, (off_t)size);
	return r == EOPNOTSUPP || r == EINVAL ? 0 : r;
}

void *
shmfile_map(const char *dir, const char *name, size_t size,
    void (*init)(void *map), char *err, size_t errlen)
{
	char	 path[4096];
	void	*map = MAP_FAILED;
	int	 fd, r;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return NULL;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (init != NULL)
		lock_file(fd, LOCK_EX);
	if ((r = size_file(fd, size)) == 0) {
		map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    0);
		if (map == MAP_FAILED)
			r = errno;
		else if (init != NULL)
			init(map);
	}
	if (init != NULL)
		lock_file(fd, LOCK_UN);
	close(fd);
	if (r != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(r));
		return NULL;
	}
	return map;
}
