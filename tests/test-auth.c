/* test-auth.c: unit tests of token verification (auth.c) and local keys and tokens (mint.c). */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdint.h>
#include <time.h>

#ifdef HAVE_LIBJWT
#include <jwt.h>
#endif
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "auth.h"
#include "buf.h"
#include "json.h"
#include "mint.h"
#include "test.h"
#include "xmalloc.h"

#define PROJECT		"test-project"
#define ISSUER		"https://securetoken.google.com/" PROJECT
#define T		1700000000LL	/* "now", in seconds */
#define NOW_MS		(T * 1000)
#define LEEWAY_MS	30000
#define EXP		(T + 3000)
#define IAT		(T - 600)
#define AUTH_TIME	(T - 900)

/* Keys and files made once by fixture(), shared by the tests. */
static struct {
	char		*dir;
	char		*key_file;	/* signing-key.pem */
	char		*cert_file;	/* certs.json */
	char		*kid;
	char		*cert_pem;	/* the certificate, PEM */
	char		*pubkey_pem;	/* its public key, PEM */
	EVP_PKEY	*key;		/* the key of the certificate */
	EVP_PKEY	*other;		/* an RSA key not in the file */
	EVP_PKEY	*ec;		/* a P-256 key */
} fx;

/* ---- helpers ---------------------------------------------------------- */

static char *
file_text(const char *path)
{
	struct buf	 b = BUF_INIT;
	char		 chunk[4096];
	size_t		 n;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_addc(&b, '\0');
	return buf_detach(&b);
}

/* Rewrites path in place (same inode), as a careless rotation would. */
static void
file_overwrite(const char *path, const char *text)
{
	int	fd;

	fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0644);
	if (fd == -1 || write(fd, text, strlen(text)) !=
	    (ssize_t)strlen(text) || close(fd) == -1) {
		perror(path);
		abort();
	}
}

static void
b64url(struct buf *out, const void *data, size_t len)
{
	char	*enc;
	int	 n, i;

	enc = xmalloc(len / 3 * 4 + 5);
	n = EVP_EncodeBlock((unsigned char *)enc, data, (int)len);
	for (i = 0; i < n && enc[i] != '='; i++)
		buf_addc(out, enc[i] == '+' ? '-' : enc[i] == '/' ? '_' :
		    enc[i]);
	free(enc);
}

static char *
pem_of_pubkey(EVP_PKEY *pkey)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*data, *s;
	long	 n;

	if (b == NULL || PEM_write_bio_PUBKEY(b, pkey) != 1)
		abort();
	n = BIO_get_mem_data(b, &data);
	s = xstrndup(data, (size_t)n);
	BIO_free(b);
	return s;
}

/* Reads the only certificate of a certs.json: kid, PEM text, key. */
static void
certs_first(const char *path, char **kid, char **pem)
{
	struct json_object_iterator	 it;
	json_object			*root;
	char				*text, err[128];

	text = file_text(path);
	if (text == NULL)
		abort();
	root = json_parse(text, strlen(text), err, sizeof err);
	if (root == NULL || json_object_object_length(root) != 1)
		abort();
	it = json_object_iter_begin(root);
	*kid = xstrdup(json_object_iter_peek_name(&it));
	*pem = xstrdup(json_object_get_string(
	    json_object_iter_peek_value(&it)));
	json_object_put(root);
	free(text);
}

static void
fixture(void)
{
	X509	*x;
	BIO	*b;
	FILE	*f;
	char	 err[256];

	if (fx.dir != NULL)
		return;
	fx.dir = test_tmpdir();
	xasprintf(&fx.key_file, "%s/%s", fx.dir, MINT_KEY_FILE);
	xasprintf(&fx.cert_file, "%s/%s", fx.dir, MINT_CERT_FILE);
	if (mint_keygen(fx.dir, err, sizeof err) == -1) {
		fprintf(stderr, "mint_keygen: %s\n", err);
		abort();
	}
	certs_first(fx.cert_file, &fx.kid, &fx.cert_pem);
	b = BIO_new_mem_buf(fx.cert_pem, -1);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (x == NULL)
		abort();
	fx.pubkey_pem = pem_of_pubkey(X509_get0_pubkey(x));
	X509_free(x);
	BIO_free(b);
	if ((f = fopen(fx.key_file, "r")) == NULL)
		abort();
	fx.key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	fx.other = EVP_RSA_gen(2048);
	fx.ec = EVP_EC_gen("P-256");
	if (fx.key == NULL || fx.other == NULL || fx.ec == NULL)
		abort();
}

static void
fixture_free(void)
{
	if (fx.dir == NULL)
		return;
	test_rmtree(fx.dir);
	free(fx.dir);
	free(fx.key_file);
	free(fx.cert_file);
	free(fx.kid);
	free(fx.cert_pem);
	free(fx.pubkey_pem);
	EVP_PKEY_free(fx.key);
	EVP_PKEY_free(fx.other);
	EVP_PKEY_free(fx.ec);
	memset(&fx, 0, sizeof fx);
}

/*
 * Replaces $NAME words in a template: the fixture's kid and the times
 * around T, so that the table below can spell out every token.
 */
static char *
expand(const char *tmpl)
{
	struct buf	 b = BUF_INIT;
	const char	*p, *q;
	char		 sub129[130], num[32];
	size_t		 n;
	struct {
		const char	*name;
		const char	*value;
	} vars[16];
	int		 i, nvars = 0;

	memset(sub129, 'x', 129);
	sub129[129] = '\0';
#define VAR(n, v) do { vars[nvars].name = (n); vars[nvars].value = (v); \
	nvars++; } while (0)
	VAR("KID", fx.kid);
	VAR("PID", PROJECT);
	VAR("ISS", ISSUER);
	VAR("SUB129", sub129);
	VAR("SUB128", sub129 + 1);
