/* spec-parse.h: a submitted job (JSON) checked against doc/engine.md and turned into a job_spec. */
#ifndef BACKSTREAM_SPEC_PARSE_H
#define BACKSTREAM_SPEC_PARSE_H

#include <stddef.h>

#include <json-c/json.h>

#include "spec.h"

/*
 * Upper bounds that keep every figure far from overflow; periods are
 * bounded by STRATEGY_PERIOD_MAX (strategy-schema.h).
 */
#define SPEC_CAPITAL_MAX	1e15

/*
 * Reads a submission: {symbol, interval, start_date, end_date, strategy,
 * params?, initial_capital?, commission?}, refusing unknown fields, wrong
 * JSON types (a JSON null too) and values out of bounds, and filling in
 * defaults.  obj is borrowed (NULL is refused).  Returns 0 with *out
 * filled, or -1 with out untouched and a reason in err that starts with
 * the field, e.g. "params.fast: must be a JSON integer" (the 400 message).
 */
int	spec_from_json(json_object *obj, struct job_spec *out, char *err,
	    size_t errlen);

/*
 * Checks a job_spec's values, which spec_from_json did already and a spec
 * read back from the store needs again: symbol, dates in order, a known
 * strategy with exactly its parameters within bounds, capital and
 * commission.  Returns 0, or -1 with a reason as above.
 */
int	spec_check(const struct job_spec *spec, char *err, size_t errlen);

#endif
