/* jws.h: the three parts of a compact JWS (header.payload.signature), split and decoded. */
#ifndef BACKSTREAM_JWS_H
#define BACKSTREAM_JWS_H

#include <stddef.h>

#include <json-c/json.h>

/* One base64url part; p points into the token, which must outlive it. */
struct jws_part {
	const char	*p;
	size_t		 len;
};

/*
 * Splits token (len bytes) into exactly three non-empty parts of base64url
 * characters: no padding, no whitespace, nothing decoded leniently, so
 * that a token has one spelling.  Returns 0 or -1.
 */
int		 jws_split(const char *token, size_t len,
		    struct jws_part part[3]);
/*
 * Decodes part (checked by jws_split) into out, which has room for
 * part->len / 4 * 3 + 3 bytes, and sets *outlen.  Returns -1 for a length
 * no encoding has, or unused low bits of the last character that are not
 * zero.
 */
int		 jws_decode(const struct jws_part *part, unsigned char *out,
		    size_t *outlen);
/*
 * Decodes part (at most AUTH_TOKEN_MAX characters) and parses it as a JSON
 * object.  Returns a new reference (the caller puts it), or NULL.
 */
json_object	*jws_json(const struct jws_part *part);

#endif