#undef VAR
	for (p = tmpl; *p != '\0'; p++) {
		if (*p != '$') {
			buf_addc(&b, *p);
			continue;
		}
		for (q = p + 1; (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || *q == '_'; q++)
			;
		n = (size_t)(q - p - 1);
		num[0] = '\0';
		if (n == 3 && strncmp(p + 1, "EXP", 3) == 0)
			snprintf(num, sizeof num, "%lld", EXP);
		else if (n == 3 && strncmp(p + 1, "IAT", 3) == 0)
			snprintf(num, sizeof num, "%lld", IAT);
		else if (n == 4 && strncmp(p + 1, "AUTH", 4) == 0)
			snprintf(num, sizeof num, "%lld", AUTH_TIME);
		else if (n == 4 && strncmp(p + 1, "PAST", 4) == 0)
			snprintf(num, sizeof num, "%lld", T - 60);
		else if (n == 6 && strncmp(p + 1, "FUTURE", 6) == 0)
			snprintf(num, sizeof num, "%lld", T + 60);
		if (num[0] != '\0')
			buf_adds(&b, num);
		else {
			for (i = 0; i < nvars; i++)
				if (strlen(vars[i].name) == n &&
				    strncmp(p + 1, vars[i].name, n) == 0)
					break;
			if (i == nvars) {
				fprintf(stderr, "unknown $ word in %s\n", tmpl);
				abort();
			}
			buf_adds(&b, vars[i].value);
		}
		p = q - 1;
	}
	return buf_detach(&b);
}

enum signer {
	SIGN_RS256,
	SIGN_RS384,
	SIGN_RS512,
	SIGN_OTHER_RS256,	/* a key not in the certificate file */
	SIGN_ES256,
	SIGN_HS256_CERT,	/* HMAC keyed with the certificate's PEM */
	SIGN_HS256_PUBKEY,	/* HMAC keyed with the public key's PEM */
	SIGN_EMPTY,		/* "header.payload." */
	SIGN_NO_PART,		/* "header.payload" */
};

/* Signature bytes over input, as the named algorithm makes them. */
static void
sign(enum signer s, const char *input, struct buf *sig)
{
	const EVP_MD	*md = EVP_sha256();
	EVP_PKEY	*key = fx.key;
	EVP_MD_CTX	*ctx;
	unsigned char	*der, mac[EVP_MAX_MD_SIZE], rs[64];
	const unsigned char *p;
	unsigned int	 maclen;
	ECDSA_SIG	*es;
	const char	*secret;
	size_t		 len;

	switch (s) {
	case SIGN_EMPTY:
	case SIGN_NO_PART:
		return;
	case SIGN_HS256_CERT:
	case SIGN_HS256_PUBKEY:
		secret = s == SIGN_HS256_CERT ? fx.cert_pem : fx.pubkey_pem;
		if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
		    (const unsigned char *)input, strlen(input), mac,
		    &maclen) == NULL)
			abort();
		buf_add(sig, mac, maclen);
		return;
	case SIGN_RS384:
		md = EVP_sha384();
		break;
	case SIGN_RS512:
		md = EVP_sha512();
		break;
	case SIGN_OTHER_RS256:
		key = fx.other;
		break;
	case SIGN_ES256:
		key = fx.ec;
		break;
	case SIGN_RS256:
		break;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL ||
	    EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &len, (const unsigned char *)input,
	    strlen(input)) != 1)
		abort();
	der = xmalloc(len);
	if (EVP_DigestSign(ctx, der, &len, (const unsigned char *)input,
	    strlen(input)) != 1)
		abort();
	EVP_MD_CTX_free(ctx);
	if (s != SIGN_ES256) {
		buf_add(sig, der, len);
		free(der);
		return;
	}
	/* JWS wants ECDSA as r || s, 32 bytes each, not DER. */
	p = der;
	if ((es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), rs, 32) != 32 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), rs + 32, 32) != 32)
		abort();
	ECDSA_SIG_free(es);
	free(der);
	buf_add(sig, rs, sizeof rs);
}

/* A token from header and payload templates (see expand()); caller frees. */
static char *
token_make(const char *header, const char *payload, enum signer s)
{
	struct buf	 tok = BUF_INIT, sig = BUF_INIT;
	char		*h, *p;

	h = expand(header);
	p = expand(payload);
	b64url(&tok, h, strlen(h));
	buf_addc(&tok, '.');
	b64url(&tok, p, strlen(p));
	sign(s, buf_str(&tok), &sig);
	if (s != SIGN_NO_PART)
		buf_addc(&tok, '.');
	b64url(&tok, sig.data, sig.len);
	buf_free(&sig);
	free(h);
	free(p);
	return buf_detach(&tok);
}

/* A reason must never quote the token: no segment, no kid, no user. */
static void
check_reason_clean(const char *why, const char *token, size_t len)
{
	const char	*start, *dot;
	char		*seg;

	if (strstr(why, fx.kid) != NULL || strstr(why, "alice") != NULL)
		TEST_FAIL("reason quotes the token: %s", why);
	for (start = token; start < token + len; start = dot + 1) {
		dot = memchr(start, '.', (size_t)(token + len - start));
		if (dot == NULL)
			dot = token + len;
		if (dot - start < 8)
			continue;
		seg = xstrndup(start, (size_t)(dot - start));
		if (strstr(why, seg) != NULL)
			TEST_FAIL("reason quotes the token: %s", why);
		free(seg);
	}
}

static enum auth_result
verify_at(struct auth *a, const char *token, size_t len, int64_t now_ms,
    struct auth_user *user, char *why, size_t whylen)
{
	enum auth_result	r;

	r = auth_verify(a, token, len, now_ms, user, why, whylen);
	check_reason_clean(why, token, len);
	if (r != AUTH_OK && why[0] == '\0')
		TEST_FAIL("no reason given");
	return r;
}

