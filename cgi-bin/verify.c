/* verify.c: backstream-verify, which checks one token for a stream responder so that responders never load OpenSSL. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "conf.h"
#include "log.h"

/*
 * Protocol: the token on stdin (one trailing newline allowed), one line on
 * stdout, and an exit status that says the same:
 *   ok <uid> <exp>		0  (uid may hold spaces: exp is the last field)
 *   invalid			1
 *   unavailable <reason>	2
 * Usage errors exit 64 with a message on stderr.
 */
#define EXIT_INVALID		1
#define EXIT_UNAVAILABLE	2
#define EXIT_USAGE		64

static void
usage(void)
{
	fprintf(stderr, "usage: backstream-verify [-c config] < token\n");
	exit(EXIT_USAGE);
}

/* Answers "unavailable": the reason, kept to one line, for the caller to log. */
static int
unavailable(const char *reason)
{
	const char	*p;

	fputs("unavailable ", stdout);
	for (p = reason; *p != '\0'; p++)
		putchar((unsigned char)*p < 0x20 ? ' ' : *p);
	putchar('\n');
	return EXIT_UNAVAILABLE;
}

/*
 * Reads all of stdin into buf (cap bytes).  Returns the length, cap if
 * there was more (too long to be a token), or -1 on a read error.
 */
static ssize_t
read_all(char *buf, size_t cap)
{
	size_t	len = 0;
	ssize_t	n;

	while (len < cap) {
		n = read(STDIN_FILENO, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

int
main(int argc, char **argv)
{
	struct conf		 cfg;
	struct auth		*a = NULL;
	struct auth_user	 user;
	struct timespec		 ts;
	const char		*conf_arg = NULL;
	char			 token[AUTH_TOKEN_MAX + 3];
	char			 err[1024];
	ssize_t			 n;
	size_t			 len;
	int			 ch, status;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		switch (ch) {
		case 'c':
			conf_arg = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("backstream-verify", LOG_LEVEL_INFO);

	if (conf_read(&cfg, conf_arg, err, sizeof err) == -1) {
		status = unavailable(err);
		goto done;
	}
	log_set_level(cfg.log_level);
	if (cfg.log_file[0] != '\0')
		(void)log_open_file(cfg.log_file);	/* else stderr */

	/* One byte over the longest token with "\r\n" tells "too long". */
	if ((n = read_all(token, sizeof token)) == -1) {
		snprintf(err, sizeof err, "cannot read the token: %s",
		    strerror(errno));
		status = unavailable(err);
		goto done;
	}
	len = (size_t)n;
	if (len > 0 && token[len - 1] == '\n')
		len--;
	if (len > 0 && token[len - 1] == '\r')
		len--;

	clock_gettime(CLOCK_REALTIME, &ts);
	a = auth_new(cfg.project_id, cfg.cert_file, cfg.token_leeway);
	auth_set_expiry_leeway(a, cfg.token_expiry_leeway);
	switch (auth_verify(a, token, len, (int64_t)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000, &user, err, sizeof err)) {
	case AUTH_OK:
		printf("ok %s %" PRId64 "\n", user.uid, user.exp);
		status = 0;
		break;
	case AUTH_INVALID:
		log_debug("token refused: %s", err);
		puts("invalid");
		status = EXIT_INVALID;
		break;
	default:
		status = unavailable(err);
		break;
	}
done:
	auth_free(a);
	conf_free(&cfg);
	if (fflush(stdout) == EOF || ferror(stdout))
		status = EXIT_UNAVAILABLE;
	return status;
}
