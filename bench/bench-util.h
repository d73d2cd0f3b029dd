/* bench-util.h: what every benchmark program does the same way: dying with a message, minting a user's token, sorting figures. */
#ifndef BACKSTREAM_BENCH_UTIL_H
#define BACKSTREAM_BENCH_UTIL_H

#include <stdint.h>

/*
 * Prints "PROGRAM: message" to standard error and exits with status 1,
 * after the cleanup set with die_cleanup, if any, in the process that set
 * it (a forked child dies without it).
 */
void	die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
	    noreturn));
/* Sets what die() runs first in this process; NULL for nothing. */
void	die_cleanup(void (*fn)(void));

/*
 * A token for uid, valid from now for ttl_s seconds, signed with the
 * key in key_file for the certificates in cert_file.  Returns a new
 * string the caller frees; dies if it cannot be made.
 */
char	*bench_token(const char *key_file, const char *cert_file,
	    const char *project_id, const char *uid, int64_t ttl_s);

/* qsort's comparison of int64_t values, in ascending order. */
int	cmp_i64(const void *a, const void *b);

#endif
