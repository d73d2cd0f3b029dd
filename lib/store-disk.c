/* store-disk.c: what a full disk does to the environment, and the message that says so. */
#include "config.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "registry.h"
#include "store-core.h"

/* Whether name is one of Berkeley DB's region files: __db.001, ... */
static int
is_region_file(const char *name)
{
	return strncmp(name, "__db.", 5) == 0 && name[5] != '\0' &&
	    strspn(name + 5, "0123456789") == strlen(name + 5);
}

/*
 * Berkeley DB makes its region files (__db.001, ...) sparse and maps them
 * into memory: a page first touched while the disk is full kills the
 * process with SIGBUS instead of failing a write.  Allocating the files'
 * blocks at every open turns a full disk into ENOSPC here, with a message.
 * (A region that grows later is allocated at the next open or checkpoint;
 * filesystems that cannot allocate ahead keep the risk.)
 */
int
store_allocate_regions(struct store *s, char *err, size_t errlen)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		 path[4096];
	int		 fd, r = 0;

	if ((d = opendir(s->dir)) == NULL) {
		r = errno;
		snprintf(err, errlen, "%s: %s", s->dir, strerror(r));
		return r;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (!is_region_file(de->d_name) || store_path_in(path,
		    sizeof path, s->dir, de->d_name) == -1 ||
		    (fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
			continue;
		if (fstat(fd, &st) == 0 && st.st_size > 0 &&
		    (r = posix_fallocate(fd, 0, st.st_size)) != 0) {
			if (r == EOPNOTSUPP || r == EINVAL)
				r = 0;
			else
				snprintf(err, errlen, "%s: allocating disk "
				    "space for the environment: %s", path,
				    strerror(r));
		}
		close(fd);
	}
	closedir(d);
	return r;
}

/* Free space below which a failed write is put down to a full disk. */
#define DISK_LOW	(16 * 1024 * 1024)

int
store_disk_full(const struct store *s)
{
	struct statvfs	sv;

	return statvfs(s->dir, &sv) == 0 &&
	    (uint64_t)sv.f_bavail * sv.f_frsize < DISK_LOW;
}

/*
 * Berkeley DB reports a full disk in several ways: ENOSPC, EIO for a page
 * it could not write out, ENOMEM for a cache full of such pages,
 * DB_RUNRECOVERY for a recovery that could not write, EINVAL for a file
 * that a write cut short.  When an operation fails while the store's
 * filesystem is nearly out of space, the message says what to do.
 */
void
store_explain_full_disk(const struct store *s, char *err, size_t errlen)
{
	size_t	len = strlen(err);

	if (store_disk_full(s) && len < errlen)
		snprintf(err + len, errlen - len, " (the disk holding %s is "
		    "full: free some space and try again)", s->dir);
}

/*
 * Whether a table file ends in a partial page.  A page write cut short by
 * a full disk leaves one behind, and Berkeley DB then refuses to open the
 * file (EINVAL, "file size not a multiple of the pagesize") although
 * nothing committed is lost: recovery, which reads such files, puts it
 * right.
 */
int
store_torn_table(const struct store *s)
{
	struct stat	st;
	char		path[4096];
	int		i;

	for (i = 0; i < STORE_NTABLES; i++) {
		if (store_path_in(path, sizeof path, s->dir,
		    store_tables[i].file) == -1 || stat(path, &st) == -1 ||
		    st.st_size % (off_t)store_tables[i].pagesize == 0)
			continue;
		log_warn("%s: ends in a partial page (a write cut short by a "
		    "full disk?); recovering the store", path);
		return 1;
	}
	return 0;
}

/*
 * An environment whose creation failed (the disk filled up while Berkeley
 * DB made its region files) leaves an empty __db.001, which every later
 * open takes for one another process is creating: it waits 18 s, then
 * fails with EAGAIN, for good.  Under the exclusive gate nobody is
 * creating one, so the remains go and the next open recovers.
 */
void
store_clear_stillborn_env(const struct store *s)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		 path[4096];

	if (store_path_in(path, sizeof path, s->dir, "__db.001") == -1 ||
	    stat(path, &st) == -1 || st.st_size != 0)
		return;
	log_warn("%s: left empty by a failed start of the environment (a "
	    "full disk?); removing the region files", path);
	if ((d = opendir(s->dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (is_region_file(de->d_name) &&
		    store_path_in(path, sizeof path, s->dir, de->d_name) == 0)
			(void)unlink(path);
	closedir(d);
	registry_request_recovery(s->dir);
}
