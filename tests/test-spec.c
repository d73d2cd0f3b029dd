/* test-spec.c: unit tests of job submission validation: defaults, and each refusal naming its field. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "spec-parse.h"
#include "test.h"
#include "timefmt.h"

/* The fields every case shares unless it is about one of them. */
#define SYMBOL		"\"symbol\":\"NIFTY\""
#define INTERVAL	"\"interval\":\"5minute\""
#define DATES		"\"start_date\":\"2024-01-01\",\"end_date\":\"2024-01-31\""
#define COMMON		SYMBOL "," INTERVAL "," DATES
#define SMA		"\"strategy\":\"sma_crossover\""
#define RSI		"\"strategy\":\"rsi_reversion\""
#define KNOWN_STRATEGIES "(known: buy_and_hold, sma_crossover, " \
	"ema_crossover, rsi_reversion)"

static json_object *
parse(const char *text)
{
	json_tokener	*tok;
	json_object	*obj;

	tok = json_tokener_new();
	obj = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (json_tokener_get_error(tok) != json_tokener_success)
		TEST_FAIL("test JSON does not parse: %s", text);
	json_tokener_free(tok);
	return obj;
}

/* text must be refused with exactly want, and leave the output alone. */
static void
refuse(const char *text, const char *want)
{
	struct job_spec	 spec, before;
	json_object	*obj;
	char		 err[512] = "";

	obj = parse(text);
	memset(&spec, 0x5a, sizeof spec);
	before = spec;
	if (spec_from_json(obj, &spec, err, sizeof err) != -1)
		TEST_FAIL("accepted: %s", text);
	else if (strcmp(err, want) != 0)
		TEST_FAIL("for %s\n  got:  %s\n  want: %s", text, err, want);
	CHECK(memcmp(&spec, &before, sizeof spec) == 0);
	json_object_put(obj);
}

static int
accept(const char *text, struct job_spec *spec)
{
	json_object	*obj;
	char		 err[512];
	int		 rc;

	obj = parse(text);
	rc = spec_from_json(obj, spec, err, sizeof err);
	if (rc == -1)
		TEST_FAIL("refused %s: %s", text, err);
	json_object_put(obj);
	return rc;
}

static void
test_full(void)
{
	struct job_spec	 spec;
	char		 date[DATE_LEN + 1];

	REQUIRE(accept("{\"symbol\":\"NSE:NIFTY_50.X-1^\",\"interval\":"
	    "\"day\",\"start_date\":\"2023-02-28\",\"end_date\":\"2024-02-29\","
	    "\"strategy\":\"rsi_reversion\",\"params\":{\"period\":21,"
	    "\"lower\":27.5,\"upper\":80},\"initial_capital\":2500.5,"
	    "\"commission\":0.0005}", &spec) == 0);
	CHECK_STR(spec.symbol, "NSE:NIFTY_50.X-1^");
	CHECK_INT(spec.interval, INTERVAL_DAY);
	time_format_date(spec.start_date, date);
	CHECK_STR(date, "2023-02-28");
	CHECK_INT(spec.start_date, 19416 * (int64_t)86400);
	time_format_date(spec.end_date, date);
	CHECK_STR(date, "2024-02-29");
	CHECK_STR(spec.strategy, "rsi_reversion");
	CHECK_INT(spec.nparams, 3);
	CHECK_STR(spec.param_names[0], "period");
	CHECK_NEAR(spec_param(&spec, "period"), 21, 0);
	CHECK_NEAR(spec_param(&spec, "lower"), 27.5, 0);
	CHECK_NEAR(spec_param(&spec, "upper"), 80, 0);
	CHECK_NEAR(spec.initial_capital, 2500.5, 0);
	CHECK_NEAR(spec.commission, 0.0005, 0);
}

