/* fuzz-auth.c: fuzz target for the token front end (lib/auth.c: auth_verify), against a certificate file made at start in a temp dir. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth.h"
#include "buf.h"
#include "fuzz.h"
#include "json.h"
#include "mint.h"
#include "xmalloc.h"

/*
 * The first byte of an input picks how the rest becomes a token:
 *
 * - even: the rest is the token, as a client would send it (splitting,
 *   base64url, the header's JSON; signatures cannot be guessed);
 * - odd: the rest is "HEADER\nPAYLOAD", two JSON texts that the target
 *   encodes and signs with the fixture's key, so that the fuzzer reaches
 *   the checks behind the signature (claims, types, times).  The
 *   certificate's key id is "fuzz-kid".
 */
#define PROJECT		"fuzz-project"
#define KID		"fuzz-kid"
#define NOW_MS		1700000000000LL	/* 2023-11-14T22:13:20Z */
#define LEEWAY_MS	30000

static struct {
	char		*dir;
	char		*cert_file;
	char		*key_file;
	EVP_PKEY	*key;
	struct auth	*auth;
} fx;

static void
fixture_free(void)
{
	auth_free(fx.auth);
	EVP_PKEY_free(fx.key);
	if (fx.key_file != NULL)
		unlink(fx.key_file);
	if (fx.cert_file != NULL)
		unlink(fx.cert_file);
	if (fx.dir != NULL)
		rmdir(fx.dir);
	free(fx.key_file);
	free(fx.cert_file);
	free(fx.dir);
	memset(&fx, 0, sizeof fx);
}

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz-auth: %s: %s\n", what, why);
	exit(1);
}

/* Rewrites the certificate file with the one certificate under KID. */
static void
rename_kid(void)
{
	json_object	*certs, *out;
	FILE		*f;
	char		 err[256];
	struct buf	 text = BUF_INIT;
	char		 chunk[4096];
	size_t		 n;

	if ((f = fopen(fx.cert_file, "r")) == NULL)
		die(fx.cert_file, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&text, chunk, n);
	fclose(f);
	if ((certs = json_parse(text.data, text.len, err, sizeof err)) == NULL)
		die(fx.cert_file, err);
	out = json_object_new_object();
	json_object_object_foreach(certs, kid, pem) {
		(void)kid;
		json_object_object_add(out, KID, json_object_get(pem));
		break;
	}
	if ((f = fopen(fx.cert_file, "w")) == NULL ||
	    fputs(json_text(out), f) == EOF || fclose(f) == EOF)
		die(fx.cert_file, strerror(errno));
	json_object_put(out);
	json_object_put(certs);
	buf_free(&text);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	 tmpl[] = "/tmp/backstream-fuzz-auth.XXXXXX", err[512];
	FILE	*f;

	(void)argc;
	(void)argv;
	if (mkdtemp(tmpl) == NULL)
		die("mkdtemp", strerror(errno));
	fx.dir = xstrdup(tmpl);
	atexit(fixture_free);
	if (mint_keygen(fx.dir, err, sizeof err) == -1)
		die("mint_keygen", err);
	xasprintf(&fx.cert_file, "%s/%s", fx.dir, MINT_CERT_FILE);
	xasprintf(&fx.key_file, "%s/%s", fx.dir, MINT_KEY_FILE);
	rename_kid();
	if ((f = fopen(fx.key_file, "r")) == NULL)
		die(fx.key_file, strerror(errno));
	fx.key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (fx.key == NULL)
		die(fx.key_file, "cannot read the key");
	fx.auth = auth_new(PROJECT, fx.cert_file, LEEWAY_MS);
	return 0;
}

/* Appends the unpadded base64url form of len bytes. */
static void
b64url_add(struct buf *out, const void *p, size_t len)
{
	unsigned char	*std;
	int		 i, n;

	std = xmalloc(len / 3 * 4 + 5);
	n = EVP_EncodeBlock(std, p, (int)len);
	for (i = 0; i < n && std[i] != '='; i++)
		buf_addc(out, std[i] == '+' ? '-' : std[i] == '/' ? '_' :
		    (char)std[i]);
	free(std);
}

/* Builds header.payload.signature from the two JSON texts in text. */
static void
signed_token(const char *text, size_t len, struct buf *token)
{
	const char	*nl;
	unsigned char	 sig[1024];
	size_t		 siglen = sizeof sig;
	EVP_MD_CTX	*md;

	if ((nl = memchr(text, '\n', len)) == NULL)
		nl = text + len;
	b64url_add(token, text, (size_t)(nl - text));
	buf_addc(token, '.');
	if (nl < text + len)
		b64url_add(token, nl + 1, (size_t)(text + len - nl - 1));
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, fx.key) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)token->data,
	    token->len) != 1)
		die("signing", "EVP_DigestSign failed");
	EVP_MD_CTX_free(md);
	buf_addc(token, '.');
	b64url_add(token, sig, siglen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct auth_user	 user;
	struct buf		 token = BUF_INIT;
	enum auth_result	 res;
	char			 why[512], *exact;
	size_t			 i;

	if (fx.auth == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	if (size == 0)
		return 0;
	if (data[0] & 1)
		signed_token((const char *)data + 1, size - 1, &token);
	else
		buf_add(&token, data + 1, size - 1);
	memset(&user, 0, sizeof user);
	why[0] = '\0';
	/* Exactly its length, no NUL after it: an overread is caught. */
	exact = xmalloc(token.len + 1);
	memcpy(exact + 1, token.data != NULL ? token.data : "", token.len);
	res = auth_verify(fx.auth, exact + 1, token.len, NOW_MS, &user, why,
	    sizeof why);
	free(exact);
	/* The certificate file is fine: only the token can be at fault. */
	if (res == AUTH_UNAVAILABLE)
		fprintf(stderr, "unavailable: %s\n", why);
	FUZZ_CHECK(res == AUTH_OK || res == AUTH_INVALID);
	if (res == AUTH_OK) {
		FUZZ_CHECK(data[0] & 1);
		FUZZ_CHECK(user.uid[0] != '\0');
		FUZZ_CHECK(strlen(user.uid) <= AUTH_UID_MAX);
		for (i = 0; user.uid[i] != '\0'; i++)
			FUZZ_CHECK((unsigned char)user.uid[i] >= 0x20 &&
			    user.uid[i] != 0x7f);
		FUZZ_CHECK(user.exp >= (NOW_MS - LEEWAY_MS) / 1000);
	} else {
		FUZZ_CHECK(why[0] != '\0');
		/* Reasons never quote the token. */
		if (token.len >= 16)
			FUZZ_CHECK(memmem(why, strlen(why), token.data,
			    token.len) == NULL);
	}
	buf_free(&token);
	return 0;
}
