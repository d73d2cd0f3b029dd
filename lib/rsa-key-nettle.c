/* rsa-key-nettle.c: rsa-key.h with Nettle (and GMP), for the stream responder. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/asn1.h>
#include <nettle/base64.h>
#include <nettle/bignum.h>
#include <nettle/rsa.h>
#include <nettle/sha2.h>

#include "rsa-key.h"
#include "xmalloc.h"

#define PEM_BEGIN	"-----BEGIN CERTIFICATE-----"
#define PEM_END		"-----END CERTIFICATE-----"
/* tbsCertificate's fields before subjectPublicKeyInfo, version aside. */
#define TBS_SKIP	5
/* A modulus longer than this is no certificate of Google's. */
#define RSA_BITS_MAX	16384

struct rsa_key {
	struct rsa_public_key	pub;
};

/* rsaEncryption, 1.2.840.113549.1.1.1, as DER content bytes. */
static const uint8_t	rsa_oid[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};

/*
 * Decodes the base64 between the PEM markers of text into a new buffer
 * (*derp, freed by the caller).  Nettle's decoder skips the line breaks.
 */
static int
pem_decode(const char *text, size_t len, uint8_t **derp, size_t *derlen)
{
	struct base64_decode_ctx	 ctx;
	const char			*b, *e, *end = text + len;
	uint8_t				*der;
	size_t				 n;

	if ((b = memmem(text, len, PEM_BEGIN, strlen(PEM_BEGIN))) == NULL)
		return -1;
	b += strlen(PEM_BEGIN);
	if ((e = memmem(b, (size_t)(end - b), PEM_END,
	    strlen(PEM_END))) == NULL)
		return -1;
	der = xmalloc(BASE64_DECODE_LENGTH((size_t)(e - b)) + 1);
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &n, der, (size_t)(e - b), b) ||
	    !base64_decode_final(&ctx)) {
		free(der);
		return -1;
	}
	*derp = der;
	*derlen = n;
	return 0;
}

/*
 * Walks Certificate -> tbsCertificate -> subjectPublicKeyInfo, checks its
 * algorithm is rsaEncryption and reads the RSAPublicKey of its bit string
 * into pub.  Returns 0, -1 for "not X.509", -2 for "not RSA".
 */
static int
spki_rsa(const uint8_t *der, size_t len, struct rsa_public_key *pub)
{
	struct asn1_der_iterator	i, alg;
	int				k;

	if (asn1_der_iterator_first(&i, len, der) != ASN1_ITERATOR_CONSTRUCTED ||
	    i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed(&i, &i) != ASN1_ITERATOR_CONSTRUCTED ||
	    i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed(&i, &i) == ASN1_ITERATOR_ERROR)
		return -1;
	/* [0] EXPLICIT version, when there. */
	if (i.type == (ASN1_CLASS_CONTEXT_SPECIFIC | ASN1_TYPE_CONSTRUCTED) &&
	    asn1_der_iterator_next(&i) == ASN1_ITERATOR_ERROR)
		return -1;
	for (k = 0; k < TBS_SKIP; k++)
		if (asn1_der_iterator_next(&i) == ASN1_ITERATOR_ERROR)
			return -1;
	if (i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed(&i, &i) != ASN1_ITERATOR_CONSTRUCTED ||
	    i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed(&i, &alg) != ASN1_ITERATOR_PRIMITIVE)
		return -1;
	if (alg.type != ASN1_IDENTIFIER || alg.length != sizeof rsa_oid ||
	    memcmp(alg.data, rsa_oid, sizeof rsa_oid) != 0)
		return -2;
	if (asn1_der_iterator_next(&i) != ASN1_ITERATOR_PRIMITIVE ||
	    i.type != ASN1_BITSTRING ||
	    asn1_der_decode_bitstring_last(&i) != ASN1_ITERATOR_CONSTRUCTED ||
	    !rsa_public_key_from_der_iterator(pub, RSA_BITS_MAX, &i))
		return -2;
	return 0;
}

struct rsa_key *
rsa_key_from_cert(const char *text, size_t len, unsigned min_bits, char *err,
    size_t errlen)
{
	struct rsa_key	*key = xmalloc(sizeof *key);
	uint8_t		*der;
	size_t		 derlen;
	int		 r;

	if (pem_decode(text, len, &der, &derlen) == -1) {
		snprintf(err, errlen, "not a PEM X.509 certificate");
		free(key);
		return NULL;
	}
	rsa_public_key_init(&key->pub);
	r = spki_rsa(der, derlen, &key->pub);
	free(der);
	if (r == 0 && mpz_sizeinbase(key->pub.n, 2) < min_bits) {
		snprintf(err, errlen, "the certificate's key has fewer than "
		    "%u bits", min_bits);
		r = 1;
	} else if (r != 0)
		snprintf(err, errlen, r == -1 ? "not a PEM X.509 certificate" :
		    "the certificate's key is not RSA");
	if (r != 0) {
		rsa_key_free(key);
		return NULL;
	}
	return key;
}

void
rsa_key_free(struct rsa_key *key)
{
	if (key == NULL)
		return;
	rsa_public_key_clear(&key->pub);
	free(key);
}

int
rsa_key_verify_rs256(const struct rsa_key *key, const void *msg, size_t len,
    const unsigned char *sig, size_t siglen)
{
	struct sha256_ctx	ctx;
	uint8_t			digest[SHA256_DIGEST_SIZE];
	mpz_t			s;
	int			ok;

	/* As OpenSSL: the signature is exactly as long as the modulus. */
	if (siglen != key->pub.size)
		return -1;
	sha256_init(&ctx);
	sha256_update(&ctx, len, msg);
	sha256_digest(&ctx, sizeof digest, digest);
	nettle_mpz_init_set_str_256_u(s, siglen, sig);
	ok = rsa_sha256_verify_digest(&key->pub, digest, s);
	mpz_clear(s);
	return ok ? 0 : -1;
}
