/* strategy-schema.c: the strategy table's names, parameters, bounds, defaults and rules. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "numfmt.h"
#include "strategy-schema.h"

#define PERIOD(n, d)	{ (n), 1, 0, (d), 1, STRATEGY_PERIOD_MAX }

/*
 * One table serves validation (spec-parse.c), defaults and the engine's
 * parameter order.  Thresholds are plain numbers, not integers: an RSI
 * level of 27.5 is a reasonable thing to ask for.
 */
static const struct strategy_schema schemas[] = {
	{
		"buy_and_hold", 0, { { NULL, 0, 0, 0, 0, 0 } },
		NULL, NULL,
	},
	{
		"sma_crossover", 2, {
			PERIOD("fast", 10),
			PERIOD("slow", 30),
		},
		"fast", "slow",
	},
	{
		"ema_crossover", 2, {
			PERIOD("fast", 12),
			PERIOD("slow", 26),
		},
		"fast", "slow",
	},
	{
		"rsi_reversion", 3, {
			PERIOD("period", 14),
			{ "lower", 0, 1, 30, 0, 100 },
			{ "upper", 0, 1, 70, 0, 100 },
		},
		"lower", "upper",
	},
};

#define NSCHEMAS	(sizeof schemas / sizeof schemas[0])

const struct strategy_schema *
strategy_schema_find(const char *name)
{
	size_t	i;

	for (i = 0; i < NSCHEMAS; i++)
		if (strcmp(schemas[i].name, name) == 0)
			return &schemas[i];
	return NULL;
}

const struct strategy_schema *
strategy_schema_at(size_t i)
{
	return i < NSCHEMAS ? &schemas[i] : NULL;
}

size_t
strategy_schema_count(void)
{
	return NSCHEMAS;
}

const char *
strategy_names(void)
{
	return "buy_and_hold, sma_crossover, ema_crossover, rsi_reversion";
}

/* The index of the parameter named name; the table names only its own. */
static int
param_index(const struct strategy_schema *schema, const char *name)
{
	int	i;

	for (i = 0; i < schema->nparams; i++)
		if (strcmp(schema->params[i].name, name) == 0)
			break;
	return i;
}

int
strategy_schema_check(const struct strategy_schema *schema,
    const double *params, char *err, size_t errlen)
{
	char	low[NUMFMT_MAX], high[NUMFMT_MAX];
	double	below, above;

	if (schema->below == NULL)
		return 0;
	below = params[param_index(schema, schema->below)];
	above = params[param_index(schema, schema->above)];
	if (below < above)
		return 0;
	num_format(below, low);
	num_format(above, high);
	snprintf(err, errlen,
	    "params.%s: must be less than params.%s (got %s and %s)",
	    schema->below, schema->above, low, high);
	return -1;
}
