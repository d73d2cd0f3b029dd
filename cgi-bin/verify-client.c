/* verify-client.c: running backstream-verify and reading its answer. */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mstime.h"
#include "verify-client.h"

extern char **environ;

/*
 * The helper answers in milliseconds, but on an overloaded host its start
 * alone was seen to take seconds, and a 503 ends a browser's EventSource
 * for good: wait long, only so that a hung helper cannot hold the stream.
 */
#define HELPER_TIMEOUT_MS	30000

/* Writes all of buf, ignoring EPIPE (a helper that exits early). */
static void
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Reads the answer line (until EOF or the deadline); returns its length or -1. */
static ssize_t
read_answer(int fd, char *buf, size_t cap)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	int64_t		deadline = mono_ms() + HELPER_TIMEOUT_MS, left;
	size_t		len = 0;
	ssize_t		n;
	int		r;

	while (len < cap - 1) {
		if ((left = deadline - mono_ms()) <= 0)
			return -1;
		r = poll(&pfd, 1, (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n = read(fd, buf + len, cap - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static enum verify_result
parse_answer(char *line, char *uid, int64_t *exp, char *why, size_t whylen)
{
	char	*sp, *end;

	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "ok ", 3) == 0 && (sp = strrchr(line, ' ')) != NULL &&
	    sp > line + 3) {
		*sp = '\0';
		*exp = strtoll(sp + 1, &end, 10);
		if (*end == '\0' && strlen(line + 3) <= UID_MAX) {
			memcpy(uid, line + 3, strlen(line + 3) + 1);
			return VERIFY_OK;
		}
	}
	if (strcmp(line, "invalid") == 0)
		return VERIFY_INVALID;
	if (strncmp(line, "unavailable ", 12) == 0)
		snprintf(why, whylen, "%s", line + 12);
	else
		snprintf(why, whylen, "the token helper gave no answer");
	return VERIFY_UNAVAILABLE;
}

enum verify_result
verify_token(const char *helper, const char *conf_path, const char *token,
    char *uid, int64_t *exp, char *why, size_t whylen)
{
	posix_spawn_file_actions_t	 fa;
	char				 answer[512];
	char				*argv[4];
	int				 in[2] = { -1, -1 };
	int				 out[2] = { -1, -1 };
	enum verify_result		 res = VERIFY_UNAVAILABLE;
	pid_t				 pid;
	int				 status, r;

	why[0] = '\0';
	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		goto out;
	}
	argv[0] = (char *)(uintptr_t)helper;
	argv[1] = "-c";
	argv[2] = (char *)(uintptr_t)conf_path;
	argv[3] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	r = posix_spawn(&pid, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		snprintf(why, whylen, "%s: %s", helper, strerror(r));
		goto out;
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	write_all(in[1], token, strlen(token));
	close(in[1]);
	in[1] = -1;
	if (read_answer(out[0], answer, sizeof answer) == -1) {
		kill(pid, SIGKILL);
		snprintf(why, whylen, "%s did not answer within %d s", helper,
		    HELPER_TIMEOUT_MS / 1000);
	} else
		res = parse_answer(answer, uid, exp, why, whylen);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] != -1)
			close(in[i]);
		if (out[i] != -1)
			close(out[i]);
	}
	return res;
}
