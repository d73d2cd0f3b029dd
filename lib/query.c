/* query.c: query-string and path parsing for the responders. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "strnum.h"
#include "xmalloc.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes s[0..len) into a new string; plus is '+' → ' ' for query
 * strings.  Returns NULL on a bad escape or a decoded NUL.
 */
static char *
decode(const char *s, size_t len, int plus)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	o = out = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				goto bad;
			if ((*o = (char)(hi << 4 | lo)) == '\0')
				goto bad;
			o++;
			i += 2;
		} else if (s[i] == '+' && plus)
			*o++ = ' ';
		else if (s[i] == '\0')
			goto bad;
		else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

int
query_parse(struct query *q, const char *s, char *err, size_t errlen)
{
	const char	*p, *amp, *eq;
	char		*name, *value;
	size_t		 len;
	int		 i;

	memset(q, 0, sizeof *q);
	if (s == NULL)
		return 0;
	if ((len = strlen(s)) > QUERY_MAX_LEN) {
		snprintf(err, errlen, "query string too long");
		return -1;
	}
	for (p = s; *p != '\0'; p = *amp == '&' ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		if (amp == p)
			continue;
		if (q->n == QUERY_MAX_PARAMS) {
			snprintf(err, errlen, "too many query parameters");
			return -1;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		name = decode(p, (size_t)((eq != NULL ? eq : amp) - p), 1);
		value = eq != NULL ? decode(eq + 1, (size_t)(amp - eq - 1), 1) :
		    xstrdup("");
		if (name == NULL || value == NULL) {
			free(name);
			free(value);
			snprintf(err, errlen, "malformed %%-escape in the query "
			    "string");
			return -1;
		}
		for (i = 0; i < q->n; i++) {
			if (strcmp(q->params[i].name, name) == 0) {
				snprintf(err, errlen, "%.40s: given more than "
				    "once", name);
				free(name);
				free(value);
				return -1;
			}
		}
		q->params[q->n].name = name;
		q->params[q->n].value = value;
		q->n++;
	}
	return 0;
}

void
query_free(struct query *q)
{
	int	i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n; i++) {
		free(q->params[i].name);
		free(q->params[i].value);
	}
	q->n = 0;
}

const char *
query_get(const struct query *q, const char *name)
{
	int	i;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->params[i].name, name) == 0)
			return q->params[i].value;
	return NULL;
}

int
query_int(const struct query *q, const char *name, int64_t def, int64_t min,
    int64_t max, int64_t *out, char *err, size_t errlen)
{
	const char	*v, *why;

	if ((v = query_get(q, name)) == NULL) {
		*out = def;
		return 0;
	}
	if (strnum_int(v, min, max, out, &why) == -1) {
		snprintf(err, errlen, "%s: must be a whole number from %lld to "
		    "%lld (\"%.20s\" %s)", name, (long long)min,
		    (long long)max, v, why);
		return -1;
	}
	return 0;
}

int
path_decode(char *path)
{
	char	*d;

	/* An encoded slash would smuggle in a segment boundary. */
	if (strcasestr(path, "%2f") != NULL)
		return -1;
	if ((d = decode(path, strlen(path), 0)) == NULL)
		return -1;
	memcpy(path, d, strlen(d) + 1);
	free(d);
	return 0;
}

int
path_split(char *path, char **seg, int max)
{
	char	*p, *slash;
	int	 n = 0;

	for (p = path; *p != '\0'; p = slash) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		if (n == max)
			return -1;
		seg[n++] = p;
		if ((slash = strchr(p, '/')) == NULL)
			break;
		*slash++ = '\0';
	}
	return n;
}