/* Every strategy's defaults, and initial_capital 100000, commission 0. */
static void
test_defaults(void)
{
	struct job_spec	 spec;

	REQUIRE(accept("{" COMMON ",\"strategy\":\"buy_and_hold\"}",
	    &spec) == 0);
	CHECK_INT(spec.nparams, 0);
	CHECK_NEAR(spec.initial_capital, 100000, 0);
	CHECK_NEAR(spec.commission, 0, 0);
	CHECK_INT(spec.interval, INTERVAL_5MINUTE);

	REQUIRE(accept("{" COMMON "," SMA "}", &spec) == 0);
	CHECK_INT(spec.nparams, 2);
	CHECK_NEAR(spec_param(&spec, "fast"), 10, 0);
	CHECK_NEAR(spec_param(&spec, "slow"), 30, 0);

	REQUIRE(accept("{" COMMON ",\"strategy\":\"ema_crossover\","
	    "\"params\":{}}", &spec) == 0);
	CHECK_NEAR(spec_param(&spec, "fast"), 12, 0);
	CHECK_NEAR(spec_param(&spec, "slow"), 26, 0);

	/* One given, the others defaulted. */
	REQUIRE(accept("{" COMMON "," RSI ",\"params\":{\"lower\":20}}",
	    &spec) == 0);
	CHECK_NEAR(spec_param(&spec, "period"), 14, 0);
	CHECK_NEAR(spec_param(&spec, "lower"), 20, 0);
	CHECK_NEAR(spec_param(&spec, "upper"), 70, 0);
	CHECK(isnan(spec_param(&spec, "fast")));
}

/* Values at the edges of what is allowed. */
static void
test_bounds_accepted(void)
{
	struct job_spec	 spec;

	REQUIRE(accept("{" COMMON "," SMA ",\"params\":{\"fast\":1,"
	    "\"slow\":100000}}", &spec) == 0);
	REQUIRE(accept("{" COMMON "," SMA ",\"params\":{\"fast\":99999,"
	    "\"slow\":100000}}", &spec) == 0);
	REQUIRE(accept("{" COMMON "," RSI ",\"params\":{\"period\":1,"
	    "\"lower\":0.001,\"upper\":99.999}}", &spec) == 0);
	REQUIRE(accept("{" COMMON "," RSI ",\"params\":{\"lower\":49,"
	    "\"upper\":49.5}}", &spec) == 0);
	REQUIRE(accept("{" COMMON "," SMA ",\"initial_capital\":1e15,"
	    "\"commission\":0.999}", &spec) == 0);
	REQUIRE(accept("{" COMMON "," SMA ",\"initial_capital\":0.01,"
	    "\"commission\":0}", &spec) == 0);
	/* -0 is 0, and shown as 0. */
	REQUIRE(accept("{" COMMON "," SMA ",\"commission\":-0.0}",
	    &spec) == 0);
	CHECK(!signbit(spec.commission));
	/* A range of one day: start_date == end_date. */
	REQUIRE(accept("{" SYMBOL "," INTERVAL ",\"start_date\":\"2024-01-05\","
	    "\"end_date\":\"2024-01-05\"," SMA "}", &spec) == 0);
	CHECK_INT(spec.start_date, spec.end_date);
}

static void
test_refuse_shape(void)
{
	refuse("[]", "request: must be a JSON object");
	refuse("\"x\"", "request: must be a JSON object");
	refuse("{" COMMON "," SMA ",\"foo\":1}", "foo: unknown field (known: "
	    "symbol, interval, start_date, end_date, strategy, params, "
	    "initial_capital, commission)");
	refuse("{" COMMON "," SMA ",\"Symbol\":\"X\"}", "Symbol: unknown "
	    "field (known: symbol, interval, start_date, end_date, strategy, "
	    "params, initial_capital, commission)");
	/* An unknown field is named before a missing one it may be a typo of. */
	refuse("{" SYMBOL "," INTERVAL "," DATES ",\"stratgy\":\"x\"}",
	    "stratgy: unknown field (known: symbol, interval, start_date, "
	    "end_date, strategy, params, initial_capital, commission)");
	/* Unprintable characters are not echoed. */
	refuse("{" COMMON "," SMA ",\"a\\nb\":1}", "a?b: unknown field "
	    "(known: symbol, interval, start_date, end_date, strategy, "
	    "params, initial_capital, commission)");
	refuse("{}", "symbol: is required");
}

