/* auth.c: Firebase ID token verification: RS256 only, keys cached from Google's certificate file. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "json.h"
#include "jws.h"
#include "rsa-key.h"
#include "xmalloc.h"

#define ISSUER_PREFIX	"https://securetoken.google.com/"
#define CERT_FILE_MAX	(1024 * 1024)	/* Google's file is about 3 KiB */
#define CERT_KEYS_MAX	64
#define KID_MAX		256
#define RSA_BITS_MIN	2048
/*
 * File timestamps advance in coarse ticks, so a file rewritten in place
 * right after we read it can keep its size and mtime (git's "racy" index
 * problem).  A file changed less than this long before it was read is read
 * again on the next verification, until it has been quiet that long.
 */
#define RACY_MS		2000

/* One certificate of the file, reduced to what verification needs. */
struct auth_key {
	char	*kid;
	size_t	 kid_len;
	struct rsa_key *key;	/* the certificate's public key */
};

/* What stat says about the file; any difference means it must be read again. */
struct file_id {
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	struct timespec	mtime;
	struct timespec	ctime;	/* catches chmod of an unreadable file */
};

struct auth {
	char		*project_id;
	char		*issuer;
	char		*cert_file;
	int64_t		 skew_ms;	/* on iat and auth_time */
	int64_t		 exp_leeway_ms;	/* on exp */

	/* The certificate file as last read. */
	int		 loaded;	/* id, text, keys and failure are current */
	int		 racy;		/* read too close to a change: read again */
	struct file_id	 id;
	struct buf	 text;		/* raw contents: a touch needs no re-parse */
	struct auth_key	*keys;
	size_t		 nkeys;
	char		 failure[512];	/* why the file is unusable, or "" */
};

static void	why_set(char *why, size_t whylen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

static void
why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* ---- the certificate file ------------------------------------------- */

static void
file_id_of(struct file_id *id, const struct stat *st)
{
	memset(id, 0, sizeof *id);
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime = st->st_mtim;
	id->ctime = st->st_ctim;
}

static int
file_id_eq(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec &&
	    a->ctime.tv_sec == b->ctime.tv_sec &&
	    a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/*
 * Whether the file changed too recently for its stat to be trusted.  By
 * ctime, which nobody can set back (curl -R sets mtime to the server's).
 */
static int
file_id_racy(const struct file_id *id)
{
	struct timespec	now;
	int64_t		age_ms;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return 1;
	age_ms = ((int64_t)now.tv_sec - (int64_t)id->ctime.tv_sec) * 1000 +
	    ((int64_t)now.tv_nsec - (int64_t)id->ctime.tv_nsec) / 1000000;
	return age_ms < RACY_MS;
}

static void
keys_free(struct auth_key *keys, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(keys[i].kid);
		rsa_key_free(keys[i].key);
	}
	free(keys);
}

/*
 * Parses Google's format, a JSON object mapping key id to PEM certificate,
 * into a new key array.  Any bad entry makes the whole file unusable: a
 * half-read file must not pass for the real one.
 */
static int
certs_parse(const char *text, size_t len, struct auth_key **keysp,
    size_t *nkeysp, char *err, size_t errlen)
{
	struct json_object_iterator	 it, end;
	json_object			*root, *val;
	struct auth_key			*keys = NULL, *k;
	const char			*kid;
	char				 jerr[128], kerr[128];
	size_t				 n = 0, cap;
	int				 count, ret = -1;

	root = json_parse(text, len, jerr, sizeof jerr);
	if (root == NULL) {
		snprintf(err, errlen, "%s", jerr);
		return -1;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
		goto done;
	}
	count = json_object_object_length(root);
	if (count <= 0) {
		snprintf(err, errlen, "no certificates");
		goto done;
	}
	if (count > CERT_KEYS_MAX) {
		snprintf(err, errlen, "more than %d certificates",
		    CERT_KEYS_MAX);
		goto done;
	}
	cap = (size_t)count;
	keys = xcalloc(cap, sizeof *keys);
	it = json_object_iter_begin(root);
	end = json_object_iter_end(root);
	for (; !json_object_iter_equal(&it, &end);
	    json_object_iter_next(&it)) {
		kid = json_object_iter_peek_name(&it);
		val = json_object_iter_peek_value(&it);
		if (*kid == '\0' || strlen(kid) > KID_MAX) {
			snprintf(err, errlen, "certificate %zu: key id is "
			    "empty or longer than %d bytes", n + 1, KID_MAX);
			goto done;
		}
		/* Entries by number: a key id could hold anything. */
		if (!json_object_is_type(val, json_type_string)) {
			snprintf(err, errlen, "certificate %zu: not a string",
			    n + 1);
			goto done;
		}
		k = &keys[n];
		if ((k->key = rsa_key_from_cert(json_object_get_string(val),
		    (size_t)json_object_get_string_len(val), RSA_BITS_MIN,
		    kerr, sizeof kerr)) == NULL) {
			snprintf(err, errlen, "certificate %zu: %s", n + 1,
			    kerr);
			goto done;
		}
		k->kid = xstrdup(kid);
		k->kid_len = strlen(kid);
		n++;
	}
	*keysp = keys;
	*nkeysp = n;
	keys = NULL;
	ret = 0;
done:
	if (keys != NULL)
		keys_free(keys, n);
	json_object_put(root);
	return ret;
}

/*
 * Reads the file whole into text, updating *id from the open file.  Sets
 * *changed if the file changed while it was being read.
 */
static int
cert_file_read(const char *path, struct buf *text, struct file_id *id,
    int *changed, char *err, size_t errlen)
{
	struct stat	 st;
	struct file_id	 after;
	ssize_t		 n;
	int		 fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		snprintf(err, errlen, "cannot open certificate file %s: %s",
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot stat certificate file %s: %s",
		    path, strerror(errno));
		goto done;
	}
	file_id_of(id, &st);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "certificate file %s is not a regular "
		    "file", path);
		goto done;
	}
	for (;;) {
		n = read(fd, buf_reserve(text, 4096), 4096);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "cannot read certificate file "
			    "%s: %s", path, strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		text->len += (size_t)n;
		if (text->len > CERT_FILE_MAX) {
			snprintf(err, errlen, "certificate file %s is larger "
			    "than %d bytes", path, CERT_FILE_MAX);
			goto done;
		}
	}
	if (fstat(fd, &st) == 0) {
		file_id_of(&after, &st);
		*changed = !file_id_eq(id, &after);
	} else
		*changed = 1;
	ret = 0;
