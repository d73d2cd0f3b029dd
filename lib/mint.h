/* mint.h: a local signing key in Google's certificate format, and Firebase-shaped tokens signed with it. */
#ifndef BACKSTREAM_MINT_H
#define BACKSTREAM_MINT_H

#include <stddef.h>
#include <stdint.h>

/* The files mint_keygen() writes in its directory. */
#define MINT_KEY_FILE	"signing-key.pem"
#define MINT_CERT_FILE	"certs.json"

/*
 * Makes a new RSA-2048 key and writes DIR/signing-key.pem (PKCS#8 PEM, mode
 * 0600) and DIR/certs.json (Google's format: {kid: PEM certificate}, with a
 * self-signed X.509 certificate for the key, kid the SHA-1 fingerprint of
 * the certificate in hex).  Each file is written to a temporary name and
 * renamed, so a reader never sees half a file; existing files are replaced,
 * which rotates the key (the caller decides whether that is wanted).  The directory must exist.  Returns 0, or -1 with
 * a reason in err.
 */
int	mint_keygen(const char *dir, char *err, size_t errlen);

/*
 * Mints an RS256 token as Firebase would issue it: header alg, typ, kid
 * (of the certificate in cert_file whose key is the one in key_file);
 * claims iss "https://securetoken.google.com/<project_id>", aud project_id,
 * sub and user_id uid, iat and auth_time now, exp now + ttl_seconds, and a
 * firebase object.  now is in seconds since the epoch; ttl_seconds must be
 * positive; uid must be 1 to 128 bytes without control characters.  On
 * success returns 0 and a NUL-terminated token in *token_out, which the
 * caller frees with free(3); otherwise -1 with a reason in err (never the
 * token).
 */
int	mint_token(const char *key_file, const char *cert_file,
	    const char *project_id, const char *uid, int64_t now,
	    int64_t ttl_seconds, char **token_out, char *err, size_t errlen);

#endif
