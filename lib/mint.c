/* mint.c: local signing keys and tokens, so that backstream can be run and tested without Google. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "json.h"
#include "mint.h"
#include "xmalloc.h"

#define KEY_BITS	2048
#define CERT_DAYS	3650L	/* local use; the verifier reads only the key */
#define KEY_FILE_MAX	(64 * 1024)
#define CERT_FILE_MAX	(1024 * 1024)
#define UID_MAX		128
#define ISSUER_PREFIX	"https://securetoken.google.com/"

/* Takes the contents of an OpenSSL memory BIO as a new string. */
static char *
bio_string(BIO *b)
{
	char	*data;
	long	 n;

	n = BIO_get_mem_data(b, &data);
	return n > 0 ? xstrndup(data, (size_t)n) : NULL;
}

/*
 * Writes data to DIR/NAME through a temporary file and rename(2), so that
 * a verifier re-reading the file never sees it half written.
 */
static int
file_write_atomic(const char *dir, const char *name, const char *data,
    size_t len, mode_t mode, char *err, size_t errlen)
{
	char	*path, *tmp;
	size_t	 off = 0;
	ssize_t	 n;
	int	 fd, ret = -1;

	xasprintf(&path, "%s/%s", dir, name);
	xasprintf(&tmp, "%s/.%s.XXXXXX", dir, name);
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "cannot create a file in %s: %s", dir,
		    strerror(errno));
		goto done;
	}
	if (fchmod(fd, mode) == -1) {
		snprintf(err, errlen, "cannot set the mode of %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "cannot write %s: %s", tmp,
			    strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		snprintf(err, errlen, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		goto fail;
	}
	ret = 0;
	goto done;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
done:
	free(path);
	free(tmp);
	return ret;
}

/* Reads a whole file of at most max bytes into b. */
static int
file_read_all(const char *path, size_t max, struct buf *b, char *err,
    size_t errlen)
{
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		n = read(fd, buf_reserve(b, 4096), 4096);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			break;
		}
		if (n == 0) {
			close(fd);
			return 0;
		}
		b->len += (size_t)n;
		if (b->len > max) {
			snprintf(err, errlen, "%s is larger than %zu bytes",
			    path, max);
			break;
		}
	}
	close(fd);
	return -1;
}

/* ---- keygen ---------------------------------------------------------- */

/* A self-signed certificate for pkey, as Google publishes one per key. */
static X509 *
cert_make(EVP_PKEY *pkey)
{
	X509		*x;
	X509_NAME	*name;
	BIGNUM		*serial;
	int		 ok;

	if ((x = X509_new()) == NULL)
		return NULL;
	serial = BN_new();
	name = X509_get_subject_name(x);
	ok = serial != NULL &&
	    X509_set_version(x, X509_VERSION_3) == 1 &&
	    BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
	    BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) != NULL &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), CERT_DAYS * 86400) !=
	    NULL &&
	    X509_set_pubkey(x, pkey) == 1 &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"backstream local signing key", -1, -1,
	    0) == 1 &&
	    X509_set_issuer_name(x, name) == 1 &&
	    X509_sign(x, pkey, EVP_sha256()) > 0;
	BN_free(serial);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* The key id: the certificate's SHA-1 fingerprint in hex, like Google's. */
