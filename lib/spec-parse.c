/* spec-parse.c: validation of a submitted job, each refusal naming its field. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "numfmt.h"
#include "spec-parse.h"
#include "strategy-schema.h"
#include "timefmt.h"

static const char *const spec_fields[] = {
	"symbol", "interval", "start_date", "end_date", "strategy", "params",
	"initial_capital", "commission",
};
#define NFIELDS	(sizeof spec_fields / sizeof spec_fields[0])
#define FIELD_LIST "symbol, interval, start_date, end_date, strategy, " \
	"params, initial_capital, commission"

/* Room for a user's text quoted back in a message: 40 characters and "...". */
#define QUOTE_MAX	44

/*
 * Copies at most 40 characters of s for an error message, with anything
 * but printable ASCII as '?': the message goes to logs and browsers.
 */
static const char *
quote(const char *s, char *out)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i < 40; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] != '\0')
		out[i++] = '.', out[i++] = '.', out[i++] = '.';
	out[i] = '\0';
	return out;
}

/*
 * Looks up field in obj.  Returns 1 and sets *value if present (JSON null
 * included), 0 if absent and optional, -1 if absent and required.
 */
static int
field_get(json_object *obj, const char *field, int required,
    json_object **value, char *err, size_t errlen)
{
	if (json_object_object_get_ex(obj, field, value))
		return 1;
	if (!required)
		return 0;
	snprintf(err, errlen, "%s: is required", field);
	return -1;
}

/* A JSON string without NUL bytes inside (they would cut it short in C). */
static int
string_get(json_object *obj, const char *field, const char **out, char *err,
    size_t errlen)
{
	json_object	*value;
	const char	*s;

	if (field_get(obj, field, 1, &value, err, errlen) == -1)
		return -1;
	if (!json_object_is_type(value, json_type_string)) {
		snprintf(err, errlen, "%s: must be a string", field);
		return -1;
	}
	s = json_object_get_string(value);
	if (strlen(s) != (size_t)json_object_get_string_len(value)) {
		snprintf(err, errlen, "%s: must not contain NUL characters",
		    field);
		return -1;
	}
	*out = s;
	return 0;
}

/*
 * A JSON number; with integer set, only a JSON integer (10, not 10.0 or
 * "10").  Bounds are spec_check's business.
 */
static int
number_get(json_object *value, const char *field, int integer, double *out,
    char *err, size_t errlen)
{
	int64_t	i;

	if (json_object_is_type(value, json_type_int)) {
		/* json-c saturates integers beyond 64 bits: don't echo those. */
		i = json_object_get_int64(value);
		if (i == INT64_MAX || i == INT64_MIN) {
			snprintf(err, errlen, "%s: is out of range", field);
			return -1;
		}
		*out = (double)i;
		return 0;
	}
	if (integer) {
		snprintf(err, errlen, "%s: must be a JSON integer", field);
		return -1;
	}
	if (!json_object_is_type(value, json_type_double)) {
		snprintf(err, errlen, "%s: must be a number", field);
		return -1;
	}
	*out = json_object_get_double(value);
	if (!isfinite(*out)) {
		snprintf(err, errlen, "%s: must be a finite number", field);
		return -1;
	}
	return 0;
}

static int
unknown_fields(json_object *obj, char *err, size_t errlen)
{
	char	q[QUOTE_MAX];
	size_t	i;

	json_object_object_foreach(obj, key, value) {
		(void)value;
		for (i = 0; i < NFIELDS; i++)
			if (strcmp(key, spec_fields[i]) == 0)
				break;
		if (i == NFIELDS) {
			snprintf(err, errlen, "%s: unknown field (known: %s)",
			    quote(key, q), FIELD_LIST);
			return -1;
		}
	}
	return 0;
}

static int
date_get(json_object *obj, const char *field, int64_t *out, char *err,
    size_t errlen)
{
	const char	*s;
	char		 q[QUOTE_MAX];

	if (string_get(obj, field, &s, err, errlen) == -1)
		return -1;
	if (date_parse(s, out) == -1) {
		snprintf(err, errlen, "%s: must be a date as YYYY-MM-DD "
		    "(got \"%s\")", field, quote(s, q));
		return -1;
	}
	return 0;
}

static void
unknown_strategy(const char *name, char *err, size_t errlen)
{
	char	q[QUOTE_MAX];

	snprintf(err, errlen, "strategy: unknown strategy \"%s\" (known: %s)",
	    quote(name, q), strategy_names());
}

