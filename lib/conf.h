/* conf.h: the backstream.conf file, one table of keys serving parsing, defaults and docs. */
#ifndef BACKSTREAM_CONF_H
#define BACKSTREAM_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

/* Every value a process reads from backstream.conf.  Durations are in ms. */
struct conf {
	char		*path;		/* the file read, for messages */

	char		*store_dir;	/* the Berkeley DB environment */
	int64_t		 cache_size;
	int64_t		 max_processes;
	int64_t		 lock_timeout;
	int64_t		 stall_timeout;
	int64_t		 store_readers;
	int64_t		 changelog_retention;

	char		*project_id;
	char		*cert_file;
	int64_t		 token_leeway;	/* clock skew on iat and auth_time */
	int64_t		 token_expiry_leeway;	/* grace after exp */
	char		*verify_helper;

	int64_t		 poll_interval;
	int64_t		 heartbeat;
	int64_t		 retry;
	int64_t		 stream_lifetime;
	int64_t		 stream_jitter;
	int64_t		 max_user_streams;

	int64_t		 max_queued_jobs;
	char		*cors_origins;	/* space-separated, or empty */

	int64_t		 engine_workers;
	int64_t		 engine_cycle;
	int64_t		 engine_poll;
	int64_t		 engine_crash_retries;
	int64_t		 engine_bar_rate;

	char		*repl_site;	/* host:port, or empty: no replication */
	char		*repl_peers;	/* space-separated host:port */
	int64_t		 repl_priority;

	enum log_level	 log_level;
	char		*log_file;	/* empty: stderr */
};

/*
 * The file used when neither -c nor BACKSTREAM_CONF names one: SYSCONFDIR
 * or, relocated, beside the programs (reloc.h).  Static: not to be freed.
 */
const char *conf_default_path(void);

/*
 * Returns the file to read: arg if not NULL, else $BACKSTREAM_CONF if set
 * and not empty, else conf_default_path().  The string is not owned.
 */
const char *conf_path(const char *arg);
/*
 * Reads the next address (host:port, or [v6]:port) of a space-separated
 * list at *p into host (hostlen bytes of room) and port, and moves *p
 * past it.  Returns 1, 0 at the end of the list, or -1 with a reason in
 * why when it is malformed (repl_site and repl_peers are checked with it
 * when the file is read).
 */
int	conf_address_next(const char **p, char *host, size_t hostlen,
	    unsigned *port, const char **why);
/* Fills cfg with every default.  Free with conf_free(). */
void	conf_defaults(struct conf *cfg);
/*
 * Reads the file at path over the values in cfg.  On error returns -1 and
 * writes "FILE:LINE: reason" into err; cfg then holds a mix and should be
 * freed.  A missing file is an error too.
 */
int	conf_load(struct conf *cfg, const char *path, char *err,
	    size_t errlen);
/* Parses text as if it were the file named path (for tests and fuzzing). */
int	conf_parse(struct conf *cfg, const char *path, const char *text,
	    size_t len, char *err, size_t errlen);
/* Frees what cfg owns (not cfg itself).  NULL is fine. */
void	conf_free(struct conf *cfg);

/* Defaults, then the file: what every program does at start. */
int	conf_read(struct conf *cfg, const char *arg, char *err,
	    size_t errlen);

/*
 * Writes the documentation of every key, for the man page and the sample
 * file: format "man" (roff) or "conf" (commented key = default lines).
 */
void	conf_write_docs(const char *format, void (*emit)(const char *line,
	    void *arg), void *arg);

#endif
