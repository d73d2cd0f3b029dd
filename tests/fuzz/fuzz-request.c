/* fuzz-request.c: fuzz target for a request's method, path, query and headers as the responders read them (cgi-bin/http.c: request_parse, request_token). */
#include "config.h"

#include <string.h>

#include <fcgiapp.h>

#include "conf.h"
#include "fuzz.h"
#include "http.h"
#include "xmalloc.h"

/*
 * The input is up to six lines, the FastCGI parameters in this order:
 * REQUEST_METHOD, PATH_INFO, REQUEST_URI, QUERY_STRING, HTTP_ORIGIN,
 * HTTP_AUTHORIZATION; missing lines are absent parameters.  No FastCGI
 * connection is needed: request_parse() reads only the request's
 * environment, which libfcgi looks up in envp.
 */
static const char *const names[] = {
	"REQUEST_METHOD", "PATH_INFO", "REQUEST_URI", "QUERY_STRING",
	"HTTP_ORIGIN", "HTTP_AUTHORIZATION",
};
#define NNAMES	(sizeof names / sizeof names[0])

static struct conf	cfg;
static int		cfg_ready;

static void
check_parsed(const struct request *r, int status, const char *err)
{
	int	i;

	FUZZ_CHECK(status == 0 || status == 400 || status == 404);
	if (status == 400)
		FUZZ_CHECK(err[0] != '\0');
	if (status != 0)
		return;
	FUZZ_CHECK(r->method != NULL);
	FUZZ_CHECK(strncmp(r->path, "/api/", 5) == 0);
	FUZZ_CHECK(r->nsegs >= 1 && r->nsegs <= HTTP_MAX_SEGMENTS);
	FUZZ_CHECK(strcmp(r->segs[0], "api") == 0);
	for (i = 0; i < r->nsegs; i++) {
		FUZZ_CHECK(r->segs[i][0] != '\0');
		FUZZ_CHECK(strchr(r->segs[i], '/') == NULL);
	}
	FUZZ_CHECK(r->cors == NULL || r->cors == r->origin);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FCGX_Request	 fcgx;
	struct request	 r;
	char		*text, *line, *next, *env[NNAMES + 1], err[256];
	const char	*token;
	size_t		 n = 0;
	int		 status;

	if (!cfg_ready) {
		conf_defaults(&cfg);
		free(cfg.cors_origins);
		cfg.cors_origins = xstrdup("https://app.example "
		    "http://localhost:8080");
		cfg_ready = 1;
	}
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = text; line != NULL && n < NNAMES; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		xasprintf(&env[n], "%s=%s", names[n], line);
		n++;
	}
	env[n] = NULL;

	memset(&fcgx, 0, sizeof fcgx);
	fcgx.envp = env;
	err[0] = '\0';
	status = request_parse(&r, &fcgx, &cfg, err, sizeof err);
	check_parsed(&r, status, err);
	token = request_token(&r);
	FUZZ_CHECK(token == NULL || strlen(token) <= size);
	request_free(&r);

	while (n > 0)
		free(env[--n]);
	free(text);
	return 0;
}