#define HDR(alg)	"{\"alg\":\"" alg "\",\"kid\":\"$KID\",\"typ\":\"JWT\"}"
#define GOOD_HDR	HDR("RS256")
#define CLAIMS(iss, aud, auth_time, sub, iat, exp)			\
	"{\"iss\":" iss ",\"aud\":" aud ",\"auth_time\":" auth_time	\
	",\"user_id\":\"alice\",\"sub\":" sub ",\"iat\":" iat ",\"exp\":" exp \
	",\"firebase\":{\"identities\":{},\"sign_in_provider\":\"custom\"}}"
#define ISS		"\"$ISS\""
#define AUD		"\"$PID\""
#define AUTHT		"$AUTH"
#define SUB		"\"alice\""
#define IATT		"$IAT"
#define EXPT		"$EXP"
#define GOOD_CLAIMS	CLAIMS(ISS, AUD, AUTHT, SUB, IATT, EXPT)

/* ---- tests ------------------------------------------------------------ */

static void
test_keygen(void)
{
	struct stat	 st;
	size_t		 i;

	fixture();
	REQUIRE(stat(fx.key_file, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(strlen(fx.kid), 40);
	for (i = 0; i < strlen(fx.kid); i++)
		CHECK(strchr("0123456789abcdef", fx.kid[i]) != NULL);
	CHECK(strncmp(fx.cert_pem, "-----BEGIN CERTIFICATE-----", 27) == 0);
	CHECK(EVP_PKEY_is_a(fx.key, "RSA"));
	CHECK_INT(EVP_PKEY_get_bits(fx.key), 2048);
}

static void
test_valid(void)
{
	struct auth		*a;
	struct auth_user	 u;
	char			*tok, why[256];

	fixture();
	a = auth_new(PROJECT, fx.cert_file, LEEWAY_MS);
	tok = token_make(GOOD_HDR, GOOD_CLAIMS, SIGN_RS256);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	CHECK_STR(u.uid, "alice");
	CHECK_INT(u.exp, EXP);
	CHECK_STR(why, "");
	/* Twice: the cached keys serve the second call. */
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	/* The length counts, not a NUL: trailing bytes are not looked at. */
	tok = xreallocarray(tok, strlen(tok) + 5, 1);
	strcat(tok, "junk");
	CHECK_INT(verify_at(a, tok, strlen(tok) - 4, NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	free(tok);

	/* No typ is fine; 128 bytes of sub is the most. */
	tok = token_make("{\"kid\":\"$KID\",\"alg\":\"RS256\"}",
	    CLAIMS(ISS, AUD, AUTHT, "\"$SUB128\"", IATT, EXPT), SIGN_RS256);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	CHECK_INT(strlen(u.uid), 128);
	free(tok);
	auth_free(a);
}

static void
test_leeway_edges(void)
{
	struct auth		*a, *strict;
	struct auth_user	 u;
	char			*tok, why[256];

	fixture();
	a = auth_new(PROJECT, fx.cert_file, LEEWAY_MS);
	strict = auth_new(PROJECT, fx.cert_file, 0);

	/*
	 * The clock skew is for iat and auth_time only: an expired token is
	 * refused at its exp, not 10 or 29 s later.
	 */
	tok = token_make(GOOD_HDR, GOOD_CLAIMS, SIGN_RS256);
	CHECK_INT(verify_at(a, tok, strlen(tok), EXP * 1000 - 1, &u, why,
	    sizeof why), AUTH_OK);
	CHECK_INT(verify_at(a, tok, strlen(tok), EXP * 1000, &u, why,
	    sizeof why), AUTH_INVALID);
	CHECK_STR(why, "token expired");
	CHECK_INT(verify_at(a, tok, strlen(tok), EXP * 1000 + 10000, &u, why,
	    sizeof why), AUTH_INVALID);
	CHECK_INT(verify_at(a, tok, strlen(tok), EXP * 1000 + 29000, &u, why,
	    sizeof why), AUTH_INVALID);
	CHECK_INT(verify_at(strict, tok, strlen(tok), EXP * 1000 - 1, &u,
	    why, sizeof why), AUTH_OK);
	CHECK_INT(verify_at(strict, tok, strlen(tok), EXP * 1000, &u, why,
	    sizeof why), AUTH_INVALID);
	/* An expiry leeway, when configured, is exact. */
	auth_set_expiry_leeway(strict, 5000);
	CHECK_INT(verify_at(strict, tok, strlen(tok), EXP * 1000 + 4999, &u,
	    why, sizeof why), AUTH_OK);
	CHECK_INT(verify_at(strict, tok, strlen(tok), EXP * 1000 + 5000, &u,
	    why, sizeof why), AUTH_INVALID);
	auth_set_expiry_leeway(strict, 0);
	free(tok);

	/* iat = auth_time = T: valid from T - leeway on. */
	tok = token_make(GOOD_HDR, CLAIMS(ISS, AUD, "1700000000", SUB,
	    "1700000000", EXPT), SIGN_RS256);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS - LEEWAY_MS, &u, why,
	    sizeof why), AUTH_OK);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS - LEEWAY_MS - 1, &u,
	    why, sizeof why), AUTH_INVALID);
	CHECK_INT(verify_at(strict, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	CHECK_INT(verify_at(strict, tok, strlen(tok), NOW_MS - 1, &u, why,
	    sizeof why), AUTH_INVALID);
	free(tok);

	/* auth_time alone 10 s ahead of iat. */
	tok = token_make(GOOD_HDR, CLAIMS(ISS, AUD, "1700000010", SUB,
	    "1700000000", EXPT), SIGN_RS256);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS + 10000 - LEEWAY_MS,
	    &u, why, sizeof why), AUTH_OK);
	CHECK_INT(verify_at(a, tok, strlen(tok),
	    NOW_MS + 10000 - LEEWAY_MS - 1, &u, why, sizeof why),
	    AUTH_INVALID);
	free(tok);
	auth_free(a);
	auth_free(strict);
}

