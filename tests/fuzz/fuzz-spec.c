/* fuzz-spec.c: fuzz target for submitted job specs (lib/json.c json_parse, lib/spec-parse.c spec_from_json) and stored ones (lib/spec.c spec_decode). */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "json.h"
#include "pack.h"
#include "spec-parse.h"
#include "spec.h"
#include "timefmt.h"

/*
 * The same job: a stored spec may list its parameters in another order,
 * and -0 equals 0.
 */
static int
spec_same(const struct job_spec *a, const struct job_spec *b)
{
	int	i;

	if (strcmp(a->symbol, b->symbol) != 0 || a->interval != b->interval ||
	    a->start_date != b->start_date || a->end_date != b->end_date ||
	    strcmp(a->strategy, b->strategy) != 0 ||
	    a->nparams != b->nparams ||
	    a->initial_capital != b->initial_capital ||
	    a->commission != b->commission)
		return 0;
	for (i = 0; i < a->nparams; i++)
		if (spec_param(b, a->param_names[i]) != a->params[i])
			return 0;
	return 1;
}

/*
 * A spec accepted once must be accepted again, unchanged, after the trips
 * it makes in the system: shown as JSON (what a client may post back) and
 * stored (spec_encode, read back by the engine).
 */
static void
round_trips(const struct job_spec *spec)
{
	struct job_spec	 again;
	struct unpack	 u;
	struct buf	 packed = BUF_INIT;
	json_object	*obj, *back;
	const char	*text;
	char		 err[512];

	obj = json_object_new_object();
	spec_add_json(spec, obj);
	text = json_text(obj);
	back = json_parse(text, strlen(text), err, sizeof err);
	FUZZ_CHECK(back != NULL);
	memset(&again, 0, sizeof again);
	if (spec_from_json(back, &again, err, sizeof err) == -1) {
		fprintf(stderr, "%s\nrefused: %s\n", text, err);
		FUZZ_CHECK(!"a shown spec is accepted again");
	}
	FUZZ_CHECK(spec_same(&again, spec));
	json_object_put(back);
	json_object_put(obj);

	spec_encode(spec, &packed);
	unpack_init(&u, packed.data, packed.len);
	FUZZ_CHECK(spec_decode(&u, &again) == 0);
	FUZZ_CHECK(spec_same(&again, spec));
	buf_free(&packed);
}

/*
 * time_day_start() of any stored number is a day start less than a day
 * from it (an overflow near INT64_MIN once made it anything).
 */
static void
check_day_start(int64_t t)
{
	int64_t		day = time_day_start(t);
	uint64_t	dist;

	dist = day > t ? (uint64_t)day - (uint64_t)t :
	    (uint64_t)t - (uint64_t)day;
	FUZZ_CHECK(day % SECONDS_PER_DAY == 0);
	FUZZ_CHECK(dist < SECONDS_PER_DAY);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct job_spec	 spec;
	struct unpack	 u;
	json_object	*obj;
	char		 err[512];

	/* As a submission: JSON text, then the checks behind a 400. */
	err[0] = '\0';
	if ((obj = json_parse((const char *)data, size, err,
	    sizeof err)) == NULL)
		FUZZ_CHECK(err[0] != '\0');
	else {
		err[0] = '\0';
		if (spec_from_json(obj, &spec, err, sizeof err) == 0) {
			FUZZ_CHECK(spec_check(&spec, err, sizeof err) == 0);
			round_trips(&spec);
		} else
			FUZZ_CHECK(err[0] != '\0');
		json_object_put(obj);
	}

	/*
	 * As a stored record, damaged or not: what spec_check() lets through
	 * must be shown and run as a submission would be.
	 */
	unpack_init(&u, data, size);
	if (spec_decode(&u, &spec) == 0) {
		check_day_start(spec.start_date);
		check_day_start(spec.end_date);
		if (spec_check(&spec, err, sizeof err) == 0)
			round_trips(&spec);
	}
	return 0;
}
