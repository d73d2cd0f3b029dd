/* spec.h: what a user asks a backtest to do (doc/engine.md, "The job"), as stored and shown. */
#ifndef BACKSTREAM_SPEC_H
#define BACKSTREAM_SPEC_H

#include <stdint.h>

#include <json-c/json.h>

#include "buf.h"
#include "interval.h"
#include "pack.h"

#define SYMBOL_MAX	32
#define STRATEGY_MAX	31
#define PARAM_NAME_MAX	15
#define SPEC_MAX_PARAMS	4

struct job_spec {
	char		symbol[SYMBOL_MAX + 1];
	enum interval	interval;
	int64_t		start_date;	/* UTC second of the first day's start */
	int64_t		end_date;	/* UTC second of the last day's start */
	char		strategy[STRATEGY_MAX + 1];
	int		nparams;	/* all of the strategy's, defaults filled */
	char		param_names[SPEC_MAX_PARAMS][PARAM_NAME_MAX + 1];
	double		params[SPEC_MAX_PARAMS];
	double		initial_capital;
	double		commission;
};

/*
 * A symbol is 1 to SYMBOL_MAX characters from A-Z a-z 0-9 and . _ - ^ :
 * (no spaces, no slashes: symbols appear in keys and file names).
 */
int	symbol_is_valid(const char *s);

/*
 * Adds the spec's fields to obj: symbol, interval, start_date, end_date
 * ("YYYY-MM-DD"), strategy, params {name: value}, initial_capital,
 * commission.  These are also the fields a submission carries.
 */
void	spec_add_json(const struct job_spec *spec, json_object *obj);

/* Appends the stored form of spec to out (inside a versioned record). */
void	spec_encode(const struct job_spec *spec, struct buf *out);
/* Reads a stored spec; returns 0, or -1 if it is damaged. */
int	spec_decode(struct unpack *u, struct job_spec *spec);

/* The parameter named name, or NaN if the spec has none of that name. */
double	spec_param(const struct job_spec *spec, const char *name);

#endif
