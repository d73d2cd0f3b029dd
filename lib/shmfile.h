/* shmfile.h: a file of the environment directory that every process of the store maps shared. */
#ifndef BACKSTREAM_SHMFILE_H
#define BACKSTREAM_SHMFILE_H

#include <stddef.h>

/*
 * Maps dir/name, creating it, or growing it to size bytes (new bytes read
 * as zero), with every page's disk block allocated.  init, unless NULL,
 * runs on the mapping under an exclusive lock of the file, so that a
 * concurrent opener sees its work whole or not at all.  Returns the
 * mapping (the caller munmaps size bytes), or NULL with a reason in err.
 */
void	*shmfile_map(const char *dir, const char *name, size_t size,
	    void (*init)(void *map), char *err, size_t errlen);

#endif
