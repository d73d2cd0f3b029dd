/* jws.c: splitting and decoding a compact JWS, shared by the token screen and the verifier. */
#include "config.h"

#include <stdint.h>

#include "auth.h"
#include "json.h"
#include "jws.h"

/* The 6-bit value of a base64url character (RFC 7515 section 2), or -1. */
static int
b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	return c == '_' ? 63 : -1;
}

int
jws_split(const char *token, size_t len, struct jws_part part[3])
{
	size_t	i, n = 0, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && b64url_value(token[i]) != -1)
			continue;
		if ((i < len && token[i] != '.') || n == 3 || i == start)
			return -1;
		part[n].p = token + start;
		part[n].len = i - start;
		n++;
		start = i + 1;
	}
	return n == 3 ? 0 : -1;
}

int
jws_decode(const struct jws_part *part, unsigned char *out, size_t *outlen)
{
	uint32_t	acc = 0;
	size_t		i, n = 0;
	int		bits = 0;

	if (part->len % 4 == 1)
		return -1;
	for (i = 0; i < part->len; i++) {
		acc = (acc << 6) | (uint32_t)b64url_value(part->p[i]);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		return -1;
	*outlen = n;
	return 0;
}

json_object *
jws_json(const struct jws_part *part)
{
	unsigned char	 text[AUTH_TOKEN_MAX / 4 * 3 + 3];
	char		 jerr[128];
	size_t		 len;
	json_object	*obj = NULL;

	if (part->len > AUTH_TOKEN_MAX)
		return NULL;
	if (jws_decode(part, text, &len) == 0 &&
	    (obj = json_parse((const char *)text, len, jerr,
	    sizeof jerr)) != NULL &&
	    !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	return obj;
}
