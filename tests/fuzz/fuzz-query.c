/* fuzz-query.c: fuzz target for query strings and paths (lib/query.c: query_parse, query_int, path_decode, path_split). */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "query.h"
#include "xmalloc.h"

#define MAX_SEGS	8

/* The whole input as a query string: what a request's QUERY_STRING is. */
static void
fuzz_query(const char *s)
{
	struct query	 q;
	char		 err[256];
	int64_t		 n;
	int		 i, j;

	err[0] = '\0';
	if (query_parse(&q, s, err, sizeof err) == -1) {
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
		query_free(&q);
		return;
	}
	FUZZ_CHECK(q.n >= 0 && q.n <= QUERY_MAX_PARAMS);
	for (i = 0; i < q.n; i++) {
		FUZZ_CHECK(q.params[i].name != NULL);
		FUZZ_CHECK(q.params[i].value != NULL);
		/* A name is given once: the lookup finds this parameter. */
		FUZZ_CHECK(query_get(&q, q.params[i].name) ==
		    q.params[i].value);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(q.params[i].name,
			    q.params[j].name) != 0);
		/* Every value through the bounded number parser. */
		err[0] = '\0';
		if (query_int(&q, q.params[i].name, 0, -1000, 1000, &n, err,
		    sizeof err) == 0)
			FUZZ_CHECK(n >= -1000 && n <= 1000);
		else
			FUZZ_CHECK(err[0] != '\0');
	}
	query_free(&q);
	FUZZ_CHECK(q.n == 0);
}

/* The whole input as a path: decode, then split as the responders do. */
static void
fuzz_path(const char *s)
{
	char	*path, *seg[MAX_SEGS];
	size_t	 len = strlen(s), dlen;
	int	 n, i;

	path = xstrdup(s);
	if (path_decode(path) == 0) {
		/* Decoding only shrinks, and never makes a new slash. */
		FUZZ_CHECK(strlen(path) <= len);
		n = 0;
		for (i = 0; path[i] != '\0'; i++)
			n += path[i] == '/';
		for (i = 0; s[i] != '\0'; i++)
			n -= s[i] == '/';
		FUZZ_CHECK(n == 0);
		dlen = strlen(path);
		n = path_split(path, seg, MAX_SEGS);
		FUZZ_CHECK(n >= -1 && n <= MAX_SEGS);
		for (i = 0; i < n; i++) {
			FUZZ_CHECK(seg[i][0] != '\0');
			FUZZ_CHECK(strchr(seg[i], '/') == NULL);
			FUZZ_CHECK(seg[i] >= path && seg[i] < path + dlen);
		}
	}
	free(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	/* The parsers take C strings: a NUL in the input ends it. */
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_query(s);
	fuzz_path(s);
	free(s);
	return 0;
}