static const struct forged {
	const char	*name;
	const char	*header;
	const char	*payload;
	enum signer	 signer;
} forged[] = {
	/* Algorithms. */
	{ "alg none, empty signature",
	  HDR("none"), GOOD_CLAIMS, SIGN_EMPTY },
	{ "alg none, no signature part",
	  HDR("none"), GOOD_CLAIMS, SIGN_NO_PART },
	{ "alg none with an RS256 signature",
	  HDR("none"), GOOD_CLAIMS, SIGN_RS256 },
	{ "HS256 keyed with the certificate's PEM",
	  HDR("HS256"), GOOD_CLAIMS, SIGN_HS256_CERT },
	{ "HS256 keyed with the public key's PEM",
	  HDR("HS256"), GOOD_CLAIMS, SIGN_HS256_PUBKEY },
	{ "HS256 header on an RS256 signature",
	  HDR("HS256"), GOOD_CLAIMS, SIGN_RS256 },
	{ "RS384 by the right key",
	  HDR("RS384"), GOOD_CLAIMS, SIGN_RS384 },
	{ "RS512 by the right key",
	  HDR("RS512"), GOOD_CLAIMS, SIGN_RS512 },
	{ "ES256",
	  HDR("ES256"), GOOD_CLAIMS, SIGN_ES256 },
	{ "rs256 in lower case",
	  HDR("rs256"), GOOD_CLAIMS, SIGN_RS256 },
	{ "RS256 header on an RS384 signature",
	  GOOD_HDR, GOOD_CLAIMS, SIGN_RS384 },
	{ "alg missing",
	  "{\"kid\":\"$KID\",\"typ\":\"JWT\"}", GOOD_CLAIMS, SIGN_RS256 },
	{ "alg not a string",
	  "{\"alg\":256,\"kid\":\"$KID\"}", GOOD_CLAIMS, SIGN_RS256 },
	{ "alg with a NUL",
	  "{\"alg\":\"RS256\\u0000\",\"kid\":\"$KID\"}", GOOD_CLAIMS,
	  SIGN_RS256 },
	/* Keys. */
	{ "unknown kid",
	  "{\"alg\":\"RS256\",\"kid\":\"0123abcd\",\"typ\":\"JWT\"}",
	  GOOD_CLAIMS, SIGN_RS256 },
	{ "missing kid",
	  "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", GOOD_CLAIMS, SIGN_RS256 },
	{ "kid not a string",
	  "{\"alg\":\"RS256\",\"kid\":[\"$KID\"]}", GOOD_CLAIMS, SIGN_RS256 },
	{ "right kid, another RSA key",
	  GOOD_HDR, GOOD_CLAIMS, SIGN_OTHER_RS256 },
	/* Other header fields. */
	{ "typ JWE",
	  "{\"alg\":\"RS256\",\"kid\":\"$KID\",\"typ\":\"JWE\"}", GOOD_CLAIMS,
	  SIGN_RS256 },
	{ "crit",
	  "{\"alg\":\"RS256\",\"kid\":\"$KID\",\"crit\":[\"x\"],\"x\":1}",
	  GOOD_CLAIMS, SIGN_RS256 },
	{ "header not JSON",
	  "{\"alg\":\"RS256\",\"kid\":\"$KID\"", GOOD_CLAIMS, SIGN_RS256 },
	{ "header with text after the object",
	  GOOD_HDR " x", GOOD_CLAIMS, SIGN_RS256 },
	{ "header an array",
	  "[\"RS256\"]", GOOD_CLAIMS, SIGN_RS256 },
	/* Payload. */
	{ "payload not JSON", GOOD_HDR, "sub=alice", SIGN_RS256 },
	{ "payload an array", GOOD_HDR, "[" GOOD_CLAIMS "]", SIGN_RS256 },
	{ "payload empty", GOOD_HDR, "", SIGN_RS256 },
	/* Times. */
	{ "expired",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, SUB, IATT, "$PAST"), SIGN_RS256 },
	{ "iat in the future",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, SUB, "$FUTURE", EXPT),
	  SIGN_RS256 },
	{ "auth_time in the future",
	  GOOD_HDR, CLAIMS(ISS, AUD, "$FUTURE", SUB, IATT, EXPT),
	  SIGN_RS256 },
	/* Audience and issuer. */
	{ "wrong aud",
	  GOOD_HDR, CLAIMS(ISS, "\"another\"", AUTHT, SUB, IATT, EXPT),
	  SIGN_RS256 },
	{ "aud a prefix of the project",
	  GOOD_HDR, CLAIMS(ISS, "\"test-proj\"", AUTHT, SUB, IATT, EXPT),
	  SIGN_RS256 },
	{ "wrong iss",
	  GOOD_HDR, CLAIMS("\"https://accounts.google.com\"", AUD, AUTHT,
	  SUB, IATT, EXPT), SIGN_RS256 },
	{ "iss with a trailing slash",
	  GOOD_HDR, CLAIMS("\"$ISS/\"", AUD, AUTHT, SUB, IATT, EXPT),
	  SIGN_RS256 },
	{ "aud and iss of another project",
	  GOOD_HDR, CLAIMS("\"https://securetoken.google.com/another\"",
	  "\"another\"", AUTHT, SUB, IATT, EXPT), SIGN_RS256 },
	/* Subject. */
	{ "empty sub",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, "\"\"", IATT, EXPT), SIGN_RS256 },
	{ "sub of 129 bytes",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, "\"$SUB129\"", IATT, EXPT),
	  SIGN_RS256 },
	{ "sub with a newline",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, "\"al\\nice\"", IATT, EXPT),
	  SIGN_RS256 },
	{ "sub with a NUL",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, "\"al\\u0000ice\"", IATT, EXPT),
	  SIGN_RS256 },
	{ "missing sub",
	  GOOD_HDR, "{\"iss\":\"$ISS\",\"aud\":\"$PID\",\"auth_time\":$AUTH,"
	  "\"user_id\":\"alice\",\"iat\":$IAT,\"exp\":$EXP}", SIGN_RS256 },
	/* Claims of the wrong type, or missing. */
	{ "exp a string",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, SUB, IATT, "\"$EXP\""),
	  SIGN_RS256 },
	{ "exp a fraction",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, SUB, IATT, "$EXP.5"),
	  SIGN_RS256 },
	{ "exp true",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, SUB, IATT, "true"), SIGN_RS256 },
	{ "exp null",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, SUB, IATT, "null"), SIGN_RS256 },
	{ "sub a number",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, "42", IATT, EXPT), SIGN_RS256 },
	{ "aud an array",
	  GOOD_HDR, CLAIMS(ISS, "[\"$PID\"]", AUTHT, SUB, IATT, EXPT),
	  SIGN_RS256 },
	{ "iss an object",
	  GOOD_HDR, CLAIMS("{\"iss\":\"$ISS\"}", AUD, AUTHT, SUB, IATT,
	  EXPT), SIGN_RS256 },
	{ "iat a string",
	  GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, SUB, "\"$IAT\"", EXPT),
	  SIGN_RS256 },
	{ "auth_time a string",
	  GOOD_HDR, CLAIMS(ISS, AUD, "\"$AUTH\"", SUB, IATT, EXPT),
	  SIGN_RS256 },
	{ "missing exp",
	  GOOD_HDR, "{\"iss\":\"$ISS\",\"aud\":\"$PID\",\"auth_time\":$AUTH,"
	  "\"sub\":\"alice\",\"iat\":$IAT}", SIGN_RS256 },
	{ "missing iat",
	  GOOD_HDR, "{\"iss\":\"$ISS\",\"aud\":\"$PID\",\"auth_time\":$AUTH,"
	  "\"sub\":\"alice\",\"exp\":$EXP}", SIGN_RS256 },
	{ "missing auth_time",
	  GOOD_HDR, "{\"iss\":\"$ISS\",\"aud\":\"$PID\",\"sub\":\"alice\","
	  "\"iat\":$IAT,\"exp\":$EXP}", SIGN_RS256 },
	{ "missing aud",
	  GOOD_HDR, "{\"iss\":\"$ISS\",\"auth_time\":$AUTH,\"sub\":\"alice\","
	  "\"iat\":$IAT,\"exp\":$EXP}", SIGN_RS256 },
	{ "missing iss",
	  GOOD_HDR, "{\"aud\":\"$PID\",\"auth_time\":$AUTH,\"sub\":\"alice\","
	  "\"iat\":$IAT,\"exp\":$EXP}", SIGN_RS256 },
};

