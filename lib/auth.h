/* auth.h: verification of Firebase ID tokens against Google's certificate file. */
#ifndef BACKSTREAM_AUTH_H
#define BACKSTREAM_AUTH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Longest token looked at; anything longer is refused before parsing.  A
 * Firebase ID token is about 1 KiB, 2 KiB with custom claims.
 */
#define AUTH_TOKEN_MAX	8192
/* Longest user id (the token's sub) in bytes, as Firebase limits it. */
#define AUTH_UID_MAX	128

/*
 * A verifier for one Firebase project.  It caches the certificate file's
 * public keys and re-reads the file when its stat identity (device, inode,
 * size, mtime, ctime) changes, or while it changed less than 2 s ago (an
 * in-place rewrite can keep the identity within one timestamp tick).  Not
 * thread-safe: one per thread.
 */
struct auth;

enum auth_result {
	AUTH_OK,		/* user filled in */
	AUTH_INVALID,		/* the token is not acceptable: HTTP 401 */
	AUTH_UNAVAILABLE,	/* no usable certificates: HTTP 503 */
};

struct auth_user {
	char	uid[AUTH_UID_MAX + 1];	/* the token's sub, NUL-terminated */
	int64_t	exp;			/* expiry, seconds since the epoch */
};

/*
 * Makes a verifier.  project_id and cert_file are copied.  skew_ms is the
 * clock skew allowed on iat and auth_time, so that a fresh token from a
 * fast clock is not refused (negative counts as 0).  exp gets no leeway
 * unless auth_set_expiry_leeway() says so.  Never fails: the certificate
 * file is read by the first auth_verify(), so a missing file shows as
 * AUTH_UNAVAILABLE there, not here.  Free with auth_free().
 */
struct auth *auth_new(const char *project_id, const char *cert_file,
	    int64_t skew_ms);
/*
 * Accepts tokens up to leeway_ms after their exp (default 0; negative
 * counts as 0).  An expired token is a stolen token's only limit, so this
 * stays 0 unless an operator has a reason.
 */
void	auth_set_expiry_leeway(struct auth *a, int64_t leeway_ms);
/* Frees the verifier and its cached keys.  NULL is fine. */
void	auth_free(struct auth *a);

/*
 * Verifies token (len bytes, need not be NUL-terminated) at time now_ms
 * (milliseconds since the epoch).  Accepted: header alg exactly RS256, a
 * kid naming a certificate in the file, a signature by that certificate's
 * key, exp after now (within the expiry leeway), iat and auth_time not
 * after now (within the clock skew), aud the project id, iss "https://securetoken.google.com/<project
 * id>", sub a string of 1 to AUTH_UID_MAX bytes without control characters,
 * every claim of its JSON type (integers, strings).
 *
 * AUTH_OK fills *user.  Otherwise user is untouched and why (whylen bytes,
 * may be 0) gets a one-line reason: for AUTH_INVALID a hint for debug logs
 * only, for AUTH_UNAVAILABLE what is wrong with the certificate file, for
 * the caller to log (once, not per request).  Reasons never contain the
 * token or any part of it.
 */
enum auth_result auth_verify(struct auth *a, const char *token, size_t len,
	    int64_t now_ms, struct auth_user *user, char *why, size_t whylen);

#endif
