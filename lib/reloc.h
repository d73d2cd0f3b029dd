/* reloc.h: a relocatable installation (the shared-host bundle) finds its files beside the running program. */
#ifndef BACKSTREAM_RELOC_H
#define BACKSTREAM_RELOC_H

/*
 * A build configured with --enable-relocatable has its installation paths
 * (sysconfdir, localstatedir, pkglibexecdir) under a placeholder prefix.
 * At run time that prefix stands for the directory the programs were
 * unpacked into, found from /proc/self/exe: a program in BINDIR, SBINDIR or
 * PKGLIBEXECDIR of the unpacked tree gives its root.  A program run from
 * anywhere else (the build tree, the tests) keeps the configured paths.
 */

/*
 * The root of the unpacked installation the running program belongs to,
 * or NULL: not a relocatable build, or not run from an installed place.
 * Found on the first call and constant afterwards; the string is static.
 */
const char	*reloc_prefix(void);

/*
 * Returns path with the configured prefix replaced by reloc_prefix(), when
 * there is one and path starts with the configured prefix; otherwise path
 * itself.  The result is a new string the caller frees.
 */
char		*reloc_path(const char *path);

#endif