static void
test_refuse_symbol(void)
{
	refuse("{" INTERVAL "," DATES "," SMA "}", "symbol: is required");
	refuse("{\"symbol\":5," INTERVAL "," DATES "," SMA "}",
	    "symbol: must be a string");
	refuse("{\"symbol\":null," INTERVAL "," DATES "," SMA "}",
	    "symbol: must be a string");
	refuse("{\"symbol\":[\"X\"]," INTERVAL "," DATES "," SMA "}",
	    "symbol: must be a string");
	refuse("{\"symbol\":\"\"," INTERVAL "," DATES "," SMA "}",
	    "symbol: must be 1 to 32 characters from A-Z a-z 0-9 . _ - ^ : "
	    "(got \"\")");
	refuse("{\"symbol\":\"A B\"," INTERVAL "," DATES "," SMA "}",
	    "symbol: must be 1 to 32 characters from A-Z a-z 0-9 . _ - ^ : "
	    "(got \"A B\")");
	refuse("{\"symbol\":\"../etc\"," INTERVAL "," DATES "," SMA "}",
	    "symbol: must be 1 to 32 characters from A-Z a-z 0-9 . _ - ^ : "
	    "(got \"../etc\")");
	/* 33 characters; the message quotes at most 40. */
	refuse("{\"symbol\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\"," INTERVAL
	    "," DATES "," SMA "}", "symbol: must be 1 to 32 characters from "
	    "A-Z a-z 0-9 . _ - ^ : (got \"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\")");
	refuse("{\"symbol\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefgh\","
	    INTERVAL "," DATES "," SMA "}", "symbol: must be 1 to 32 "
	    "characters from A-Z a-z 0-9 . _ - ^ : (got "
	    "\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd...\")");
	/* A NUL inside would cut the string short in C: "A" is not "A\0B". */
	refuse("{\"symbol\":\"A\\u0000B\"," INTERVAL "," DATES "," SMA "}",
	    "symbol: must not contain NUL characters");
}

static void
test_refuse_interval(void)
{
	refuse("{" SYMBOL "," DATES "," SMA "}", "interval: is required");
	refuse("{" SYMBOL ",\"interval\":5," DATES "," SMA "}",
	    "interval: must be a string");
	refuse("{" SYMBOL ",\"interval\":\"2minute\"," DATES "," SMA "}",
	    "interval: unknown interval \"2minute\" (known: minute, 3minute, "
	    "5minute, 10minute, 15minute, 30minute, 60minute, day)");
	refuse("{" SYMBOL ",\"interval\":\"Day\"," DATES "," SMA "}",
	    "interval: unknown interval \"Day\" (known: minute, 3minute, "
	    "5minute, 10minute, 15minute, 30minute, 60minute, day)");
}

static void
test_refuse_dates(void)
{
	refuse("{" SYMBOL "," INTERVAL ",\"end_date\":\"2024-01-31\"," SMA "}",
	    "start_date: is required");
	refuse("{" SYMBOL "," INTERVAL ",\"start_date\":\"2024-01-31\"," SMA
	    "}", "end_date: is required");
	refuse("{" SYMBOL "," INTERVAL ",\"start_date\":20240101,"
	    "\"end_date\":\"2024-01-31\"," SMA "}",
	    "start_date: must be a string");
	refuse("{" SYMBOL "," INTERVAL ",\"start_date\":\"2024-1-01\","
	    "\"end_date\":\"2024-01-31\"," SMA "}",
	    "start_date: must be a date as YYYY-MM-DD (got \"2024-1-01\")");
	refuse("{" SYMBOL "," INTERVAL ",\"start_date\":\"2023-02-29\","
	    "\"end_date\":\"2024-01-31\"," SMA "}",
	    "start_date: must be a date as YYYY-MM-DD (got \"2023-02-29\")");
	refuse("{" SYMBOL "," INTERVAL ",\"start_date\":\"2024-01-01\","
	    "\"end_date\":\"2024-01-31T00:00:00Z\"," SMA "}",
	    "end_date: must be a date as YYYY-MM-DD "
	    "(got \"2024-01-31T00:00:00Z\")");
	refuse("{" SYMBOL "," INTERVAL ",\"start_date\":\"2024-01-01\","
	    "\"end_date\":\" 2024-01-31\"," SMA "}",
	    "end_date: must be a date as YYYY-MM-DD (got \" 2024-01-31\")");
	refuse("{" SYMBOL "," INTERVAL ",\"start_date\":\"2024-02-01\","
	    "\"end_date\":\"2024-01-31\"," SMA "}",
	    "end_date: must not be before start_date");
}

static void
test_refuse_strategy(void)
{
	refuse("{" COMMON "}", "strategy: is required");
	refuse("{" COMMON ",\"strategy\":1}", "strategy: must be a string");
	refuse("{" COMMON ",\"strategy\":\"foo\"}",
	    "strategy: unknown strategy \"foo\" " KNOWN_STRATEGIES);
	refuse("{" COMMON ",\"strategy\":\"SMA_CROSSOVER\"}",
	    "strategy: unknown strategy \"SMA_CROSSOVER\" " KNOWN_STRATEGIES);
}

