/* buf.c: a growable byte buffer. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
}

char *
buf_reserve(struct buf *b, size_t n)
{
	size_t	cap;

	/* One spare byte always, so buf_str() never has to grow. */
	if (b->cap - b->len <= n) {
		cap = b->cap == 0 ? 256 : b->cap;
		while (cap - b->len <= n)
			cap *= 2;
		b->data = xreallocarray(b->data, cap, 1);
		b->cap = cap;
	}
	return b->data + b->len;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(buf_reserve(b, n), p, n);
	b->len += n;
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	*buf_reserve(b, 1) = c;
	b->len++;
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 aq;
	char	*p;
	int	 n;

	/*
	 * Reserve first, in a statement of its own: as arguments of one call,
	 * b->cap - b->len could be read before buf_reserve() grows the buffer.
	 */
	p = buf_reserve(b, 64);
	va_copy(aq, ap);
	n = vsnprintf(p, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len)
		(void)vsnprintf(buf_reserve(b, (size_t)n), (size_t)n + 1, fmt,
		    ap);
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *
buf_str(struct buf *b)
{
	buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return b->data;
}

char *
buf_detach(struct buf *b)
{
	char	*p;

	buf_str(b);
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
