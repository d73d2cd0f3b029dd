/* token-screen.c: the cheap checks that refuse what cannot be a Firebase ID token before a signature is checked. */
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

#include <json-c/json.h>

#include "auth.h"
#include "buf.h"
#include "json.h"
#include "jws.h"
#include "token-screen.h"
#include "xmalloc.h"

#define ISSUER_PREFIX	"https://securetoken.google.com/"
/* Google's file holds two or three certificates, 1.5 KiB each. */
#define CERT_FILE_MAX	(1024 * 1024)
/* A header is {"alg","kid","typ"}: some 150 characters. */
#define HEADER_MAX	1024
/*
 * An RS256 signature is as long as its key: 2048 bits at least (lib/auth.c
 * refuses smaller keys), 8192 at most here; in base64url characters.
 */
#define SIG_MIN		((2048 / 8 * 4 + 2) / 3)
#define SIG_MAX		((8192 / 8 * 4 + 2) / 3)
/* An in-place rewrite can keep the stat identity within a timestamp tick. */
#define FRESH_SECONDS	2

struct token_screen {
	char		*project_id;
	char		*issuer;
	char		*cert_file;
	int64_t		 leeway_ms;
	json_object	*certs;		/* the file's object, or NULL */
	struct stat	 certs_st;	/* its identity when read */
};

static void __attribute__((format(printf, 3, 4)))
why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	ap;

	if (whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* ---- the certificate file's key ids ----------------------------------- */

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The file's JSON object, or NULL if it cannot be read or is not one. */
static json_object *
certs_read(const char *path, struct stat *st)
{
	struct buf	 text = BUF_INIT;
	json_object	*obj = NULL;
	char		 jerr[128];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode) ||
	    st->st_size > CERT_FILE_MAX)
		goto out;
	while ((n = read(fd, buf_reserve(&text, 4096), 4096)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || text.len + (size_t)n > CERT_FILE_MAX)
			goto out;
		text.len += (size_t)n;
	}
	obj = json_parse(text.len > 0 ? text.data : "", text.len, jerr,
	    sizeof jerr);
	if (obj != NULL && !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
out:
	close(fd);
	buf_free(&text);
	return obj;
}

/* Brings the cached key ids up to date: a stat, mostly. */
static void
certs_refresh(struct token_screen *ts)
{
	struct stat	st;

	if (stat(ts->cert_file, &st) == -1) {
		json_object_put(ts->certs);
		ts->certs = NULL;
		return;
	}
	if (ts->certs != NULL && same_file(&st, &ts->certs_st) &&
	    st.st_mtim.tv_sec + FRESH_SECONDS < time(NULL))
		return;
	json_object_put(ts->certs);
	ts->certs = certs_read(ts->cert_file, &ts->certs_st);
}

/* ---- the token's claims ---------------------------------------------- */

/* Member key of obj if it is a string, else NULL. */
static const char *
member_string(json_object *obj, const char *key)
{
	json_object	*v;

	if (!json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The header's kid, if it says RS256 and has one; else NULL. */
static const char *
header_kid(json_object *h, char *why, size_t whylen)
{
	const char	*alg = member_string(h, "alg");
	const char	*kid = member_string(h, "kid");

	if (alg == NULL || strcmp(alg, "RS256") != 0) {
		why_set(why, whylen, "header alg is not RS256");
		return NULL;
	}
	if (kid == NULL || *kid == '\0') {
		why_set(why, whylen, "header kid is missing");
		return NULL;
	}
	return kid;
}

/* Whether kid names a certificate of the file (1 when it cannot be read). */
static int
kid_known(struct token_screen *ts, const char *kid, char *why, size_t whylen)
{
	certs_refresh(ts);
	if (ts->certs == NULL || json_object_object_get_ex(ts->certs, kid,
	    NULL))
		return 1;
	why_set(why, whylen, "kid names no certificate in the file");
	return 0;
}

static int
claims_check(const struct token_screen *ts, json_object *c, int64_t now_ms,
    char *why, size_t whylen)
{
	const char	*aud = member_string(c, "aud");
	const char	*iss = member_string(c, "iss");
	json_object	*exp;

	if (!json_object_object_get_ex(c, "exp", &exp) ||
	    !json_object_is_type(exp, json_type_int)) {
		why_set(why, whylen, "exp is missing or not an integer");
		return -1;
	}
	/* Compared in seconds: no product to overflow. */
	if (json_object_get_int64(exp) < (now_ms - ts->leeway_ms) / 1000) {
		why_set(why, whylen, "token expired");
		return -1;
	}
	if (aud == NULL || strcmp(aud, ts->project_id) != 0) {
		why_set(why, whylen, "aud is not the project id");
		return -1;
	}
	if (iss == NULL || strcmp(iss, ts->issuer) != 0) {
		why_set(why, whylen, "iss is not this project's issuer");
		return -1;
	}
	return 0;
}

/* ---- the screen ------------------------------------------------------- */

struct token_screen *
token_screen_new(const char *project_id, const char *cert_file,
    int64_t leeway_ms)
{
	struct token_screen	*ts = xcalloc(1, sizeof *ts);

	ts->project_id = xstrdup(project_id);
	xasprintf(&ts->issuer, "%s%s", ISSUER_PREFIX, project_id);
	ts->cert_file = xstrdup(cert_file);
	ts->leeway_ms = leeway_ms > 0 ? leeway_ms : 0;
	return ts;
}

void
token_screen_free(struct token_screen *ts)
{
	if (ts == NULL)
		return;
	json_object_put(ts->certs);
	free(ts->project_id);
	free(ts->issuer);
	free(ts->cert_file);
	free(ts);
}

int
token_screen_check(struct token_screen *ts, const char *token,
    int64_t now_ms, char *why, size_t whylen)
{
	struct jws_part	 part[3];
	json_object	*header = NULL, *claims = NULL;
	const char	*kid;
	size_t		 len = strnlen(token, AUTH_TOKEN_MAX + 1);
	int		 r = -1;

	if (len > AUTH_TOKEN_MAX || jws_split(token, len, part) == -1) {
		why_set(why, whylen, "not three base64url parts");
		return -1;
	}
	if (part[0].len > HEADER_MAX || part[2].len < SIG_MIN ||
	    part[2].len > SIG_MAX) {
		why_set(why, whylen, "a part of an impossible length");
		return -1;
	}
	if ((header = jws_json(&part[0])) == NULL ||
	    (claims = jws_json(&part[1])) == NULL) {
		why_set(why, whylen, "header or payload is not a JSON object");
		goto out;
	}
	/* The file's stat last: the rest costs no system call. */
	if ((kid = header_kid(header, why, whylen)) != NULL &&
	    claims_check(ts, claims, now_ms, why, whylen) == 0 &&
	    kid_known(ts, kid, why, whylen))
		r = 0;
out:
	json_object_put(header);
	json_object_put(claims);
	return r;
}
