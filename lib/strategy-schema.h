/* strategy-schema.h: the strategies a job may name, and the parameters each takes. */
#ifndef BACKSTREAM_STRATEGY_SCHEMA_H
#define BACKSTREAM_STRATEGY_SCHEMA_H

#include <stddef.h>

#include "spec.h"

/* Upper bound of every period parameter: keeps buffers and sums reasonable. */
#define STRATEGY_PERIOD_MAX	100000

struct strategy_param {
	const char	*name;
	int		 integer;	/* must be a JSON integer */
	int		 exclusive;	/* min and max themselves are refused */
	double		 def;
	double		 min;
	double		 max;
};

/*
 * What a submission may ask of a strategy; the engine's signal functions
 * (engine/strategy.h) are found by the same name.  This half lives in lib/
 * so that whoever validates a submission (REST, the CLI) needs no engine.
 */
struct strategy_schema {
	const char		*name;
	int			 nparams;
	struct strategy_param	 params[SPEC_MAX_PARAMS];
	/*
	 * The one rule between parameters that strategies have: the value of
	 * the parameter named below must be less than that of above.  Both
	 * NULL if there is none.
	 */
	const char		*below;
	const char		*above;
};

/* The schema of that name, or NULL.  Entries are static. */
const struct strategy_schema	*strategy_schema_find(const char *name);
/* The i-th schema for 0 <= i < strategy_schema_count(), in documentation order. */
const struct strategy_schema	*strategy_schema_at(size_t i);
size_t				 strategy_schema_count(void);
/* "buy_and_hold, sma_crossover, …" for error messages; a static string. */
const char			*strategy_names(void);

/*
 * Checks the rule between parameters; params holds the values in schema
 * order.  Returns 0, or -1 with a reason in err that names the first
 * parameter, e.g. "params.fast: must be less than params.slow (got 5 and 5)".
 */
int	strategy_schema_check(const struct strategy_schema *schema,
	    const double *params, char *err, size_t errlen);

#endif