/* "fast, slow" or "none", for messages about params. */
static void
param_list(const struct strategy_schema *strategy, char *out, size_t outlen)
{
	size_t	len = 0;
	int	i;

	snprintf(out, outlen, "none");
	for (i = 0; i < strategy->nparams && len < outlen; i++)
		len += (size_t)snprintf(out + len, outlen - len, "%s%s",
		    i > 0 ? ", " : "", strategy->params[i].name);
}

/* Fills spec's params from the optional JSON object, defaults for the rest. */
static int
params_get(json_object *obj, const struct strategy_schema *strategy,
    struct job_spec *spec, char *err, size_t errlen)
{
	const struct strategy_param	*p;
	json_object			*params, *value;
	char				 field[PARAM_NAME_MAX + 8];
	char				 q[QUOTE_MAX], names[64];
	int				 i;

	if (field_get(obj, "params", 0, &params, err, errlen) == 0)
		params = NULL;
	else if (!json_object_is_type(params, json_type_object)) {
		snprintf(err, errlen, "params: must be an object");
		return -1;
	}
	if (params != NULL) {
		json_object_object_foreach(params, key, ignored) {
			(void)ignored;
			for (i = 0; i < strategy->nparams; i++)
				if (strcmp(key, strategy->params[i].name) == 0)
					break;
			if (i == strategy->nparams) {
				param_list(strategy, names, sizeof names);
				snprintf(err, errlen, "params.%s: unknown "
				    "parameter (%s takes: %s)", quote(key, q),
				    strategy->name, names);
				return -1;
			}
		}
	}

	spec->nparams = strategy->nparams;
	for (i = 0; i < strategy->nparams; i++) {
		p = &strategy->params[i];
		snprintf(spec->param_names[i], sizeof spec->param_names[i],
		    "%s", p->name);
		spec->params[i] = p->def;
		if (params == NULL ||
		    !json_object_object_get_ex(params, p->name, &value))
			continue;
		snprintf(field, sizeof field, "params.%s", p->name);
		if (number_get(value, field, p->integer, &spec->params[i],
		    err, errlen) == -1)
			return -1;
	}
	return 0;
}

/* An optional number field; *out keeps its default when absent. */
static int
optional_number_get(json_object *obj, const char *field, double *out,
    char *err, size_t errlen)
{
	json_object	*value;

	if (field_get(obj, field, 0, &value, err, errlen) == 0)
		return 0;
	return number_get(value, field, 0, out, err, errlen);
}

int
spec_from_json(json_object *obj, struct job_spec *out, char *err,
    size_t errlen)
{
	const struct strategy_schema	*strategy;
	struct job_spec			 spec;
	const char			*s;
	char				 q[QUOTE_MAX];

	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errlen, "request: must be a JSON object");
		return -1;
	}
	if (unknown_fields(obj, err, errlen) == -1)
		return -1;
	memset(&spec, 0, sizeof spec);

	if (string_get(obj, "symbol", &s, err, errlen) == -1)
		return -1;
	if (!symbol_is_valid(s)) {
		snprintf(err, errlen, "symbol: must be 1 to %d characters from "
		    "A-Z a-z 0-9 . _ - ^ : (got \"%s\")", SYMBOL_MAX,
		    quote(s, q));
		return -1;
	}
	snprintf(spec.symbol, sizeof spec.symbol, "%s", s);

	if (string_get(obj, "interval", &s, err, errlen) == -1)
		return -1;
	if (interval_parse(s, &spec.interval) == -1) {
		snprintf(err, errlen, "interval: unknown interval \"%s\" "
		    "(known: %s)", quote(s, q), interval_list());
		return -1;
	}

	if (date_get(obj, "start_date", &spec.start_date, err, errlen) == -1 ||
	    date_get(obj, "end_date", &spec.end_date, err, errlen) == -1)
		return -1;

	if (string_get(obj, "strategy", &s, err, errlen) == -1)
		return -1;
	if ((strategy = strategy_schema_find(s)) == NULL) {
		unknown_strategy(s, err, errlen);
		return -1;
	}
	snprintf(spec.strategy, sizeof spec.strategy, "%s", s);
	if (params_get(obj, strategy, &spec, err, errlen) == -1)
		return -1;

	spec.initial_capital = 100000;
	spec.commission = 0;
	if (optional_number_get(obj, "initial_capital", &spec.initial_capital,
	    err, errlen) == -1 ||
	    optional_number_get(obj, "commission", &spec.commission, err,
	    errlen) == -1)
		return -1;
	/* -0 is allowed as 0, and shown as 0. */
	if (spec.commission == 0)
		spec.commission = 0;

	if (spec_check(&spec, err, errlen) == -1)
		return -1;
	*out = spec;
	return 0;
}