static void
test_forged(void)
{
	struct auth		*a;
	struct auth_user	 u;
	const struct forged	*f;
	char			*tok, why[256];
	size_t			 i;

	fixture();
	a = auth_new(PROJECT, fx.cert_file, LEEWAY_MS);
	for (i = 0; i < sizeof forged / sizeof forged[0]; i++) {
		f = &forged[i];
		tok = token_make(f->header, f->payload, f->signer);
		memset(&u, 0x5a, sizeof u);
		if (verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
		    sizeof why) != AUTH_INVALID)
			TEST_FAIL("%s: not refused", f->name);
		else if (u.uid[0] != 0x5a)
			TEST_FAIL("%s: user written on failure", f->name);
		free(tok);
	}
	auth_free(a);
}

/* Token a with its part number part (0 header, 1 payload, 2 signature) taken from b. */
static char *
part_swap(const char *a, const char *b, int part)
{
	struct buf	 out = BUF_INIT;
	const char	*pa = a, *pb = b, *ea, *eb;
	int		 i;

	for (i = 0; i < 3; i++) {
		ea = strchr(pa, '.');
		eb = strchr(pb, '.');
		if (ea == NULL)
			ea = pa + strlen(pa);
		if (eb == NULL)
			eb = pb + strlen(pb);
		if (i > 0)
			buf_addc(&out, '.');
		if (i == part)
			buf_add(&out, pb, (size_t)(eb - pb));
		else
			buf_add(&out, pa, (size_t)(ea - pa));
		pa = *ea == '.' ? ea + 1 : ea;
		pb = *eb == '.' ? eb + 1 : eb;
	}
	return buf_detach(&out);
}

static void
expect_invalid(struct auth *a, const char *name, const char *tok,
    size_t len)
{
	struct auth_user	u;
	char			why[256];

	if (verify_at(a, tok, len, NOW_MS, &u, why, sizeof why) !=
	    AUTH_INVALID)
		TEST_FAIL("%s: not refused", name);
}

