/* reloc.c: a relocatable installation (the shared-host bundle) finds its files beside the running program. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reloc.h"
#include "xmalloc.h"

#ifdef RELOCATABLE
/*
 * If dir (the running program's directory) ends with installdir's part
 * below PREFIX, writes the rest of dir, the root, to root.
 */
static int
root_of(const char *dir, const char *installdir, char *root, size_t size)
{
	size_t		 plen = strlen(PREFIX), dlen = strlen(dir), slen;
	const char	*sub;

	if (strncmp(installdir, PREFIX, plen) != 0)
		return -1;
	sub = installdir + plen;	/* "/bin", "/libexec/backstream" */
	slen = strlen(sub);
	if (slen == 0 || dlen <= slen || strcmp(dir + dlen - slen, sub) != 0 ||
	    dlen - slen >= size)
		return -1;
	memcpy(root, dir, dlen - slen);
	root[dlen - slen] = '\0';
	return 0;
}

/* Fills root from /proc/self/exe; returns 0, or -1 if not installed. */
static int
find_root(char *root, size_t size)
{
	static const char *const dirs[] = { BINDIR, SBINDIR, PKGLIBEXECDIR };
	char		 exe[PATH_MAX], *slash;
	ssize_t		 n;
	size_t		 i;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return -1;
	*slash = '\0';
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (root_of(exe, dirs[i], root, size) == 0)
			return 0;
	return -1;
}

const char *
reloc_prefix(void)
{
	/* Where the program lies does not change while it runs. */
	static char	root[PATH_MAX];
	static int	state;		/* 0 not looked, 1 found, -1 none */

	if (state == 0)
		state = find_root(root, sizeof root) == 0 ? 1 : -1;
	return state == 1 ? root : NULL;
}
#else
const char *
reloc_prefix(void)
{
	return NULL;
}
#endif

char *
reloc_path(const char *path)
{
	const char	*root = reloc_prefix();
	char		*out;
	size_t		 plen = strlen(PREFIX);

	if (root == NULL || strncmp(path, PREFIX, plen) != 0 ||
	    (path[plen] != '/' && path[plen] != '\0'))
		return xstrdup(path);
	xasprintf(&out, "%s%s", root, path + plen);
	return out;
}