/* Integers must be JSON integers: not 10.0, 1e1, "10", true or null. */
static void
test_refuse_integers(void)
{
	static const char *const not_integers[] = {
		"10.0", "1e1", "\"10\"", "true", "null", "[10]", "{}", "10.5",
	};
	char	text[256];
	size_t	i;

	for (i = 0; i < sizeof not_integers / sizeof not_integers[0]; i++) {
		snprintf(text, sizeof text, "{" COMMON "," SMA ",\"params\":"
		    "{\"fast\":%s}}", not_integers[i]);
		refuse(text, "params.fast: must be a JSON integer");
		snprintf(text, sizeof text, "{" COMMON "," RSI ",\"params\":"
		    "{\"period\":%s}}", not_integers[i]);
		refuse(text, "params.period: must be a JSON integer");
	}
	refuse("{" COMMON ",\"strategy\":\"ema_crossover\",\"params\":"
	    "{\"slow\":26.0}}", "params.slow: must be a JSON integer");
}

static void
test_refuse_params(void)
{
	refuse("{" COMMON "," SMA ",\"params\":[]}",
	    "params: must be an object");
	refuse("{" COMMON "," SMA ",\"params\":null}",
	    "params: must be an object");
	refuse("{" COMMON "," SMA ",\"params\":{\"fast\":5,\"period\":3}}",
	    "params.period: unknown parameter (sma_crossover takes: fast, "
	    "slow)");
	refuse("{" COMMON ",\"strategy\":\"buy_and_hold\",\"params\":"
	    "{\"fast\":5}}", "params.fast: unknown parameter (buy_and_hold "
	    "takes: none)");
	refuse("{" COMMON "," SMA ",\"params\":{\"fast\":0}}",
	    "params.fast: must be between 1 and 100000 (got 0)");
	refuse("{" COMMON "," SMA ",\"params\":{\"fast\":-3}}",
	    "params.fast: must be between 1 and 100000 (got -3)");
	refuse("{" COMMON "," SMA ",\"params\":{\"slow\":100001}}",
	    "params.slow: must be between 1 and 100000 (got 100001)");
	refuse("{" COMMON "," SMA ",\"params\":{\"slow\":"
	    "99999999999999999999}}",
	    "params.slow: is out of range");
	refuse("{" COMMON "," SMA ",\"params\":{\"fast\":30,\"slow\":10}}",
	    "params.fast: must be less than params.slow (got 30 and 10)");
	refuse("{" COMMON "," SMA ",\"params\":{\"fast\":20,\"slow\":20}}",
	    "params.fast: must be less than params.slow (got 20 and 20)");
	/* The default slow (30) against a given fast. */
	refuse("{" COMMON "," SMA ",\"params\":{\"fast\":30}}",
	    "params.fast: must be less than params.slow (got 30 and 30)");
	refuse("{" COMMON ",\"strategy\":\"ema_crossover\",\"params\":"
	    "{\"slow\":5}}",
	    "params.fast: must be less than params.slow (got 12 and 5)");
	refuse("{" COMMON "," RSI ",\"params\":{\"period\":0}}",
	    "params.period: must be between 1 and 100000 (got 0)");
	refuse("{" COMMON "," RSI ",\"params\":{\"lower\":0}}",
	    "params.lower: must be greater than 0 and less than 100 (got 0)");
	refuse("{" COMMON "," RSI ",\"params\":{\"lower\":-1}}",
	    "params.lower: must be greater than 0 and less than 100 (got -1)");
	refuse("{" COMMON "," RSI ",\"params\":{\"upper\":100}}",
	    "params.upper: must be greater than 0 and less than 100 "
	    "(got 100)");
	refuse("{" COMMON "," RSI ",\"params\":{\"upper\":100.5}}",
	    "params.upper: must be greater than 0 and less than 100 "
	    "(got 100.5)");
	refuse("{" COMMON "," RSI ",\"params\":{\"lower\":70,\"upper\":30}}",
	    "params.lower: must be less than params.upper (got 70 and 30)");
	refuse("{" COMMON "," RSI ",\"params\":{\"lower\":50,\"upper\":50}}",
	    "params.lower: must be less than params.upper (got 50 and 50)");
	refuse("{" COMMON "," RSI ",\"params\":{\"lower\":\"30\"}}",
	    "params.lower: must be a number");
	refuse("{" COMMON "," RSI ",\"params\":{\"upper\":false}}",
	    "params.upper: must be a number");
	refuse("{" COMMON "," RSI ",\"params\":{\"upper\":NaN}}",
	    "params.upper: must be a finite number");
}