static void
test_malformed(void)
{
	static const char	bad_chars[] = "+/= \n!\"\\\x80";
	static const char	b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	struct auth		*a;
	struct buf		 b = BUF_INIT;
	char			*good, *other, *t, *dot1, *dot2;
	size_t			 i, len;

	fixture();
	a = auth_new(PROJECT, fx.cert_file, LEEWAY_MS);
	good = token_make(GOOD_HDR, GOOD_CLAIMS, SIGN_RS256);
	other = token_make(GOOD_HDR, CLAIMS(ISS, AUD, AUTHT, "\"mallory\"",
	    IATT, EXPT), SIGN_RS256);
	len = strlen(good);
	dot1 = strchr(good, '.');
	dot2 = strchr(dot1 + 1, '.');

	/* Tampering. */
	t = part_swap(good, other, 1);
	expect_invalid(a, "payload of another token", t, strlen(t));
	free(t);
	t = xstrdup(good);
	t[len - 10] = t[len - 10] == 'A' ? 'B' : 'A';
	expect_invalid(a, "signature changed", t, len);
	/* The last character of 256 bytes holds 4 unused bits. */
	t[len - 10] = good[len - 10];
	t[len - 1] = b64_alphabet[(strchr(b64_alphabet, t[len - 1]) -
	    b64_alphabet) ^ 1];
	expect_invalid(a, "signature spelled another way", t, len);
	free(t);
	expect_invalid(a, "signature cut short", good, len - 4);

	/* Segments. */
	expect_invalid(a, "empty token", "", 0);
	expect_invalid(a, "1 segment", good, (size_t)(dot1 - good));
	expect_invalid(a, "2 segments", good, (size_t)(dot2 - good));
	buf_adds(&b, good);
	buf_adds(&b, ".AAAA");
	expect_invalid(a, "4 segments", b.data, b.len);
	buf_reset(&b);
	buf_adds(&b, good);
	buf_addc(&b, '.');
	expect_invalid(a, "4 segments, last empty", b.data, b.len);
	t = xstrdup(good);
	memmove(t, dot1, strlen(dot1) + 1);
	expect_invalid(a, "empty header", t, strlen(t));
	free(t);

	/* Characters outside base64url, in each segment. */
	for (i = 0; i < sizeof bad_chars - 1; i++) {
		t = xstrdup(good);
		t[1] = bad_chars[i];
		expect_invalid(a, "bad character in header", t, len);
		t[1] = good[1];
		t[dot1 - good + 2] = bad_chars[i];
		expect_invalid(a, "bad character in payload", t, len);
		t[dot1 - good + 2] = good[dot1 - good + 2];
		t[dot2 - good + 2] = bad_chars[i];
		expect_invalid(a, "bad character in signature", t, len);
		free(t);
	}
	buf_reset(&b);
	buf_adds(&b, good);
	buf_addc(&b, '\n');
	expect_invalid(a, "trailing newline", b.data, b.len);
	buf_reset(&b);
	buf_add(&b, good, (size_t)(dot1 - good));
	buf_adds(&b, "==");
	buf_adds(&b, dot1);
	expect_invalid(a, "padded header", b.data, b.len);

	/* Size. */
	buf_reset(&b);
	buf_add(&b, good, (size_t)(dot1 - good + 1));
	while (b.len < 100 * 1000)
		buf_adds(&b, "QUFB");
	buf_adds(&b, dot2);
	expect_invalid(a, "100 KB token", b.data, b.len);
	buf_reset(&b);
	memset(buf_reserve(&b, AUTH_TOKEN_MAX + 1), 'A', AUTH_TOKEN_MAX + 1);
	b.len = AUTH_TOKEN_MAX + 1;
	expect_invalid(a, "one byte too long", b.data, b.len);

	buf_free(&b);
	free(good);
	free(other);
	auth_free(a);
}

static void
test_cert_file_missing(void)
{
	struct auth		*a;
	struct auth_user	 u;
	char			*path, *tok, why[512];

	fixture();
	xasprintf(&path, "%s/nonexistent.json", fx.dir);
	a = auth_new(PROJECT, path, LEEWAY_MS);
	tok = token_make(GOOD_HDR, GOOD_CLAIMS, SIGN_RS256);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_UNAVAILABLE);
	CHECK(strstr(why, "nonexistent.json") != NULL);
	/* A NULL buffer for the reason is fine. */
	CHECK_INT(auth_verify(a, tok, strlen(tok), NOW_MS, &u, NULL, 0),
	    AUTH_UNAVAILABLE);
	auth_free(a);

	/* No project configured: nothing can be verified. */
	a = auth_new("", fx.cert_file, LEEWAY_MS);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_UNAVAILABLE);
	CHECK(strstr(why, "project_id") != NULL);
	auth_free(a);
	free(tok);
	free(path);
}

static void
test_cert_file_malformed(void)
{
	struct auth		*a;
	struct auth_user	 u;
	json_object		*o;
	char			*path, *tok, *good, *bad, *half, why[512];
	size_t			 i;
	const char		*bads[] = {
		"",
		"not json",
		"[]",
		"{}",
		"{\"k\": 42}",
		"{\"k\": \"not a certificate\"}",
		"$CERT",
		NULL,	/* a good file cut in half, filled in below */
	};

	fixture();
	good = file_text(fx.cert_file);
	REQUIRE(good != NULL);
	xasprintf(&path, "%s/malformed.json", fx.dir);
	file_overwrite(path, good);
	a = auth_new(PROJECT, path, LEEWAY_MS);
	tok = token_make(GOOD_HDR, GOOD_CLAIMS, SIGN_RS256);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);

	half = xstrndup(good, strlen(good) / 2);
	bads[sizeof bads / sizeof bads[0] - 1] = half;
	for (i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		if (strcmp(bads[i], "$CERT") == 0) {
			/* A good certificate under an empty key id. */
			o = json_object_new_object();
			json_object_object_add(o, "", json_object_new_string(
			    fx.cert_pem));
			bad = xstrdup(json_text(o));
			json_object_put(o);
		} else
			bad = xstrdup(bads[i]);
		file_overwrite(path, bad);
		if (verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
		    sizeof why) != AUTH_UNAVAILABLE)
			TEST_FAIL("file %zu: not unavailable", i);
		else if (strstr(why, "malformed.json") == NULL)
			TEST_FAIL("file %zu: reason without the file: %s", i,
			    why);
		free(bad);
	}
	/* Mended, the same verifier works again. */
	file_overwrite(path, good);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	/* A directory is no certificate file. */
	auth_free(a);
	a = auth_new(PROJECT, fx.dir, LEEWAY_MS);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_UNAVAILABLE);
	auth_free(a);
	free(half);
	free(good);
	free(tok);
	free(path);
}

