/* sustain.h: what the parts of bench-sustain share: its options, the job table of the job process and the client, the streams' tally. */
#ifndef BACKSTREAM_SUSTAIN_H
#define BACKSTREAM_SUSTAIN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "ids.h"
#include "job.h"
#include "sse-client.h"

#define USERS_MAX	10000
#define STREAMS_MAX	20000
#define TABLE_MAX	100000	/* jobs the test may create */
#define NELEM(a)	(sizeof (a) / sizeof (a)[0])

/* ---- options (bench-sustain.c) ---------------------------------------------- */

struct sustain_opt {
	const char	*conf;
	int		 port;
	pid_t		 server;
	const char	*server_name;
	int		 n;
	int		 users;
	int		 ndata;
	int		 seconds;
	int		 sample_s;
	int		 submit_ms;
	int		 cancel_ms;
	int		 delete_ms;
	const char	*engine;
	int		 cron_s;
	const char	*user;		/* the store's owner */
	int		 window;	/* opens in flight while ramping up */
	int		 open_timeout_s;
	int		 ramp_s;
};

/* One program, one run: these are set up by main and read everywhere. */
extern struct sustain_opt		opt;
extern struct conf			cfg;
extern volatile sig_atomic_t		stopping;	/* SIGTERM or SIGINT */

/* Sets stopping. */
void	on_stop(int sig);

/* ---- the job table (sustain-jobs.c) ------------------------------------------ */

struct tjob {
	char		id[ID_MAX + 1];
	int		user;
	int		prev;		/* the user's job before, -1 */
};

/*
 * In a shared mapping: the job process appends jobs (an entry is complete
 * before njobs counts it) and marks them deleted before it deletes them;
 * the client marks those whose terminal event it saw.
 */
struct shared {
	int		njobs;
	int		last_of_user[USERS_MAX];
	unsigned char	finished[TABLE_MAX];
	unsigned char	deleted[TABLE_MAX];
	struct tjob	jobs[TABLE_MAX];
	/* the job process's counts */
	long		submitted, refused, cancels, cancels_late, deletes,
			deletes_active, errors;
	long		status_count[JOB_STATUS_COUNT];	/* at its end */
};

extern struct shared	*sh;

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* Maps the job table (shared with processes forked after); dies on failure. */
void	jobs_table_init(void);
/* User number user's uid, into out of len bytes. */
void	uid_of(int user, char *out, size_t len);
/*
 * The user's newest job that is not deleted and (active) not known to be
 * finished; -1 if none.
 */
int	pick_job(int user, int active);
/* Queues a one-day job for every user: each list has something at once. */
void	setup_jobs(void);
/* Forks the job process, which submits, cancels and deletes until SIGTERM. */
pid_t	start_jobs(void);
void	sleep_ms(int64_t ms);

/* The engine as cron runs it: a run in a process group of its own. */
void	start_engine(void);
/* Waits for runs that ended (all of them with block). */
void	reap_engines(int block);
/* Stops every run still going, with its workers. */
void	stop_engines(void);
/* Runs started, and those that did not exit 0. */
int	engine_runs(void);
int	engine_failures(void);

/* ---- the streams (sustain-streams.c) ------------------------------------------ */

enum kind { K_JOBS, K_HISTORY, K_PROGRESS, K_DATA, NKINDS };
enum sstate { S_WAIT, S_OPENING, S_OPEN };
enum failure { F_STATUS, F_ERROR, F_CUT, F_STALL, F_TIMEOUT, F_REPEAT,
    NFAILURES };

struct tally {
	long long	events[NKINDS];
	long long	heartbeats;
	long long	points;
	long		opens, ok, resumes, rotations, switches, ends_204;
	long		deleted_under, renewals;
	long		failures[NFAILURES];
	int		failed_streams;
	int64_t		*first_ms;	/* request to first event, ms */
	size_t		 nfirst, capfirst;
	int64_t		*refirst_ms;	/* the same for later requests */
	size_t		 nrefirst, caprefirst;
};

extern struct tally	tally;

/*
 * Mints the users' tokens and gives each of opt.n streams its kind and
 * user, counting them in per_kind; streams_free undoes it.
 */
void		 streams_init(int *per_kind);
void		 streams_free(void);
/* Sets cl's callbacks to the streams'. */
void		 streams_attach(struct sse_client *cl);
/* Opens stream i now, or waits a little if it has no job to show yet. */
void		 stream_open(struct sse_client *cl, int i);
/* Timers of every stream: reopening, moving on, waiting too long. */
void		 streams_tick(struct sse_client *cl);
/* Streams in state, and streams that ever had a 200. */
int		 count_state(enum sstate state);
int		 count_opened(void);
/* Events of every kind so far. */
long long	 all_events(void);
/* ", 3 non-200 responses, 0 …": the failures by kind. */
void		 print_failures(void);

/* ---- the samples (sustain-samples.c) -------------------------------------------- */

/* Prints the samples' column heads. */
void	sample_header(void);
/* Samples memory and CPU at t s since the load began, and prints them. */
void	take_sample(double t);
/* When the last sample was taken (s), or -1 if none was. */
double	last_sample_t(void);
/* Memory from minute 2 (or half-way) on, and CPU over the run. */
void	report_memory(void);
void	report_cpu(double engine_s, double secs);
void	samples_free(void);

#endif
