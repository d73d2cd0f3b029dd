/* token-screen.h: the cheap checks that refuse what cannot be a Firebase ID token before a signature is checked. */
#ifndef BACKSTREAM_TOKEN_SCREEN_H
#define BACKSTREAM_TOKEN_SCREEN_H

#include <stddef.h>
#include <stdint.h>

/*
 * A stream responder checks a token's signature by starting a helper
 * (about 7 ms of CPU): junk must not buy a process start each.  The screen
 * refuses, with json-c only, a token that is not three base64url parts of
 * sane lengths, whose header is not JSON with alg RS256 and a kid of the
 * current certificate file, or whose payload is expired or for another
 * project.  What it passes still needs the full check (lib/auth.c).  It
 * caches the certificate file's key ids and re-reads them when the file's
 * stat identity changes.  One per process; not thread-safe.
 */
struct token_screen;

/*
 * Makes a screen for project_id's tokens, keyed by cert_file (both
 * copied), allowing leeway_ms of clock skew on exp.  Free with
 * token_screen_free().
 */
struct token_screen *token_screen_new(const char *project_id,
	    const char *cert_file, int64_t leeway_ms);
/* Frees the screen.  NULL is fine. */
void	token_screen_free(struct token_screen *ts);

/*
 * Whether token (NUL-terminated) can be a valid token at now_ms
 * (milliseconds since the epoch): 0 yes, -1 no, with a hint for debug logs
 * in why (never a part of the token).  A certificate file that cannot be
 * read refuses nothing by its kid: the full check reports the outage.
 */
int	token_screen_check(struct token_screen *ts, const char *token,
	    int64_t now_ms, char *why, size_t whylen);

#endif
