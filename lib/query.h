/* query.h: URL query strings and paths: percent-decoding, lookup, and the bounded parse of numbers. */
#ifndef BACKSTREAM_QUERY_H
#define BACKSTREAM_QUERY_H

#include <stddef.h>
#include <stdint.h>

#define QUERY_MAX_PARAMS	32
#define QUERY_MAX_LEN		16384	/* longer query strings are refused */

struct query_param {
	char	*name;
	char	*value;
};

/* A parsed query string; owns its strings. */
struct query {
	struct query_param	 params[QUERY_MAX_PARAMS];
	int			 n;
};

/*
 * Parses "a=1&b=x%20y" (NULL or "" gives no parameters): '+' and %XX are
 * decoded, a name without '=' gets "".  Fails (-1, reason in err) on a
 * string over QUERY_MAX_LEN, more than QUERY_MAX_PARAMS parameters, a bad
 * %-escape, a decoded NUL, or a parameter given twice.  Free with
 * query_free() in every case.
 */
int		 query_parse(struct query *q, const char *s, char *err,
		    size_t errlen);
void		 query_free(struct query *q);
/* The value of name, or NULL if absent; owned by q. */
const char	*query_get(const struct query *q, const char *name);

/*
 * Reads parameter name as a whole number in [min, max], def if absent.
 * On a bad value returns -1 with "name: …" in err.
 */
int		 query_int(const struct query *q, const char *name, int64_t def,
		    int64_t min, int64_t max, int64_t *out, char *err,
		    size_t errlen);

/*
 * Decodes %XX escapes of a path in place (not '+'), refusing a bad escape,
 * a decoded NUL or '/' (which would change the path's segments).
 */
int		 path_decode(char *path);
/*
 * Splits path into at most max segments between slashes (empty segments
 * skipped), pointing into path, which is modified.  Returns the count, or
 * -1 if there are more.
 */
int		 path_split(char *path, char **seg, int max);

#endif
