// sse-replay.js: the replay log of one shared stream: the events that bring a subscriber who joins late to the state that a fresh connection would give it (www/README.md, "Several tabs").
//
// A log holds {name, data, lastEventId, origin} entries in order of
// arrival.  What a fresh connection gives is, per the contract: for a list
// stream, `connection`, a `snapshot` and the changes since; for a progress
// stream, `connection`, the current `progress`, every transaction and the
// terminal event; for a data stream, `interval_start` and the chunks since.
// The log keeps exactly what is needed to reproduce the guide's hooks'
// state from those, and drops only what a later event makes irrelevant to
// them:
//   snapshot, interval_start   replace the hook's whole state: the log
//                              restarts with them (after the latest
//                              `connection`, which only ends loading).
//   connection, progress       the hooks set state from the latest one only
//                              (`progress` replaces the whole progress;
//                              a terminal event reads it, but its effect on
//                              it is overwritten by any later `progress`).
//   job_updated, backtest_updated   an update replaces the rows that match
//                              its key; an earlier update of the same key,
//                              with only updates of other keys since, wrote
//                              exactly those rows: it is dropped.
// Server `error` events are not logged: they end the response and say
// nothing about the state; the reconnect that follows does.

/* List streams whose log grows past this are reopened (see overflowing()). */
const LIMIT = 2000;

const RESETS = new Set(['snapshot', 'interval_start']);
const LATEST = new Set(['connection', 'progress']);

/* An update's key, or null when it has none (then nothing is dropped). */
function updateKey(name, data) {
  try {
    const d = JSON.parse(data);
    if (name === 'job_updated') return [d.job.job_id];
    // The history hook matches a row on either field.
    if (name === 'backtest_updated') return [d.backtest.id, d.backtest.backtest_id];
  } catch {
    // Not JSON, or not an update the hooks know: kept whole.
  }
  return null;
}

/* Whether the keys match the same rows for sure (1), surely other rows (0), or maybe (-1). */
function compareKeys(x, y) {
  if (x.every((v, i) => v === y[i])) return 1;
  if (x.every((v, i) => v !== y[i])) return 0;
  return -1;
}

export class ReplayLog {
  #entries = [];

  #sawSnapshot = false;

  /* Appends an event, dropping what it makes irrelevant. */
  add(entry) {
    const { name } = entry;
    if (RESETS.has(name)) {
      const conn = this.#entries.findLast((e) => e.name === 'connection');
      this.#entries = conn ? [conn] : [];
      this.#sawSnapshot ||= name === 'snapshot';
    } else if (LATEST.has(name)) {
      const i = this.#entries.findLastIndex((e) => e.name === name);
      if (i >= 0) this.#entries.splice(i, 1);
    } else {
      this.#dropUpdate(entry);
    }
    this.#entries.push(entry);
  }

  /* An earlier update of the same key, if only updates of other keys follow it. */
  #dropUpdate(entry) {
    const key = updateKey(entry.name, entry.data);
    if (!key) return;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i];
      if (e.name !== entry.name) return;
      const other = updateKey(e.name, e.data);
      const same = other ? compareKeys(key, other) : -1;
      if (same === 1) {
        this.#entries.splice(i, 1);
        return;
      }
      if (same === -1) return;
    }
  }

  /* The entries to replay, oldest first. */
  entries() {
    return this.#entries;
  }

  /*
   * A list stream's log that has grown past LIMIT: its owner reopens the
   * stream, whose new connection starts with a snapshot (the list hooks
   * take it as a replacement), and clears the log.  Other streams' logs
   * never hold more than a fresh connection would send.
   */
  overflowing() {
    return this.#sawSnapshot && this.#entries.length > LIMIT;
  }

  clear() {
    this.#entries = [];
  }
}