static int
cert_kid(X509 *x, char *kid, size_t kidlen)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n, i;

	if (X509_digest(x, EVP_sha1(), md, &n) != 1 || kidlen < 2 * n + 1)
		return -1;
	for (i = 0; i < n; i++)
		snprintf(kid + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int
mint_keygen(const char *dir, char *err, size_t errlen)
{
	EVP_PKEY	*pkey = NULL;
	X509		*x = NULL;
	BIO		*kb = NULL, *cb = NULL;
	json_object	*certs = NULL;
	char		*key_pem = NULL, *cert_pem = NULL;
	char		 kid[2 * EVP_MAX_MD_SIZE + 1];
	struct buf	 json = BUF_INIT;
	int		 ret = -1;

	if ((pkey = EVP_RSA_gen(KEY_BITS)) == NULL) {
		snprintf(err, errlen, "cannot generate an RSA key");
		goto done;
	}
	if ((x = cert_make(pkey)) == NULL || cert_kid(x, kid,
	    sizeof kid) == -1) {
		snprintf(err, errlen, "cannot make a certificate");
		goto done;
	}
	kb = BIO_new(BIO_s_mem());
	cb = BIO_new(BIO_s_mem());
	if (kb == NULL || cb == NULL ||
	    PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL,
	    NULL) != 1 || PEM_write_bio_X509(cb, x) != 1 ||
	    (key_pem = bio_string(kb)) == NULL ||
	    (cert_pem = bio_string(cb)) == NULL) {
		snprintf(err, errlen, "cannot encode the key and certificate");
		goto done;
	}
	certs = json_object_new_object();
	json_object_object_add(certs, kid, json_object_new_string(cert_pem));
	buf_adds(&json, json_object_to_json_string_ext(certs,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	buf_addc(&json, '\n');

	/* The key first: a certificate without its key would be useless. */
	if (file_write_atomic(dir, MINT_KEY_FILE, key_pem, strlen(key_pem),
	    0600, err, errlen) == -1 ||
	    file_write_atomic(dir, MINT_CERT_FILE, json.data, json.len, 0644,
	    err, errlen) == -1)
		goto done;
	ret = 0;
done:
	if (key_pem != NULL)
		OPENSSL_cleanse(key_pem, strlen(key_pem));
	free(key_pem);
	free(cert_pem);
	buf_free(&json);
	json_object_put(certs);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return ret;
}

/* ---- tokens ---------------------------------------------------------- */

/* Refuses to ask for a passphrase: OpenSSL's default would read the tty. */
static int
no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

/* Finds the kid of the certificate in text whose public key is pkey's. */
static int
kid_for_key(const char *text, size_t len, EVP_PKEY *pkey, char **kid,
    char *err, size_t errlen)
{
	struct json_object_iterator	 it, end;
	json_object			*root, *val;
	BIO				*b;
	X509				*x;
	char				 jerr[128];
	int				 match;

	if ((root = json_parse(text, len, jerr, sizeof jerr)) == NULL) {
		snprintf(err, errlen, "%s", jerr);
		return -1;
	}
	*kid = NULL;
	if (json_object_is_type(root, json_type_object)) {
		it = json_object_iter_begin(root);
		end = json_object_iter_end(root);
	} else
		it = end = json_object_iter_init_default();
	for (; *kid == NULL && !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		val = json_object_iter_peek_value(&it);
		if (!json_object_is_type(val, json_type_string))
			continue;
		b = BIO_new_mem_buf(json_object_get_string(val),
		    json_object_get_string_len(val));
		x = b == NULL ? NULL : PEM_read_bio_X509(b, NULL, NULL, NULL);
		match = x != NULL && X509_get0_pubkey(x) != NULL &&
		    EVP_PKEY_eq(X509_get0_pubkey(x), pkey) == 1;
		if (match)
			*kid = xstrdup(json_object_iter_peek_name(&it));
		X509_free(x);
		BIO_free(b);
	}
	json_object_put(root);
	if (*kid == NULL) {
		snprintf(err, errlen, "no certificate matches the key");
		return -1;
	}
	return 0;
}

static int
uid_ok(const char *uid)
{
	size_t	i, len = strlen(uid);

	if (len == 0 || len > UID_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)uid[i] < 0x20 || uid[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Appends data (len bytes) to b as unpadded base64url (RFC 7515 section 2):
 * OpenSSL encodes standard base64, so translate and drop the padding.
 */
static void
b64url_append(struct buf *b, const unsigned char *data, size_t len)
{
	char	*enc, *p;
	int	 n;

	enc = xmalloc(4 * ((len + 2) / 3) + 1);
	n = EVP_EncodeBlock((unsigned char *)enc, data, (int)len);
	while (n > 0 && enc[n - 1] == '=')
		n--;
	for (p = enc; p < enc + n; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	}
	buf_add(b, enc, (size_t)n);
	free(enc);
}

/* The token's header and claims (see mint_token() in mint.h), as JSON. */
static void
token_parts(const char *kid, const char *project_id, const char *uid,
    int64_t now, int64_t ttl_seconds, json_object **header,
    json_object **claims)
{
	json_object	*h, *c, *fb;
	char		*issuer;

	h = json_object_new_object();
	json_object_object_add(h, "alg", json_object_new_string("RS256"));
	json_object_object_add(h, "typ", json_object_new_string("JWT"));
	json_object_object_add(h, "kid", json_object_new_string(kid));

	xasprintf(&issuer, "%s%s", ISSUER_PREFIX, project_id);
	c = json_object_new_object();
	json_object_object_add(c, "iss", json_object_new_string(issuer));
	json_object_object_add(c, "aud", json_object_new_string(project_id));
	json_object_object_add(c, "sub", json_object_new_string(uid));
	json_object_object_add(c, "user_id", json_object_new_string(uid));
	json_object_object_add(c, "iat", json_object_new_int64(now));
	json_object_object_add(c, "auth_time", json_object_new_int64(now));
	json_object_object_add(c, "exp",
	    json_object_new_int64(now + ttl_seconds));
	fb = json_object_new_object();
	json_object_object_add(fb, "identities", json_object_new_object());
	json_object_object_add(fb, "sign_in_provider",
	    json_object_new_string("custom"));
	json_object_object_add(c, "firebase", fb);
	free(issuer);
	*header = h;
	*claims = c;
}

/*
 * Signs header.claims with pkey (RS256: RSASSA-PKCS1-v1_5 over SHA-256)
 * and returns the compact token, which the caller frees; NULL if OpenSSL
 * fails.  Done with OpenSSL itself rather than libjwt, which Debian ships
 * as a shared library only: the relocatable bundle (doc/deployment.md)
 * links every library statically.
 */
static char *
token_sign(EVP_PKEY *pkey, json_object *header, json_object *claims)
{
	struct buf	 t = BUF_INIT;
	EVP_MD_CTX	*ctx;
	unsigned char	*sig = NULL;
	const char	*text;
	size_t		 siglen = 0;
	int		 ok;

	text = json_text(header);
	b64url_append(&t, (const unsigned char *)text, strlen(text));
	buf_addc(&t, '.');
	text = json_text(claims);
	b64url_append(&t, (const unsigned char *)text, strlen(text));

	ok = (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	    EVP_DigestSign(ctx, NULL, &siglen, (unsigned char *)t.data,
	    t.len) == 1 &&
	    (sig = OPENSSL_malloc(siglen)) != NULL &&
	    EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)t.data,
	    t.len) == 1;
	if (ok) {
		buf_addc(&t, '.');
		b64url_append(&t, sig, siglen);
	}
	OPENSSL_free(sig);
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		buf_free(&t);
		return NULL;
	}
	return buf_detach(&t);
}

int
mint_token(const char *key_file, const char *cert_file,
    const char *project_id, const char *uid, int64_t now,
    int64_t ttl_seconds, char **token_out, char *err, size_t errlen)
{
	struct buf	 key = BUF_INIT, certs = BUF_INIT;
	EVP_PKEY	*pkey = NULL;
	BIO		*b = NULL;
	json_object	*header = NULL, *claims = NULL;
	char		*kid = NULL;
	char		 reason[256];
	int		 ret = -1;

	*token_out = NULL;
	if (*project_id == '\0') {
		snprintf(err, errlen, "no project id");
		return -1;
	}
	if (!uid_ok(uid)) {
		snprintf(err, errlen, "a uid has 1 to %d bytes and no control "
		    "characters", UID_MAX);
		return -1;
	}
	if (ttl_seconds <= 0 || now < 0 || now > INT64_MAX - ttl_seconds) {
		snprintf(err, errlen, "the time to live must be positive and "
		    "the expiry representable");
		return -1;
	}
	if (file_read_all(key_file, KEY_FILE_MAX, &key, err, errlen) == -1 ||
	    file_read_all(cert_file, CERT_FILE_MAX, &certs, err,
	    errlen) == -1)
		goto done;

	b = BIO_new_mem_buf(key.data, (int)key.len);
	if (b == NULL || (pkey = PEM_read_bio_PrivateKey(b, NULL,
	    no_passphrase, NULL)) == NULL || !EVP_PKEY_is_a(pkey, "RSA")) {
		snprintf(err, errlen, "%s: not an unencrypted PEM RSA private "
		    "key", key_file);
		goto done;
	}
	if (kid_for_key(certs.data, certs.len, pkey, &kid, reason,
	    sizeof reason) == -1) {
		snprintf(err, errlen, "%s: %s", cert_file, reason);
		goto done;
	}

	token_parts(kid, project_id, uid, now, ttl_seconds, &header, &claims);
	if ((*token_out = token_sign(pkey, header, claims)) == NULL) {
		snprintf(err, errlen, "cannot sign the token");
		goto done;
	}
	ret = 0;
done:
	json_object_put(header);
	json_object_put(claims);
	EVP_PKEY_free(pkey);
	BIO_free(b);
	if (key.data != NULL)
		OPENSSL_cleanse(key.data, key.cap);
	buf_free(&key);
	buf_free(&certs);
	free(kid);
	ERR_clear_error();
	return ret;
}