static void
test_cert_rotation(void)
{
	struct auth		*a;
	struct auth_user	 u;
	struct buf		 both = BUF_INIT;
	char			*dir, *key, *certs, *old_certs, *new_certs;
	char			*old_tok, *new_tok, *renamed, err[256], why[512];
	char			*p;

	fixture();
	dir = test_tmpdir();
	xasprintf(&key, "%s/%s", dir, MINT_KEY_FILE);
	xasprintf(&certs, "%s/%s", dir, MINT_CERT_FILE);
	REQUIRE(mint_keygen(dir, err, sizeof err) == 0);
	REQUIRE(mint_token(key, certs, PROJECT, "alice", T, 3600, &old_tok,
	    err, sizeof err) == 0);
	old_certs = file_text(certs);
	a = auth_new(PROJECT, certs, LEEWAY_MS);
	CHECK_INT(verify_at(a, old_tok, strlen(old_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);

	/* A new key replaces the files (rename): old tokens are refused. */
	REQUIRE(mint_keygen(dir, err, sizeof err) == 0);
	REQUIRE(mint_token(key, certs, PROJECT, "alice", T, 3600, &new_tok,
	    err, sizeof err) == 0);
	new_certs = file_text(certs);
	CHECK_INT(verify_at(a, old_tok, strlen(old_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_INVALID);
	CHECK_INT(verify_at(a, new_tok, strlen(new_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);

	/*
	 * Rewritten in place at once, likely with the same size and mtime:
	 * the change must still be seen.
	 */
	file_overwrite(certs, old_certs);
	CHECK_INT(verify_at(a, old_tok, strlen(old_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	CHECK_INT(verify_at(a, new_tok, strlen(new_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_INVALID);
	file_overwrite(certs, new_certs);
	CHECK_INT(verify_at(a, old_tok, strlen(old_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_INVALID);
	CHECK_INT(verify_at(a, new_tok, strlen(new_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);

	/* Both keys published, as Google does while rotating. */
	buf_adds(&both, old_certs);
	p = strrchr(buf_str(&both), '}');
	REQUIRE(p != NULL);
	both.len = (size_t)(p - both.data);
	buf_addc(&both, ',');
	buf_adds(&both, strchr(new_certs, '{') + 1);
	file_overwrite(certs, buf_str(&both));
	CHECK_INT(verify_at(a, old_tok, strlen(old_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	CHECK_INT(verify_at(a, new_tok, strlen(new_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);

	/*
	 * The same size, the same inode and, this quickly, most likely the
	 * same mtime tick: only auth.c's re-read of fresh files sees this.
	 */
	renamed = xstrdup(new_certs);
	p = strchr(renamed, '"') + 1;		/* the kid's first hex digit */
	*p = *p == 'a' ? 'b' : 'a';
	file_overwrite(certs, new_certs);
	CHECK_INT(verify_at(a, new_tok, strlen(new_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	file_overwrite(certs, renamed);
	CHECK_INT(verify_at(a, new_tok, strlen(new_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_INVALID);
	file_overwrite(certs, new_certs);
	free(renamed);

	/* Gone: unavailable, then back. */
	REQUIRE(rename(certs, key) == 0);
	CHECK_INT(verify_at(a, new_tok, strlen(new_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_UNAVAILABLE);
	REQUIRE(rename(key, certs) == 0);
	CHECK_INT(verify_at(a, new_tok, strlen(new_tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);

	auth_free(a);
	buf_free(&both);
	free(old_certs);
	free(new_certs);
	free(old_tok);
	free(new_tok);
	free(key);
	free(certs);
	test_rmtree(dir);
	free(dir);
}

#ifdef HAVE_LIBJWT
/* Firebase's shape, read back with libjwt (no key: no checking). */
static void
mint_check_shape(const char *tok)
{
	jwt_t	*jwt = NULL;
	char	*json;

	REQUIRE(jwt_decode(&jwt, tok, NULL, 0) == 0);
	CHECK_STR(jwt_get_header(jwt, "kid"), fx.kid);
	CHECK_STR(jwt_get_header(jwt, "typ"), "JWT");
	CHECK_STR(jwt_get_header(jwt, "alg"), "RS256");
	CHECK_STR(jwt_get_grant(jwt, "iss"), ISSUER);
	CHECK_STR(jwt_get_grant(jwt, "aud"), PROJECT);
	CHECK_STR(jwt_get_grant(jwt, "sub"), "bob");
	CHECK_STR(jwt_get_grant(jwt, "user_id"), "bob");
	CHECK_INT(jwt_get_grant_int(jwt, "iat"), T);
	CHECK_INT(jwt_get_grant_int(jwt, "auth_time"), T);
	CHECK_INT(jwt_get_grant_int(jwt, "exp"), T + 600);
	json = jwt_get_grants_json(jwt, "firebase");
	CHECK(json != NULL && strstr(json, "sign_in_provider") != NULL);
	free(json);
	jwt_free(jwt);
}
#endif

static void
test_mint(void)
{
	struct auth		*a;
	struct auth_user	 u;
	char			*tok, err[256], why[256];

	fixture();
	REQUIRE(mint_token(fx.key_file, fx.cert_file, PROJECT, "bob", T, 600,
	    &tok, err, sizeof err) == 0);
	a = auth_new(PROJECT, fx.cert_file, 0);
	CHECK_INT(verify_at(a, tok, strlen(tok), NOW_MS, &u, why,
	    sizeof why), AUTH_OK);
	CHECK_STR(u.uid, "bob");
	CHECK_INT(u.exp, T + 600);
	CHECK_INT(verify_at(a, tok, strlen(tok), (T + 600) * 1000, &u, why,
	    sizeof why), AUTH_INVALID);
	auth_free(a);

#ifdef HAVE_LIBJWT
	mint_check_shape(tok);
#endif
	CHECK(strncmp(tok, "eyJ", 3) == 0);
	free(tok);

	/* Refusals, with reasons. */
	err[0] = '\0';
	CHECK_INT(mint_token(fx.key_file, fx.cert_file, PROJECT, "", T, 600,
	    &tok, err, sizeof err), -1);
	CHECK(tok == NULL && err[0] != '\0');
	CHECK_INT(mint_token(fx.key_file, fx.cert_file, PROJECT,
	    "new\nline", T, 600, &tok, err, sizeof err), -1);
	CHECK_INT(mint_token(fx.key_file, fx.cert_file, PROJECT, "bob", T, 0,
	    &tok, err, sizeof err), -1);
	CHECK_INT(mint_token(fx.key_file, fx.cert_file, "", "bob", T, 600,
	    &tok, err, sizeof err), -1);
	CHECK_INT(mint_token(fx.cert_file, fx.cert_file, PROJECT, "bob", T,
	    600, &tok, err, sizeof err), -1);
	CHECK(strstr(err, "private key") != NULL);
	CHECK_INT(mint_token("/nonexistent/key.pem", fx.cert_file, PROJECT,
	    "bob", T, 600, &tok, err, sizeof err), -1);
	CHECK(strstr(err, "/nonexistent/key.pem") != NULL);
	CHECK_INT(mint_keygen("/nonexistent/dir", err, sizeof err), -1);
	CHECK(strstr(err, "/nonexistent/dir") != NULL);
}

static void
test_mint_key_not_in_certs(void)
{
	char	*dir, *key, *tok, err[256];

	fixture();
	dir = test_tmpdir();
	xasprintf(&key, "%s/%s", dir, MINT_KEY_FILE);
	REQUIRE(mint_keygen(dir, err, sizeof err) == 0);
	/* That key with the fixture's certificates: nothing matches. */
	CHECK_INT(mint_token(key, fx.cert_file, PROJECT, "bob", T, 600, &tok,
	    err, sizeof err), -1);
	CHECK(strstr(err, "no certificate matches") != NULL);
	free(key);
	test_rmtree(dir);
	free(dir);
}

/*
 * Runs backstream-verify (the built program, or $VERIFY) with the token
 * on stdin; returns its exit status and its output in out.
 */
static int
run_verify(const char *prog, const char *conf, const char *input,
    size_t len, char *out, size_t outlen)
{
	char	*cmd, *in_path, *out_path, *text;
	FILE	*f;
	int	 status;

	xasprintf(&in_path, "%s/verify.in", fx.dir);
	xasprintf(&out_path, "%s/verify.out", fx.dir);
	f = fopen(in_path, "w");
	if (f == NULL || fwrite(input, 1, len, f) != len || fclose(f) != 0)
		abort();
	if (conf != NULL)
		xasprintf(&cmd, "'%s' -c '%s' <'%s' >'%s'", prog, conf,
		    in_path, out_path);
	else
		xasprintf(&cmd, "'%s' -x <'%s' >'%s' 2>/dev/null", prog,
		    in_path, out_path);
	status = system(cmd);
	text = file_text(out_path);
	snprintf(out, outlen, "%s", text != NULL ? text : "");
	free(text);
	free(cmd);
	free(in_path);
	free(out_path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_verify_program(void)
{
	const char	*prog;
	char		*conf, *bad_conf, *tok, *line, out[1024], err[256];
	struct buf	 big = BUF_INIT;
	FILE		*f;
	int64_t		 now = (int64_t)time(NULL);

	fixture();
	prog = getenv("VERIFY");
#ifdef VERIFY_PROGRAM
	if (prog == NULL || *prog == '\0')
		prog = VERIFY_PROGRAM;
#endif
	if (prog == NULL || access(prog, X_OK) != 0) {
		printf("skip test_verify_program: backstream-verify not "
		    "built\n");
		return;
	}
	xasprintf(&conf, "%s/backstream.conf", fx.dir);
	xasprintf(&bad_conf, "%s/bad.conf", fx.dir);
	REQUIRE((f = fopen(conf, "w")) != NULL);
	fprintf(f, "project_id = %s\ncert_file = %s\ntoken_leeway = 30s\n",
	    PROJECT, fx.cert_file);
	fclose(f);
	REQUIRE((f = fopen(bad_conf, "w")) != NULL);
	fprintf(f, "project_id = %s\ncert_file = %s/none.json\n", PROJECT,
	    fx.dir);
	fclose(f);
	REQUIRE(mint_token(fx.key_file, fx.cert_file, PROJECT, "alice", now,
	    3600, &tok, err, sizeof err) == 0);

	CHECK_INT(run_verify(prog, conf, tok, strlen(tok), out, sizeof out),
	    0);
	xasprintf(&line, "ok alice %lld\n", (long long)now + 3600);
	CHECK_STR(out, line);
	free(line);
	/* The same with a newline after the token. */
	buf_adds(&big, tok);
	buf_adds(&big, "\r\n");
	CHECK_INT(run_verify(prog, conf, big.data, big.len, out, sizeof out),
	    0);
	CHECK_INT(run_verify(prog, conf, tok, strlen(tok) - 3, out,
	    sizeof out), 1);
	CHECK_STR(out, "invalid\n");
	CHECK_INT(run_verify(prog, conf, "", 0, out, sizeof out), 1);
	buf_reset(&big);
	while (big.len < 100 * 1000)
		buf_adds(&big, tok);
	CHECK_INT(run_verify(prog, conf, big.data, big.len, out, sizeof out),
	    1);
	CHECK_INT(run_verify(prog, bad_conf, tok, strlen(tok), out,
	    sizeof out), 2);
	CHECK(strncmp(out, "unavailable ", 12) == 0 &&
	    strstr(out, "none.json") != NULL);
	CHECK(strchr(out, '\n') == out + strlen(out) - 1);
	CHECK_INT(run_verify(prog, NULL, tok, strlen(tok), out, sizeof out),
	    64);

	buf_free(&big);
	free(tok);
	free(conf);
	free(bad_conf);
}

int
main(int argc, char **argv)
{
	static const struct test	tests[] = {
		{ "test_keygen", test_keygen },
		{ "test_valid", test_valid },
		{ "test_leeway_edges", test_leeway_edges },
		{ "test_forged", test_forged },
		{ "test_malformed", test_malformed },
		{ "test_cert_file_missing", test_cert_file_missing },
		{ "test_cert_file_malformed", test_cert_file_malformed },
		{ "test_cert_rotation", test_cert_rotation },
		{ "test_mint", test_mint },
		{ "test_mint_key_not_in_certs", test_mint_key_not_in_certs },
		{ "test_verify_program", test_verify_program },
		{ NULL, NULL },
	};

	int	status;

	status = test_main(argc, argv, tests, 120);
	fixture_free();
	return status;
}