/*
 * Whether t is the start of a day that "YYYY-MM-DD" shows and date_parse()
 * reads back: a stored spec may hold any number, but it is shown and run
 * as dates.
 */
static int
is_date(int64_t t)
{
	char	text[DATE_LEN + 1];
	int64_t	back;

	time_format_date(t, text);
	return date_parse(text, &back) == 0 && back == t;
}

static int
param_check(const struct strategy_param *p, double v, char *err,
    size_t errlen)
{
	char	min[NUMFMT_MAX], max[NUMFMT_MAX], got[NUMFMT_MAX];

	num_format(p->min, min);
	num_format(p->max, max);
	num_format(v, got);
	if (isnan(v)) {
		snprintf(err, errlen, "params.%s: is required", p->name);
		return -1;
	}
	if (p->exclusive && !(v > p->min && v < p->max)) {
		snprintf(err, errlen, "params.%s: must be greater than %s and "
		    "less than %s (got %s)", p->name, min, max, got);
		return -1;
	}
	if (!p->exclusive && !(v >= p->min && v <= p->max)) {
		snprintf(err, errlen, "params.%s: must be between %s and %s "
		    "(got %s)", p->name, min, max, got);
		return -1;
	}
	if (p->integer && v != floor(v)) {
		snprintf(err, errlen, "params.%s: must be a JSON integer",
		    p->name);
		return -1;
	}
	return 0;
}

int
spec_check(const struct job_spec *spec, char *err, size_t errlen)
{
	const struct strategy_schema	*strategy;
	double				 params[SPEC_MAX_PARAMS];
	char				 got[NUMFMT_MAX];
	int				 i;

	if (!symbol_is_valid(spec->symbol)) {
		snprintf(err, errlen, "symbol: must be 1 to %d characters from "
		    "A-Z a-z 0-9 . _ - ^ :", SYMBOL_MAX);
		return -1;
	}
	if ((int)spec->interval < 0 || (int)spec->interval >= INTERVAL_COUNT) {
		snprintf(err, errlen, "interval: unknown interval (known: %s)",
		    interval_list());
		return -1;
	}
	if (!is_date(spec->start_date)) {
		snprintf(err, errlen, "start_date: must be the start of a day");
		return -1;
	}
	if (!is_date(spec->end_date)) {
		snprintf(err, errlen, "end_date: must be the start of a day");
		return -1;
	}
	if (spec->end_date < spec->start_date) {
		snprintf(err, errlen, "end_date: must not be before start_date");
		return -1;
	}

	if (memchr(spec->strategy, '\0', sizeof spec->strategy) == NULL) {
		unknown_strategy("", err, errlen);
		return -1;
	}
	if ((strategy = strategy_schema_find(spec->strategy)) == NULL) {
		unknown_strategy(spec->strategy, err, errlen);
		return -1;
	}
	if (spec->nparams != strategy->nparams) {
		snprintf(err, errlen, "params: %s takes %d parameters, not %d",
		    strategy->name, strategy->nparams, spec->nparams);
		return -1;
	}
	for (i = 0; i < strategy->nparams; i++) {
		params[i] = spec_param(spec, strategy->params[i].name);
		if (param_check(&strategy->params[i], params[i], err,
		    errlen) == -1)
			return -1;
	}
	if (strategy_schema_check(strategy, params, err, errlen) == -1)
		return -1;

	num_format(spec->initial_capital, got);
	if (!(spec->initial_capital > 0)) {
		snprintf(err, errlen, "initial_capital: must be greater than 0 "
		    "(got %s)", got);
		return -1;
	}
	if (!(spec->initial_capital <= SPEC_CAPITAL_MAX)) {
		snprintf(err, errlen, "initial_capital: must be at most 1e15 "
		    "(got %s)", got);
		return -1;
	}
	num_format(spec->commission, got);
	if (!(spec->commission >= 0 && spec->commission < 1)) {
		snprintf(err, errlen, "commission: must be at least 0 and less "
		    "than 1 (got %s)", got);
		return -1;
	}
	return 0;
}
