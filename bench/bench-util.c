/* bench-util.c: dying with a message, minting a user's token, sorting figures. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"
#include "mint.h"

/* A benchmark is one program at a time: its cleanup is its own. */
static void	(*cleanup)(void);
static pid_t	  cleanup_pid;

void
die_cleanup(void (*fn)(void))
{
	cleanup = fn;
	cleanup_pid = getpid();
}

void
die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cleanup != NULL && getpid() == cleanup_pid)
		cleanup();
	exit(1);
}

char *
bench_token(const char *key_file, const char *cert_file,
    const char *project_id, const char *uid, int64_t ttl_s)
{
	char	*tok, err[512];

	if (mint_token(key_file, cert_file, project_id, uid,
	    (int64_t)time(NULL), ttl_s, &tok, err, sizeof err) == -1)
		die("token: %s", err);
	return tok;
}

int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}
