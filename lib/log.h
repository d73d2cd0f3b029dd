/* log.h: leveled log lines on stderr (the web server's error log) or a file. */
#ifndef BACKSTREAM_LOG_H
#define BACKSTREAM_LOG_H

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/*
 * Sets the program name shown on each line and the least important level
 * written.  Until called, lines go to stderr at level info.  The name is
 * not copied: pass a string that lives as long as the process.
 */
void	log_init(const char *progname, enum log_level level);
/*
 * Sends lines to path (appending) instead of stderr.  Returns 0, or -1 with
 * errno set, leaving the destination unchanged.
 */
int	log_open_file(const char *path);
/*
 * The setting log_file: lines go to path from now on, or stay on stderr
 * for "" and when it cannot be opened (which is logged there).
 */
void	log_use_file(const char *path);
void	log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "error", "warn", "info" or "debug"; returns 0 or -1. */
int	log_level_parse(const char *s, enum log_level *level);
const char *log_level_name(enum log_level level);

/*
 * Writes one line.  Callers never pass tokens or query strings: they are
 * secrets, and log files are read by more people than the database.
 */
void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
#define log_error(...)	log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
