/* json.h: small helpers over json-c so that every JSON number and time looks the same. */
#ifndef BACKSTREAM_JSON_H
#define BACKSTREAM_JSON_H

#include <stdint.h>

#include <json-c/json.h>

/*
 * Constructors returning a new reference the caller owns (usually handed
 * straight to json_object_object_add, which takes it).
 */
/* A double printed to round-trip (see numfmt.h); NaN gives JSON null (NULL). */
json_object	*json_num(double v);
json_object	*json_time(int64_t t);	/* "2024-01-02T03:45:00Z" */
json_object	*json_date(int64_t t);	/* "2024-01-02" */
/* A string, or JSON null (NULL) when s is NULL. */
json_object	*json_str_or_null(const char *s);

/*
 * Parses text (len bytes, not necessarily NUL-terminated) as one JSON
 * value with nothing after it but blanks.  An object that has a key twice
 * is refused ("duplicate key \"symbol\""): json-c would keep the last,
 * where another reader of the same text may keep the first.  Returns 0
 * with a new reference in *out (NULL for the text "null"), or -1 with a
 * reason in err.
 */
int		 json_parse_value(const char *text, size_t len,
		    json_object **out, char *err, size_t errlen);
/*
 * json_parse_value() for callers that take no null: returns the new
 * reference, or NULL with a reason in err ("JSON text is null" for null).
 */
json_object	*json_parse(const char *text, size_t len, char *err,
		    size_t errlen);

/* Serializes compactly; the string belongs to obj and lives as long as it. */
const char	*json_text(json_object *obj);

#endif
