/* pack.h: versioned binary records: fixed-width little-endian fields and counted strings. */
#ifndef BACKSTREAM_PACK_H
#define BACKSTREAM_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Records stored in Berkeley DB are written field by field with these, the
 * first byte always being the record's format version, so that a later
 * release can tell old records from new and migrate them.
 */
void	pack_u8(struct buf *b, uint8_t v);
void	pack_u32(struct buf *b, uint32_t v);
void	pack_u64(struct buf *b, uint64_t v);
void	pack_i64(struct buf *b, int64_t v);
void	pack_f64(struct buf *b, double v);
/* A string of at most 65535 bytes as a 16-bit length and the bytes. NULL packs as absent. */
void	pack_str(struct buf *b, const char *s);

/*
 * Reading a record: every getter checks the remaining length; after a short
 * or malformed record u->bad is set and getters return zeros, so callers
 * check once at the end.
 */
struct unpack {
	const unsigned char	*p;
	const unsigned char	*end;
	int			 bad;
};

void		 unpack_init(struct unpack *u, const void *data, size_t len);
uint8_t		 unpack_u8(struct unpack *u);
uint32_t	 unpack_u32(struct unpack *u);
uint64_t	 unpack_u64(struct unpack *u);
int64_t		 unpack_i64(struct unpack *u);
double		 unpack_f64(struct unpack *u);
/*
 * Copies a packed string into out (cap bytes, NUL-terminated); a string
 * that does not fit marks the record bad.  An absent string gives "".
 */
void		 unpack_str(struct unpack *u, char *out, size_t cap);
/* Returns a new copy the caller frees, or NULL for an absent string. */
char		*unpack_strdup(struct unpack *u);

/*
 * A run of a record's fields described once, so that its writer and its
 * reader cannot drift apart: pack_fields writes them in table order and
 * unpack_fields reads them back into the same members.  Declare entries
 * with PACK_FIELD(struct name, member): the member's type picks the
 * encoding (uint64_t, int64_t, double, or a char array filled as
 * unpack_str does), so a table cannot disagree with its struct.
 */
enum pack_type { PACK_U64, PACK_I64, PACK_F64, PACK_STR };

struct pack_field {
	enum pack_type	type;
	size_t		offset;
	size_t		size;		/* of the member */
};

#define PACK_FIELD(st, member) { \
	_Generic(((st *)0)->member, uint64_t: PACK_U64, int64_t: PACK_I64, \
	    double: PACK_F64, char *: PACK_STR), \
	offsetof(st, member), sizeof(((st *)0)->member) }

/* Appends the n fields of record (a struct the table describes) to b. */
void	pack_fields(struct buf *b, const void *record,
	    const struct pack_field *fields, size_t n);
/* Reads the n fields into record; damage sets u->bad as the getters do. */
void	unpack_fields(struct unpack *u, void *record,
	    const struct pack_field *fields, size_t n);

#endif