done:
	close(fd);
	return ret;
}

static void
cert_forget(struct auth *a)
{
	keys_free(a->keys, a->nkeys);
	a->keys = NULL;
	a->nkeys = 0;
	buf_reset(&a->text);
	a->failure[0] = '\0';
	a->loaded = 0;
}

/*
 * Brings the cached keys up to date with the file: a stat per call, a read
 * when it changed, a parse when its contents did.  Afterwards a->failure
 * says why there are no keys, or is empty.
 */
static void
cert_refresh(struct auth *a)
{
	struct stat	 st;
	struct file_id	 id;
	struct buf	 text = BUF_INIT;
	struct buf	 swap;
	char		 err[sizeof a->failure - 64];
	int		 changed = 0;

	if (stat(a->cert_file, &st) == -1) {
		/* Nothing to cache: the next call looks again. */
		int	e = errno;

		cert_forget(a);
		snprintf(a->failure, sizeof a->failure, "cannot read "
		    "certificate file %s: %s", a->cert_file, strerror(e));
		return;
	}
	file_id_of(&id, &st);
	if (a->loaded && !a->racy && file_id_eq(&id, &a->id))
		return;

	if (cert_file_read(a->cert_file, &text, &id, &changed, err,
	    sizeof err) == -1) {
		cert_forget(a);
		snprintf(a->failure, sizeof a->failure, "%s", err);
	} else if (a->loaded && a->failure[0] == '\0' &&
	    text.len == a->text.len &&
	    memcmp(text.data, a->text.data, text.len) == 0) {
		/* Touched or re-read, not changed: keep the keys. */
	} else {
		cert_forget(a);
		if (certs_parse(text.data, text.len, &a->keys, &a->nkeys,
		    err, sizeof err) == -1)
			snprintf(a->failure, sizeof a->failure,
			    "certificate file %s: %s", a->cert_file, err);
		swap = a->text;
		a->text = text;
		text = swap;
	}
	a->id = id;
	a->loaded = 1;
	a->racy = changed || file_id_racy(&id);
	buf_free(&text);
}

