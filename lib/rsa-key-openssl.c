/* rsa-key-openssl.c: rsa-key.h with OpenSSL's libcrypto. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "rsa-key.h"

/* The key itself: struct rsa_key is never defined, only cast. */
#define PKEY(k)	((EVP_PKEY *)(void *)(k))

/*
 * The costly part of OpenSSL 3.0 (its decoders take about 300 us per
 * key), done once per certificate file load.
 */
struct rsa_key *
rsa_key_from_cert(const char *text, size_t len, unsigned min_bits, char *err,
    size_t errlen)
{
	BIO		*in;
	X509		*x = NULL;
	EVP_PKEY	*pkey, *ret = NULL;

	in = BIO_new_mem_buf(text, (int)len);
	if (in == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	x = PEM_read_bio_X509(in, NULL, NULL, NULL);
	if (x == NULL) {
		snprintf(err, errlen, "not a PEM X.509 certificate");
		goto done;
	}
	pkey = X509_get0_pubkey(x);	/* borrowed from x */
	if (pkey == NULL || !EVP_PKEY_is_a(pkey, "RSA")) {
		snprintf(err, errlen, "the certificate's key is not RSA");
		goto done;
	}
	if (EVP_PKEY_get_bits(pkey) < (int)min_bits) {
		snprintf(err, errlen, "the certificate's key has fewer than "
		    "%u bits", min_bits);
		goto done;
	}
	if (EVP_PKEY_up_ref(pkey) != 1) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	ret = pkey;
done:
	X509_free(x);
	BIO_free(in);
	ERR_clear_error();
	return (struct rsa_key *)(void *)ret;
}

void
rsa_key_free(struct rsa_key *key)
{
	EVP_PKEY_free(PKEY(key));
}

int
rsa_key_verify_rs256(const struct rsa_key *key, const void *msg, size_t len,
    const unsigned char *sig, size_t siglen)
{
	EVP_PKEY	*pkey = PKEY((struct rsa_key *)(uintptr_t)key);
	EVP_MD_CTX	*md;
	EVP_PKEY_CTX	*pctx;
	int		 ok;

	if (siglen != (size_t)EVP_PKEY_get_size(pkey))
		return -1;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_DigestVerify(md, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok ? 0 : -1;
}
