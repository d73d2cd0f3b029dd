/* pack.c: versioned binary records. */
#include "config.h"

#include <string.h>

#include "pack.h"
#include "xmalloc.h"

#define ABSENT	0xffff	/* length marking a NULL string */

static void
put_le(struct buf *b, uint64_t v, int n)
{
	unsigned char	*p;
	int		 i;

	p = (unsigned char *)buf_reserve(b, (size_t)n);
	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
	b->len += (size_t)n;
}

void
pack_u8(struct buf *b, uint8_t v)
{
	put_le(b, v, 1);
}

void
pack_u32(struct buf *b, uint32_t v)
{
	put_le(b, v, 4);
}

void
pack_u64(struct buf *b, uint64_t v)
{
	put_le(b, v, 8);
}

void
pack_i64(struct buf *b, int64_t v)
{
	put_le(b, (uint64_t)v, 8);
}

void
pack_f64(struct buf *b, double v)
{
	uint64_t	bits;

	memcpy(&bits, &v, sizeof bits);
	put_le(b, bits, 8);
}

void
pack_str(struct buf *b, const char *s)
{
	size_t	n;

	if (s == NULL) {
		put_le(b, ABSENT, 2);
		return;
	}
	n = strlen(s);
	if (n >= ABSENT)
		n = ABSENT - 1;	/* callers bound their strings far below */
	put_le(b, n, 2);
	buf_add(b, s, n);
}

void
unpack_init(struct unpack *u, const void *data, size_t len)
{
	u->p = data;
	u->end = u->p + len;
	u->bad = 0;
}

static uint64_t
get_le(struct unpack *u, int n)
{
	uint64_t	v = 0;
	int		i;

	if (u->bad || u->end - u->p < n) {
		u->bad = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)u->p[i] << (8 * i);
	u->p += n;
	return v;
}

uint8_t
unpack_u8(struct unpack *u)
{
	return (uint8_t)get_le(u, 1);
}

uint32_t
unpack_u32(struct unpack *u)
{
	return (uint32_t)get_le(u, 4);
}

uint64_t
unpack_u64(struct unpack *u)
{
	return get_le(u, 8);
}

int64_t
unpack_i64(struct unpack *u)
{
	return (int64_t)get_le(u, 8);
}

double
unpack_f64(struct unpack *u)
{
	uint64_t	bits;
	double		v;

	bits = get_le(u, 8);
	memcpy(&v, &bits, sizeof v);
	return v;
}

/* Returns the string's bytes and length, or NULL for absent/bad. */
static const unsigned char *
get_str(struct unpack *u, size_t *len)
{
	const unsigned char	*s;
	size_t			 n;

	n = (size_t)get_le(u, 2);
	if (u->bad || n == ABSENT)
		return NULL;
	if ((size_t)(u->end - u->p) < n) {
		u->bad = 1;
		return NULL;
	}
	s = u->p;
	u->p += n;
	*len = n;
	return s;
}

void
unpack_str(struct unpack *u, char *out, size_t cap)
{
	const unsigned char	*s;
	size_t			 n = 0;

	out[0] = '\0';
	if ((s = get_str(u, &n)) == NULL)
		return;
	if (n >= cap || memchr(s, '\0', n) != NULL) {
		u->bad = 1;
		return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

char *
unpack_strdup(struct unpack *u)
{
	const unsigned char	*s;
	size_t			 n = 0;

	if ((s = get_str(u, &n)) == NULL)
		return NULL;
	if (memchr(s, '\0', n) != NULL) {
		u->bad = 1;
		return NULL;
	}
	return xstrndup((const char *)s, n);
}

/* ---- field tables ------------------------------------------------------ */

void
pack_fields(struct buf *b, const void *record,
    const struct pack_field *fields, size_t n)
{
	const char	*base = record;
	uint64_t	 u;
	int64_t		 i;
	double		 d;
	size_t		 k;

	for (k = 0; k < n; k++) {
		switch (fields[k].type) {
		case PACK_U64:
			memcpy(&u, base + fields[k].offset, sizeof u);
			pack_u64(b, u);
			break;
		case PACK_I64:
			memcpy(&i, base + fields[k].offset, sizeof i);
			pack_i64(b, i);
			break;
		case PACK_F64:
			memcpy(&d, base + fields[k].offset, sizeof d);
			pack_f64(b, d);
			break;
		case PACK_STR:
			pack_str(b, base + fields[k].offset);
			break;
		}
	}
}

void
unpack_fields(struct unpack *u, void *record,
    const struct pack_field *fields, size_t n)
{
	char		*base = record;
	uint64_t	 v;
	int64_t		 i;
	double		 d;
	size_t		 k;

	for (k = 0; k < n; k++) {
		switch (fields[k].type) {
		case PACK_U64:
			v = unpack_u64(u);
			memcpy(base + fields[k].offset, &v, sizeof v);
			break;
		case PACK_I64:
			i = unpack_i64(u);
			memcpy(base + fields[k].offset, &i, sizeof i);
			break;
		case PACK_F64:
			d = unpack_f64(u);
			memcpy(base + fields[k].offset, &d, sizeof d);
			break;
		case PACK_STR:
			unpack_str(u, base + fields[k].offset,
			    fields[k].size);
			break;
		}
	}
}