static void
test_refuse_money(void)
{
	refuse("{" COMMON "," SMA ",\"initial_capital\":\"100000\"}",
	    "initial_capital: must be a number");
	refuse("{" COMMON "," SMA ",\"initial_capital\":null}",
	    "initial_capital: must be a number");
	refuse("{" COMMON "," SMA ",\"initial_capital\":0}",
	    "initial_capital: must be greater than 0 (got 0)");
	refuse("{" COMMON "," SMA ",\"initial_capital\":-100}",
	    "initial_capital: must be greater than 0 (got -100)");
	refuse("{" COMMON "," SMA ",\"initial_capital\":1.5e15}",
	    "initial_capital: must be at most 1e15 (got 1.5e+15)");
	refuse("{" COMMON "," SMA ",\"initial_capital\":"
	    "-99999999999999999999}", "initial_capital: is out of range");
	refuse("{" COMMON "," SMA ",\"initial_capital\":1e400}",
	    "initial_capital: must be a finite number");
	refuse("{" COMMON "," SMA ",\"commission\":\"0.001\"}",
	    "commission: must be a number");
	refuse("{" COMMON "," SMA ",\"commission\":1}",
	    "commission: must be at least 0 and less than 1 (got 1)");
	refuse("{" COMMON "," SMA ",\"commission\":-0.001}",
	    "commission: must be at least 0 and less than 1 (got -0.001)");
	refuse("{" COMMON "," SMA ",\"commission\":true}",
	    "commission: must be a number");
}

/* spec_check on a struct, as for a spec read back from the store. */
static void
test_check_struct(void)
{
	struct job_spec	 spec, good;
	char		 err[256];

	REQUIRE(accept("{" COMMON "," SMA "}", &good) == 0);
	CHECK_INT(spec_check(&good, err, sizeof err), 0);

	spec = good;
	spec.nparams = 1;
	CHECK_INT(spec_check(&spec, err, sizeof err), -1);
	CHECK_STR(err, "params: sma_crossover takes 2 parameters, not 1");

	spec = good;
	snprintf(spec.param_names[1], sizeof spec.param_names[1], "slw");
	CHECK_INT(spec_check(&spec, err, sizeof err), -1);
	CHECK_STR(err, "params.slow: is required");

	spec = good;
	spec.params[0] = 2.5;
	CHECK_INT(spec_check(&spec, err, sizeof err), -1);
	CHECK_STR(err, "params.fast: must be a JSON integer");

	spec = good;
	spec.start_date += 3600;
	CHECK_INT(spec_check(&spec, err, sizeof err), -1);
	CHECK_STR(err, "start_date: must be the start of a day");

	spec = good;
	spec.interval = (enum interval)INTERVAL_COUNT;
	CHECK_INT(spec_check(&spec, err, sizeof err), -1);

	spec = good;
	memset(spec.strategy, 'x', sizeof spec.strategy);
	CHECK_INT(spec_check(&spec, err, sizeof err), -1);

	spec = good;
	spec.initial_capital = NAN;
	CHECK_INT(spec_check(&spec, err, sizeof err), -1);
	CHECK_STR(err, "initial_capital: must be greater than 0 (got null)");

	/* A short buffer truncates the message but never overflows. */
	spec = good;
	spec.commission = 2;
	CHECK_INT(spec_check(&spec, err, 11), -1);
	CHECK_STR(err, "commission");
}

static const struct test tests[] = {
	{ "full", test_full },
	{ "defaults", test_defaults },
	{ "bounds_accepted", test_bounds_accepted },
	{ "refuse_shape", test_refuse_shape },
	{ "refuse_symbol", test_refuse_symbol },
	{ "refuse_interval", test_refuse_interval },
	{ "refuse_dates", test_refuse_dates },
	{ "refuse_strategy", test_refuse_strategy },
	{ "refuse_integers", test_refuse_integers },
	{ "refuse_params", test_refuse_params },
	{ "refuse_money", test_refuse_money },
	{ "check_struct", test_check_struct },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return test_main(argc, argv, tests, 60);
}
