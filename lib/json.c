/* json.c: helpers over json-c. */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "json.h"
#include "numfmt.h"
#include "timefmt.h"

json_object *
json_num(double v)
{
	char	text[NUMFMT_MAX];

	if (!isfinite(v))
		return NULL;
	num_format(v, text);
	/* json-c would print %.17g; this keeps 101.25 as "101.25". */
	return json_object_new_double_s(v, text);
}

json_object *
json_time(int64_t t)
{
	char	text[TIME_ISO_LEN + 1];

	time_format_iso(t, text);
	return json_object_new_string_len(text, TIME_ISO_LEN);
}

json_object *
json_date(int64_t t)
{
	char	text[DATE_LEN + 1];

	time_format_date(t, text);
	return json_object_new_string_len(text, DATE_LEN);
}

json_object *
json_str_or_null(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

/*
 * Parses as json-c does (strict), leaving duplicate keys to
 * duplicate_key().  Returns 0 with *out (NULL for null), or -1.
 */
static int
parse_text(const char *text, size_t len, json_object **out, char *err,
    size_t errlen)
{
	struct json_tokener	*tok;
	json_object		*obj;
	enum json_tokener_error	 jerr;
	int			 ret = -1;

	if (len > INT32_MAX) {
		snprintf(err, errlen, "JSON text too large");
		return -1;
	}
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_success &&
	    json_tokener_get_parse_end(tok) < len) {
		snprintf(err, errlen, "malformed JSON: text after the value");
		goto out;
	}
	/*
	 * A number or literal that ends the text ("123", "true") is complete
	 * only once json-c sees the end: it waits for more characters until it
	 * is given the terminating NUL.
	 */
	if (jerr == json_tokener_continue) {
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	if (jerr == json_tokener_continue ||
	    jerr == json_tokener_error_parse_eof)
		snprintf(err, errlen, "unexpected end of JSON text");
	else if (jerr != json_tokener_success)
		snprintf(err, errlen, "malformed JSON: %s",
		    json_tokener_error_desc(jerr));
	else {
		*out = obj;
		obj = NULL;
		ret = 0;
	}
out:
	json_object_put(obj);
	json_tokener_free(tok);
	return ret;
}

/* The index of the quote that ends the string whose opening quote is at i. */
static size_t
string_end(const char *text, size_t len, size_t i)
{
	for (i++; i < len && text[i] != '"'; i++)
		if (text[i] == '\\')
			i++;
	return i;
}

/*
 * Adds the key whose JSON source (quotes included) is s, n bytes, to the
 * set of its object's keys, decoded by json-c so that "a" and "\u0061" are
 * one key.  Returns 0, or -1 with err naming a key already there.
 */
static int
key_add(struct json_tokener *tok, json_object *set, const char *s, size_t n,
    char *err, size_t errlen)
{
	json_object	*key;
	const char	*name;
	int		 ret = -1;

	json_tokener_reset(tok);
	if ((key = json_tokener_parse_ex(tok, s, (int)n)) == NULL)
		/* Not after json-c accepted the text, but never a crash. */
		snprintf(err, errlen, "malformed JSON: a key");
	else if (json_object_object_get_ex(set,
	    (name = json_object_get_string(key)), NULL))
		snprintf(err, errlen, "duplicate key %.*s",
		    n > 80 ? 80 : (int)n, s);
	else {
		json_object_object_add(set, name, NULL);
		ret = 0;
	}
	json_object_put(key);
	return ret;
}

/*
 * Deeper than json-c's default depth (32), which the text has passed.
 */
#define KEYS_DEPTH_MAX	64

/*
 * Finds a key given twice in one object.  The text is one json-c accepted
 * in strict mode, so only strings and structural characters matter: a
 * string right after "{" or "," of an object is a key.  Each open object
 * has the set of its keys; an array has NULL.
 */
static int
duplicate_key(const char *text, size_t len, char *err, size_t errlen)
{
	struct json_tokener	*tok = json_tokener_new();
	json_object		*seen[KEYS_DEPTH_MAX];
	size_t			 i, end;
	int			 depth = 0, ret = 0;
	char			 prev = '\0';

	for (i = 0; i < len && ret == 0; i++) {
		switch (text[i]) {
		case '{':
		case '[':
			if (depth == KEYS_DEPTH_MAX) {
				snprintf(err, errlen, "JSON nested too deeply");
				ret = -1;
				break;
			}
			seen[depth++] = text[i] == '{' ?
			    json_object_new_object() : NULL;
			prev = text[i];
			break;
		case '}':
		case ']':
			if (depth > 0)
				json_object_put(seen[--depth]);
			prev = text[i];
			break;
		case ',':
		case ':':
			prev = text[i];
			break;
		case '"':
			end = string_end(text, len, i);
			if (depth > 0 && seen[depth - 1] != NULL &&
			    (prev == '{' || prev == ','))
				ret = key_add(tok, seen[depth - 1], text + i,
				    end - i + 1, err, errlen);
			i = end;
			prev = '"';
			break;
		}
	}
	while (depth > 0)
		json_object_put(seen[--depth]);
	json_tokener_free(tok);
	return ret;
}

int
json_parse_value(const char *text, size_t len, json_object **out,
    char *err, size_t errlen)
{
	json_object	*obj = NULL;

	if (parse_text(text, len, &obj, err, errlen) == -1)
		return -1;
	if (duplicate_key(text, len, err, errlen) == -1) {
		json_object_put(obj);
		return -1;
	}
	*out = obj;
	return 0;
}

json_object *
json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	json_object	*obj;

	if (json_parse_value(text, len, &obj, err, errlen) == -1)
		return NULL;
	if (obj == NULL)
		snprintf(err, errlen, "JSON text is null");
	return obj;
}

const char *
json_text(json_object *obj)
{
	return json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
