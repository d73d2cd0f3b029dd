# tests/sse-resume.sh: Last-Event-ID resumes exactly: progress and data streams cut at random points by killed responders and by clients that come back with last_event_id, 204 after the end, lists that start with a snapshot, and streams behind a trimmed change log.
. "${top_srcdir:-..}/tests/lib.sh"
. "$top_srcdir/tests/sse-lib.sh"

conf_set retry 300ms
# A change log that a test can outlive: records older than 1 s go when the
# engine starts.
conf_set changelog_retention 1s
conf_set poll_interval 500ms
# Killed responders make the store recover: a process caught behind one
# gives up soon (and the test's CLI calls try once more).
conf_set stall_timeout 5s
SSE_KILLS_EXPECTED=1
sse_start
sse_node resume.mjs
sse_stop
