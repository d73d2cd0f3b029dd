/* sse.c: Server-Sent Events framing. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

void
sse_retry(struct buf *out, int64_t ms)
{
	buf_printf(out, "retry: %lld\n\n", (long long)ms);
}

/* Appends a field whose value may not break the line. */
static void
field(struct buf *out, const char *name, const char *value)
{
	size_t	start;

	buf_adds(out, name);
	start = out->len;
	buf_adds(out, value);
	for (size_t i = start; i < out->len; i++)
		if (out->data[i] == '\n' || out->data[i] == '\r')
			out->data[i] = ' ';
	buf_addc(out, '\n');
}

void
sse_event(struct buf *out, const char *id, const char *name, const char *data)
{
	const char	*p, *e;

	if (id != NULL)
		field(out, "id: ", id);
	if (name != NULL)
		field(out, "event: ", name);
	p = data;
	for (;;) {
		e = p + strcspn(p, "\r\n");
		buf_add(out, "data: ", 6);
		buf_add(out, p, (size_t)(e - p));
		buf_addc(out, '\n');
		if (*e == '\0')
			break;
		p = e + (e[0] == '\r' && e[1] == '\n' ? 2 : 1);
	}
	buf_addc(out, '\n');
}

void
sse_comment(struct buf *out, const char *text)
{
	field(out, ": ", text);
	buf_addc(out, '\n');
}

/* Parses digits at *p into *n and moves *p past them; -1 if none. */
static int
parse_count(const char **p, uint64_t *n)
{
	char			*e;
	unsigned long long	 v;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	v = strtoull(*p, &e, 10);
	if (errno == ERANGE)
		return -1;
	*n = v;
	*p = e;
	return 0;
}

int
sse_parse_position(const char *id, uint64_t *a, uint64_t *b, int *end)
{
	uint64_t	x, y;

	if (id == NULL || parse_count(&id, &x) == -1 || *id++ != '.' ||
	    parse_count(&id, &y) == -1)
		return -1;
	if (*id != '\0' && strcmp(id, ".end") != 0)
		return -1;
	*end = *id != '\0';
	*a = x;
	*b = y;
	return 0;
}
