/* log.c: leveled log lines. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *const level_names[] = { "error", "warn", "info", "debug" };

/* The process's own log settings: one destination per process. */
static const char	*log_progname = "backstream";
static enum log_level	 log_level = LOG_LEVEL_INFO;
static int		 log_fd = STDERR_FILENO;

void
log_init(const char *progname, enum log_level level)
{
	log_progname = progname;
	log_level = level;
}

int
log_open_file(const char *path)
{
	int	fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = fd;
	return 0;
}

void
log_use_file(const char *path)
{
	if (path[0] != '\0' && log_open_file(path) == -1)
		log_warn("%s: %s; logging to standard error", path,
		    strerror(errno));
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *s, enum log_level *level)
{
	size_t	i;

	for (i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	return level_names[level];
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char		 line[2048];
	struct timespec	 ts;
	struct tm	 tm;
	va_list		 ap;
	size_t		 n;
	int		 r, saved_errno;

	if (level > log_level)
		return;
	saved_errno = errno;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof line - n, ".%03ldZ %s[%ld] %s: ",
	    ts.tv_nsec / 1000000, log_progname, (long)getpid(),
	    level_names[level]);
	if (r > 0)
		n += (size_t)r;
	va_start(ap, fmt);
	r = vsnprintf(line + n, sizeof line - n, fmt, ap);
	va_end(ap);
	if (r > 0)
		n += (size_t)r;
	/* Long lines are cut, and a message never spans lines. */
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	for (size_t i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	/* One write per line, so lines from many processes do not mix. */
	(void)!write(log_fd, line, n);
	errno = saved_errno;
}
