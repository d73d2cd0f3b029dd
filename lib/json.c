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

json_object *
json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct json_tokener	*tok;
	json_object		*obj;
	enum json_tokener_error	 jerr;

	if (len > INT32_MAX) {
		snprintf(err, errlen, "JSON text too large");
		return NULL;
	}
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_success &&
	    json_tokener_get_parse_end(tok) < len) {
		snprintf(err, errlen, "malformed JSON: text after the value");
		json_object_put(obj);
		obj = NULL;
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
	    jerr == json_tokener_error_parse_eof) {
		snprintf(err, errlen, "unexpected end of JSON text");
		json_object_put(obj);
		obj = NULL;
	} else if (jerr != json_tokener_success) {
		snprintf(err, errlen, "malformed JSON: %s",
		    json_tokener_error_desc(jerr));
		json_object_put(obj);
		obj = NULL;
	} else if (obj == NULL)
		snprintf(err, errlen, "JSON text is null");
out:
	json_tokener_free(tok);
	return obj;
}

const char *
json_text(json_object *obj)
{
	return json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
