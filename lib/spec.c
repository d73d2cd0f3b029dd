/* spec.c: the stored and shown form of a job's input. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "json.h"
#include "spec.h"

int
symbol_is_valid(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if (n >= SYMBOL_MAX)
			return 0;
		if (!((s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || strchr("._-^:", s[n])))
			return 0;
	}
	return n > 0;
}

void
spec_add_json(const struct job_spec *spec, json_object *obj)
{
	json_object	*params;
	int		 i;

	json_object_object_add(obj, "symbol",
	    json_object_new_string(spec->symbol));
	json_object_object_add(obj, "interval",
	    json_object_new_string(interval_name(spec->interval)));
	json_object_object_add(obj, "start_date", json_date(spec->start_date));
	json_object_object_add(obj, "end_date", json_date(spec->end_date));
	json_object_object_add(obj, "strategy",
	    json_object_new_string(spec->strategy));
	params = json_object_new_object();
	for (i = 0; i < spec->nparams; i++)
		json_object_object_add(params, spec->param_names[i],
		    json_num(spec->params[i]));
	json_object_object_add(obj, "params", params);
	json_object_object_add(obj, "initial_capital",
	    json_num(spec->initial_capital));
	json_object_object_add(obj, "commission", json_num(spec->commission));
}

double
spec_param(const struct job_spec *spec, const char *name)
{
	int	i;

	for (i = 0; i < spec->nparams; i++)
		if (strcmp(spec->param_names[i], name) == 0)
			return spec->params[i];
	return NAN;
}

void
spec_encode(const struct job_spec *spec, struct buf *out)
{
	int	i;

	pack_str(out, spec->symbol);
	pack_u8(out, (uint8_t)spec->interval);
	pack_i64(out, spec->start_date);
	pack_i64(out, spec->end_date);
	pack_str(out, spec->strategy);
	pack_u8(out, (uint8_t)spec->nparams);
	for (i = 0; i < spec->nparams; i++) {
		pack_str(out, spec->param_names[i]);
		pack_f64(out, spec->params[i]);
	}
	pack_f64(out, spec->initial_capital);
	pack_f64(out, spec->commission);
}

int
spec_decode(struct unpack *u, struct job_spec *spec)
{
	unsigned	iv;
	int		i;

	memset(spec, 0, sizeof *spec);
	unpack_str(u, spec->symbol, sizeof spec->symbol);
	iv = unpack_u8(u);
	spec->interval = (enum interval)(iv < INTERVAL_COUNT ? iv : 0);
	spec->start_date = unpack_i64(u);
	spec->end_date = unpack_i64(u);
	unpack_str(u, spec->strategy, sizeof spec->strategy);
	spec->nparams = unpack_u8(u);
	if (spec->nparams > SPEC_MAX_PARAMS || iv >= INTERVAL_COUNT)
		return -1;
	for (i = 0; i < spec->nparams; i++) {
		unpack_str(u, spec->param_names[i],
		    sizeof spec->param_names[i]);
		spec->params[i] = unpack_f64(u);
	}
	spec->initial_capital = unpack_f64(u);
	spec->commission = unpack_f64(u);
	return u->bad ? -1 : 0;
}