static const struct auth_key *
key_find(const struct auth *a, const char *kid, size_t kid_len)
{
	size_t	i;

	for (i = 0; i < a->nkeys; i++)
		if (a->keys[i].kid_len == kid_len &&
		    memcmp(a->keys[i].kid, kid, kid_len) == 0)
			return &a->keys[i];
	return NULL;
}

/* Whether member key of obj is a string of exactly s (no embedded NUL). */
static int
json_member_is(json_object *obj, const char *key, const char *s)
{
	json_object	*v;
	size_t		 len = strlen(s);

	return json_object_object_get_ex(obj, key, &v) &&
	    json_object_is_type(v, json_type_string) &&
	    (size_t)json_object_get_string_len(v) == len &&
	    memcmp(json_object_get_string(v), s, len) == 0;
}

/* Member key of obj if it is a string; its length in *len. */
static const char *
json_member_string(json_object *obj, const char *key, size_t *len)
{
	json_object	*v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

/* Member key of obj if it is a JSON integer (not a float, not a string). */
static int
json_member_int(json_object *obj, const char *key, int64_t *out)
{
	json_object	*v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);	/* saturates, never wraps */
	return 0;
}

/*
 * The header must say RS256, exactly.  The signature check below is RS256
 * whatever the header says, so no other algorithm can be smuggled in (an
 * HS256 token keyed with our public key's text, as libjwt 1.10 would
 * accept); this check refuses the tokens that claim one.
 */
static int
header_check(json_object *h, const char **kid, size_t *kid_len,
    char *why, size_t whylen)
{
	json_object	*v;

	if (!json_member_is(h, "alg", "RS256")) {
		why_set(why, whylen, "header alg is not RS256");
		return -1;
	}
	if (json_object_object_get_ex(h, "typ", &v) &&
	    !json_member_is(h, "typ", "JWT")) {
		why_set(why, whylen, "header typ is not JWT");
		return -1;
	}
	if (json_object_object_get_ex(h, "crit", &v)) {
		why_set(why, whylen, "header has crit extensions");
		return -1;
	}
	*kid = json_member_string(h, "kid", kid_len);
	if (*kid == NULL || *kid_len == 0) {
		why_set(why, whylen, "header kid is missing or not a string");
		return -1;
	}
	return 0;
}

/* ---- claims ---------------------------------------------------------- */

/* Seconds to milliseconds, saturating rather than overflowing. */
static int64_t
sec_to_ms(int64_t s)
{
	if (s > INT64_MAX / 1000)
		return INT64_MAX;
	if (s < INT64_MIN / 1000)
		return INT64_MIN;
	return s * 1000;
}

/* a + b for b >= 0, saturating. */
static int64_t
add_sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int
claims_check(const struct auth *a, json_object *c, int64_t now_ms,
    struct auth_user *user, char *why, size_t whylen)
{
	static const char *const past[] = { "iat", "auth_time" };
	const char	*sub;
	size_t		 sub_len, i;
	int64_t		 exp, t;

	if (json_member_int(c, "exp", &exp) == -1) {
		why_set(why, whylen, "exp is missing or not an integer");
		return -1;
	}
	if (add_sat(sec_to_ms(exp), a->exp_leeway_ms) <= now_ms) {
		why_set(why, whylen, "token expired");
		return -1;
	}
	for (i = 0; i < sizeof past / sizeof past[0]; i++) {
		if (json_member_int(c, past[i], &t) == -1) {
			why_set(why, whylen, "%s is missing or not an integer",
			    past[i]);
			return -1;
		}
		if (sec_to_ms(t) > add_sat(now_ms, a->skew_ms)) {
			why_set(why, whylen, "%s is in the future", past[i]);
			return -1;
		}
	}
	if (!json_member_is(c, "aud", a->project_id)) {
		why_set(why, whylen, "aud is not the project id");
		return -1;
	}
	if (!json_member_is(c, "iss", a->issuer)) {
		why_set(why, whylen, "iss is not this project's issuer");
		return -1;
	}
	sub = json_member_string(c, "sub", &sub_len);
	if (sub == NULL || sub_len == 0 || sub_len > AUTH_UID_MAX) {
		why_set(why, whylen, "sub is missing, not a string, empty or "
		    "longer than %d bytes", AUTH_UID_MAX);
		return -1;
	}
	/* The uid goes into log lines, line protocols and store keys. */
	for (i = 0; i < sub_len; i++)
		if ((unsigned char)sub[i] < 0x20 || sub[i] == 0x7f) {
			why_set(why, whylen, "sub has control characters");
			return -1;
		}
	memcpy(user->uid, sub, sub_len);
	user->uid[sub_len] = '\0';
	user->exp = exp;
	return 0;
}

