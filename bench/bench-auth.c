/* bench-auth.c: times auth_verify() on a valid token; prints microseconds per verification. */
/* Built and run by "make bench" (Makefile.am); by hand, in the build directory: bench/bench-auth [N] */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "bench-util.h"
#include "mint.h"
#include "xmalloc.h"

#define PROJECT	"bench-project"

static double
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
	struct auth		*a;
	struct auth_user	 user;
	char			 dir[] = "/tmp/bench-auth.XXXXXX";
	char			 err[256], why[256];
	char			*key, *certs, *token;
	double			 t0, t1;
	long			 n = 20000, i;
	int64_t			 now;

	if (argc > 1 && (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: bench-auth [N]\n");
		return 64;
	}
	if (mkdtemp(dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	xasprintf(&key, "%s/%s", dir, MINT_KEY_FILE);
	xasprintf(&certs, "%s/%s", dir, MINT_CERT_FILE);
	now = (int64_t)time(NULL);
	if (mint_keygen(dir, err, sizeof err) == -1 ||
	    mint_token(key, certs, PROJECT, "bench-user", now, 3600, &token,
	    err, sizeof err) == -1)
		die("%s", err);
	/* auth.c re-reads a file changed in the last 2 s: not what is timed. */
	sleep(3);

	a = auth_new(PROJECT, certs, 30000);
	/* The first call reads the certificate file: not what is timed. */
	if (auth_verify(a, token, strlen(token), now * 1000, &user, why,
	    sizeof why) != AUTH_OK)
		die("token refused: %s", why);
	t0 = now_us();
	for (i = 0; i < n; i++)
		if (auth_verify(a, token, strlen(token), now * 1000, &user,
		    why, sizeof why) != AUTH_OK)
			die("token refused: %s", why);
	t1 = now_us();
	printf("%ld verifications, %.1f us/verify\n", n, (t1 - t0) / (double)n);

	auth_free(a);
	free(token);
	unlink(key);
	unlink(certs);
	rmdir(dir);
	free(key);
	free(certs);
	return 0;
}
