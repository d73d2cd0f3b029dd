/* fuzz-conf.c: fuzz target for the configuration file parser (lib/conf.c: conf_parse). */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "fuzz.h"

#define NAME	"fuzz.conf"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	cfg;
	char		err[512];

	conf_defaults(&cfg);
	err[0] = '\0';
	/* Not NUL-terminated: conf_parse takes a length, as conf_load gives. */
	if (conf_parse(&cfg, NAME, (const char *)data, size, err,
	    sizeof err) == -1) {
		/* Every refusal names the file, most the line too. */
		FUZZ_CHECK(strncmp(err, NAME ":", strlen(NAME ":")) == 0);
		FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
	} else {
		/* What check_relations() promises the stream responder. */
		FUZZ_CHECK(cfg.stream_jitter < cfg.stream_lifetime);
		FUZZ_CHECK(cfg.heartbeat < cfg.stream_lifetime -
		    cfg.stream_jitter);
		FUZZ_CHECK(cfg.store_dir != NULL && cfg.cors_origins != NULL);
		FUZZ_CHECK(cfg.cache_size >= 1024 * 1024);
		FUZZ_CHECK(cfg.lock_timeout >= 10);
	}
	conf_free(&cfg);
	return 0;
}
