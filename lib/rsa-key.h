/* rsa-key.h: an RSA public key from a PEM certificate, and RS256 signature checks with it; two implementations, OpenSSL's and Nettle's. */
#ifndef BACKSTREAM_RSA_KEY_H
#define BACKSTREAM_RSA_KEY_H

#include <stddef.h>

/*
 * lib/auth.c needs only these three calls.  rsa-key-openssl.c implements
 * them with libcrypto (the REST responder, the helper, the CLI); the
 * stream responder links rsa-key-nettle.c instead: Nettle keeps no global
 * state, so checking tokens in each of a thousand long-lived processes
 * costs a few KiB each where OpenSSL 3's library context costs ~190 KiB.
 */
struct rsa_key;

/*
 * Reads the PEM X.509 certificate in text (len bytes) and returns its RSA
 * public key, which must have at least min_bits bits; the caller frees it
 * with rsa_key_free().  NULL with a one-line reason in err otherwise.
 */
struct rsa_key *rsa_key_from_cert(const char *text, size_t len,
		    unsigned min_bits, char *err, size_t errlen);
/* Frees key.  NULL is fine. */
void	rsa_key_free(struct rsa_key *key);
/*
 * Whether sig (siglen bytes) is an RSASSA-PKCS1-v1_5 signature with
 * SHA-256 of msg (len bytes) by key: 0 yes, -1 no.  The algorithm is
 * fixed here, never taken from what is checked.
 */
int	rsa_key_verify_rs256(const struct rsa_key *key, const void *msg,
	    size_t len, const unsigned char *sig, size_t siglen);

#endif