/*
 * Checks the RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of the
 * signing input (header "." payload) against key.  The algorithm is fixed
 * here, never taken from the token.
 */
static int
signature_check(const struct rsa_key *key, const struct jws_part seg[3])
{
	unsigned char	 sig[AUTH_TOKEN_MAX / 4 * 3 + 3];
	size_t		 sig_len;

	if (jws_decode(&seg[2], sig, &sig_len) == -1)
		return -1;
	return rsa_key_verify_rs256(key, seg[0].p, seg[0].len + 1 +
	    seg[1].len, sig, sig_len);
}

/* ---- the verifier ---------------------------------------------------- */

struct auth *
auth_new(const char *project_id, const char *cert_file, int64_t skew_ms)
{
	struct auth	*a;

	a = xcalloc(1, sizeof *a);
	a->project_id = xstrdup(project_id);
	xasprintf(&a->issuer, "%s%s", ISSUER_PREFIX, project_id);
	a->cert_file = xstrdup(cert_file);
	a->skew_ms = skew_ms > 0 ? skew_ms : 0;
	a->text = (struct buf)BUF_INIT;
	return a;
}

void
auth_set_expiry_leeway(struct auth *a, int64_t leeway_ms)
{
	a->exp_leeway_ms = leeway_ms > 0 ? leeway_ms : 0;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	cert_forget(a);
	buf_free(&a->text);
	free(a->project_id);
	free(a->issuer);
	free(a->cert_file);
	free(a);
}

enum auth_result
auth_verify(struct auth *a, const char *token, size_t len, int64_t now_ms,
    struct auth_user *user, char *why, size_t whylen)
{
	struct jws_part		 seg[3];
	json_object		*header = NULL, *claims = NULL;
	const struct auth_key	*key;
	const char		*kid;
	size_t			 kid_len;
	enum auth_result	 res = AUTH_INVALID;

	why_set(why, whylen, "%s", "");
	if (a->project_id[0] == '\0') {
		why_set(why, whylen, "project_id is not configured");
		return AUTH_UNAVAILABLE;
	}
	if (len > AUTH_TOKEN_MAX) {
		why_set(why, whylen, "token longer than %d bytes",
		    AUTH_TOKEN_MAX);
		return AUTH_INVALID;
	}
	if (jws_split(token, len, seg) == -1) {
		why_set(why, whylen, "not three base64url segments");
		return AUTH_INVALID;
	}
	if ((header = jws_json(&seg[0])) == NULL) {
		why_set(why, whylen, "header is not a base64url JSON object");
		goto done;
	}
	if (header_check(header, &kid, &kid_len, why, whylen) == -1)
		goto done;
	if ((claims = jws_json(&seg[1])) == NULL) {
		why_set(why, whylen, "payload is not a base64url JSON object");
		goto done;
	}

	cert_refresh(a);
	if (a->failure[0] != '\0') {
		why_set(why, whylen, "%s", a->failure);
		res = AUTH_UNAVAILABLE;
		goto done;
	}
	if ((key = key_find(a, kid, kid_len)) == NULL) {
		why_set(why, whylen, "kid names no certificate in the file");
		goto done;
	}

	/*
	 * Not jwt_decode(): libjwt 1.10 parses its PEM key on every call,
	 * which OpenSSL 3.0 makes cost 300 us; the cached key costs 20.
	 */
	if (signature_check(key->key, seg) == -1) {
		why_set(why, whylen, "signature does not verify");
		goto done;
	}
	if (claims_check(a, claims, now_ms, user, why, whylen) == -1)
		goto done;
	res = AUTH_OK;
done:
	json_object_put(header);
	json_object_put(claims);
	return res;
}
