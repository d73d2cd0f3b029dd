// events.mjs: the four streams as the contract and the guide say: event names, fields and order, an id on every event, retry, heartbeats, headers, the hooks' state, and how soon a commit reaches a client.
import {
	bs, bsJson, check, checkEq, checkSameSet, conf, engineOnce,
	EventSource, fail, freeBackends, hookEnv, note, now, parseWire, quiet,
	HANG_MS, rawGet, rest, run, spec, step, submit, token, waitFor,
} from './client.mjs';
import {
	useBacktestHistorySSE, useBacktestJobsSSE, useBacktestProgressSSE,
} from './hooks.mjs';

const cfg = conf();
const HEARTBEAT = cfg.heartbeat;
const RETRY = cfg.retry ?? 3000;

const JOB_FIELDS = ['job_id', 'status', 'progress', 'current_bar',
    'total_bars', 'message', 'symbol', 'interval', 'start_date', 'end_date',
    'strategy', 'params', 'initial_capital', 'commission', 'created_at',
    'started_at', 'finished_at', 'error_message', 'result_summary',
    'backtest_id'];
const BACKTEST_FIELDS = ['id', 'backtest_id', 'job_id', 'symbol', 'status',
    'interval', 'start_date', 'end_date', 'strategy', 'params',
    'result_summary', 'created_at', 'completed_at'];
const PROGRESS_FIELDS = ['status', 'progress', 'current_bar', 'total_bars',
    'message'];
const TRADE_FIELDS = ['seq', 'time', 'side', 'price', 'quantity',
    'commission', 'cash_after', 'reason'];
const POINT_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'];
const SUMMARY_FIELDS = ['initial_capital', 'final_equity',
    'total_return_pct', 'max_drawdown_pct', 'total_trades',
    'winning_trades', 'losing_trades', 'win_rate_pct', 'profit_factor',
    'sharpe_ratio', 'buy_and_hold_return_pct', 'bars_processed'];

function hasFields(obj, fields, what) {
	check(obj && typeof obj === 'object', `${what} is an object`, 'an object', obj);
	const missing = fields.filter((f) => !(f in obj));
	check(missing.length === 0, `${what} has the fields ${fields.join(', ')}`,
	    'none missing', `missing ${missing.join(', ')} in ${JSON.stringify(obj)}`);
}

// The heartbeat comments in a stream's body.
const heartbeatsIn = (body) => (body.match(/^: heartbeat$/gm) ?? []).length;

/*
 * Reads a stream raw until it has sent heartbeats heartbeat comments (a
 * responder sends them only once idle: after every event it had) and
 * checks its framing: the three headers, retry first, then event blocks
 * each with exactly one id, one event and data, and heartbeat comments.
 * Returns { events: [{id, event, data}], heartbeats (their count), res }.
 */
async function wire(path, { heartbeats = 2, headers = {}, what = path } = {}) {
	// Served at once, not queued behind a stream whose client has left.
	await freeBackends(2);
	const res = await rawGet(path, { ms: HANG_MS, headers,
	    until: (body) => heartbeatsIn(body) >= heartbeats });
	check(res.status === 200, `${what}: status`, 200, `${res.status} ${res.body}`);
	check((res.headers['content-type'] ?? '').startsWith('text/event-stream'),
	    `${what}: Content-Type`, 'text/event-stream', res.headers['content-type']);
	checkEq(res.headers['cache-control'], 'no-cache', `${what}: Cache-Control`);
	checkEq(res.headers['x-accel-buffering'], 'no', `${what}: X-Accel-Buffering`);
	check(res.body.startsWith(`retry: ${RETRY}\n\n`), `${what}: retry: first`,
	    `retry: ${RETRY}`, res.body.slice(0, 40));
	const blocks = parseWire(res.body);
	const events = [];
	for (const b of blocks.slice(1)) {
		if (b.fields.length === 0) {
			check(b.comments.length > 0, `${what}: an empty block`, 'none', b.raw);
			continue;
		}
		const ids = b.fields.filter(([n]) => n === 'id');
		const names = b.fields.filter(([n]) => n === 'event');
		const data = b.fields.filter(([n]) => n === 'data');
		check(ids.length === 1 && ids[0][1] !== '', `${what}: one id: on every event`,
		    'one id', b.raw);
		check(names.length === 1, `${what}: one event: on every event`, 'one event', b.raw);
		check(data.length >= 1, `${what}: data: on every event`, 'data', b.raw);
		let parsed;
		try {
			parsed = JSON.parse(data.map(([, v]) => v).join('\n'));
		} catch {
			fail(`${what}: data is JSON`, 'JSON', b.raw);
		}
		events.push({ id: ids[0][1], event: names[0][1], data: parsed });
	}
	return { events, heartbeats: heartbeatsIn(res.body), res };
}

/*
 * Idle, the stream keeps sending heartbeats, and none sooner than every
 * HEARTBEAT ms: no more than the time read allows, however loaded the
 * machine (a load delays them; how late is a speed, not checked).
 */
function checkHeartbeats(w, what) {
	const read = w.res.chunks.at(-1).t;	// when the last heartbeat came
	check(w.heartbeats >= 2, `${what}: heartbeats while idle`, '>= 2',
	    `${w.heartbeats} in ${w.res.body.slice(-200)}`);
	const most = Math.floor((read - w.res.t0) / HEARTBEAT) + 1;
	check(w.heartbeats <= most, `${what}: heartbeats at most every ${HEARTBEAT} ms`,
	    `<= ${most}`, w.heartbeats);
}

function names(events) {
	return events.map((e) => e.event).join(' ');
}

async function main() {
	const alice = await token('alice');
	const bob = await token('bob');

	step('a finished job to look at');
	const done = await submit('alice', spec());
	await engineOnce();
	const doneJob = (await bsJson('job', done.job_id, '--uid', 'alice'));
	checkEq(doneJob.status, 'completed', 'the job completed');
	const doneTrades = await bsJson('transactions', done.job_id, '--uid', 'alice');
	check(doneTrades.length > 0, 'the job made transactions', '> 0', doneTrades.length);

	step('jobs stream on the wire: headers, retry, ids, connection then snapshot, heartbeats');
	{
		const w = await wire(`/api/sse/backtest/jobs?token=${alice}&limit=3`);
		checkEq(names(w.events), 'connection snapshot', 'events of an idle jobs stream');
		hasFields(w.events[1].data, ['jobs'], 'snapshot');
		checkEq(w.events[1].data.jobs, await bsJson('jobs', '--uid', 'alice', '--limit', '3'),
		    'the snapshot is the CLI list');
		hasFields(w.events[1].data.jobs[0], JOB_FIELDS, 'a snapshot job');
		checkHeartbeats(w, 'jobs');
	}

	step('the token as Authorization: Bearer, and the filter in connection');
	{
		const w = await wire('/api/sse/backtest/jobs?status_filter=completed&limit=5',
		    { headers: { Authorization: `Bearer ${alice}` }, heartbeats: 1 });
		checkEq(names(w.events), 'connection snapshot', 'events with a bearer token');
		checkEq(w.events[1].data.jobs.map((j) => j.status), ['completed'],
		    'the completed filter');
		const b = await wire('/api/sse/backtest/jobs', { headers:
		    { Authorization: `Bearer ${bob}` }, heartbeats: 1 });
		checkEq(b.events[1].data.jobs, [], "bob's jobs: none of alice's");
	}

	step('history stream on the wire');
	{
		const w = await wire(`/api/sse/backtest/history?token=${alice}&limit=2`);
		checkEq(names(w.events), 'connection snapshot', 'events of an idle history stream');
		hasFields(w.events[1].data, ['backtests'], 'history snapshot');
		const bt = w.events[1].data.backtests;
		checkEq(bt.length, 1, 'history entries');
		hasFields(bt[0], BACKTEST_FIELDS, 'a backtest');
		checkEq(bt[0].backtest_id, doneJob.backtest_id, 'the backtest id');
		checkEq(bt[0].result_summary, doneJob.result_summary, 'the backtest summary');
		const restHistory = await rest('/api/backtesting/history?limit=2', alice);
		checkEq(bt, restHistory.body, 'the snapshot is the REST history');
		checkHeartbeats(w, 'history');
	}

	step("progress stream of a finished job on the wire: everything, then heartbeats");
	{
		const w = await wire(`/api/sse/backtest/${done.job_id}?token=${alice}`);
		const ev = w.events;
		check(/^connection progress (transaction )+completed$/.test(names(ev)),
		    'events of a finished job', 'connection progress transaction… completed', names(ev));
		hasFields(ev[1].data, PROGRESS_FIELDS, 'progress');
		checkEq(ev[1].data.status, 'completed', 'progress status');
		checkEq(ev[1].data.progress, 100, 'progress percent');
		const trades = ev.filter((e) => e.event === 'transaction')
		    .flatMap((e) => e.data.transactions);
		checkEq(trades, doneTrades, 'the transactions are the CLI\'s');
		for (const t of trades)
			hasFields(t, TRADE_FIELDS, 'a transaction');
		const last = ev[ev.length - 1];
		hasFields(last.data, ['result_summary'], 'completed');
		hasFields(last.data.result_summary, SUMMARY_FIELDS, 'result_summary');
		checkEq(last.data.result_summary, doneJob.result_summary, 'the summary');
		check(last.id.endsWith('.end'), 'the terminal event id ends in .end', '…​.end', last.id);
		checkEq(last.id.split('.')[1], String(doneTrades.length),
		    'the terminal id counts the transactions');
		checkHeartbeats(w, 'progress');
	}

	step('data stream on the wire');
	{
		const w = await wire(`/api/sse/backtest/${done.job_id}/data?token=${alice}&interval=day&limit=50&chunk_size=20`);
		const ev = w.events;
		checkEq(names(ev), 'interval_start data_chunk data_chunk data_chunk complete',
		    'events of a data stream');
		hasFields(ev[0].data, ['total_points'], 'interval_start');
		checkEq(ev[0].data.total_points, 50, 'total_points');
		for (const c of ev.slice(1, 4)) {
			hasFields(c.data, ['data_points', 'points_sent', 'total_points'], 'data_chunk');
			for (const p of c.data.data_points)
				hasFields(p, POINT_FIELDS, 'a point');
		}
		checkEq(ev.slice(1, 4).map((c) => c.data.points_sent), [20, 40, 50], 'points_sent');
		hasFields(ev[4].data, ['total_points'], 'complete');
		check(ev[4].id.endsWith('.end'), 'the complete id ends in .end', '.end', ev[4].id);
		const bars = await bsJson('bars', 'DEMO', 'day', '--from', '2024-01-01',
		    '--to', '2024-06-30', '--limit', '50');
		checkEq(ev.slice(1, 4).flatMap((c) => c.data.data_points), bars,
		    'the points are the CLI\'s bars');
		checkHeartbeats(w, 'data');
	}

	step('the hooks, live: a job submitted, run and completed');
	await freeBackends();
	const jobs = useBacktestJobsSSE({ token: alice, limit: 5 }, hookEnv);
	const history = useBacktestHistorySSE({ token: alice, limit: 5 }, hookEnv);
	const jobsEs = jobs.eventSourceRef.current;
	const historyEs = history.eventSourceRef.current;
	await jobsEs.next('snapshot');
	await historyEs.next('snapshot');
	check(!jobs.state.loading && jobs.state.error === null, 'the jobs hook is ready',
	    'loading false, error null', jobs.state);
	checkEq(jobs.state.jobs.map((j) => j.job_id), [done.job_id], "the jobs hook's list");
	const live = await submit('alice', spec({ strategy: 'ema_crossover', params: {} }));
	const progress = useBacktestProgressSSE({ jobId: live.job_id, token: alice }, hookEnv);
	const progressEs = progress.eventSourceRef.current;
	await progressEs.next('progress');
	checkEq(progress.state.progress.status, 'queued', 'progress of a queued job');
	const mark = jobsEs.rec.events.length;
	await engineOnce();
	await progressEs.next('completed');
	await quiet();
	const liveJob = await bsJson('job', live.job_id, '--uid', 'alice');
	const liveTrades = await bsJson('transactions', live.job_id, '--uid', 'alice');
	// The jobs stream: job_updated through running to completed, in order.
	const updates = jobsEs.messages(mark).filter((e) => e.type === 'job_updated')
	    .map((e) => JSON.parse(e.data).job);
	// Changes that come together may be sent as one (the latest).
	check(updates.length >= 1, 'job_updated events while it ran', '>= 1', updates.length);
	if (updates.length > 1)
		checkEq(updates[0].status, 'running', 'the first update');
	checkEq(updates[updates.length - 1], liveJob, 'the last update is the job');
	for (let i = 1; i < updates.length; i++)
		check(updates[i].progress >= updates[i - 1].progress, 'progress only grows',
		    `>= ${updates[i - 1].progress}`, updates[i].progress);
	checkSameSet(jobs.state.jobs, await bsJson('jobs', '--uid', 'alice', '--limit', '5'),
	    "the jobs hook's list", 'job_id');
	// The history stream: backtest_added.
	const added = historyEs.messages().filter((e) => e.type === 'backtest_added');
	checkEq(added.length, 1, 'backtest_added events');
	checkEq(JSON.parse(added[0].data).backtest.backtest_id, liveJob.backtest_id,
	    'the added backtest');
	checkSameSet(history.state.backtests, (await rest('/api/backtesting/history?limit=5', alice)).body,
	    "the history hook's list", 'backtest_id');
	// The progress stream: in order, the terminal event once and last.
	const seq = progressEs.messages().map((e) => e.type);
	check(/^connection progress (progress |transaction )*completed$/.test(seq.join(' ')),
	    'progress events in order', 'connection progress… transaction… completed', seq.join(' '));
	checkEq(progress.state.transactions, liveTrades, "the progress hook's transactions");
	checkEq(progress.state.result, liveJob.result_summary, "the progress hook's result");
	checkEq(progress.state.progress.status, 'completed', "the progress hook's status");
	checkEq(progress.state.progress.progress, 100, "the progress hook's percent");
	checkEq([progress.state.loading, progress.state.error], [false, null],
	    "the progress hook's loading and error");
	const pe = progressEs.messages().filter((e) => e.type === 'progress')
	    .map((e) => JSON.parse(e.data));
	for (const p of pe)
		hasFields(p, PROGRESS_FIELDS, 'a progress event');
	progress.unmount();

	step('a failed job: failed {error_message}, and the hook shows it');
	{
		const bad = await submit('alice', spec({ start_date: '2023-01-01', end_date: '2023-01-31' }));
		const h = useBacktestProgressSSE({ jobId: bad.job_id, token: alice }, hookEnv);
		await h.eventSourceRef.current.next('progress');
		await engineOnce();
		const ev = await h.eventSourceRef.current.next('failed');
		const data = JSON.parse(ev.data);
		hasFields(data, ['error_message'], 'failed');
		check(/no day bars of DEMO/.test(data.error_message), 'the error message',
		    'no day bars of DEMO…', data.error_message);
		check(ev.id.endsWith('.end'), 'the failed event id ends in .end', '.end', ev.id);
		checkEq(h.state.error, data.error_message, "the hook's error");
		checkEq(h.state.progress.status, 'failed', "the hook's status");
		h.unmount();
	}

	step('a cancelled job: cancelled, and the hook shows it');
	{
		const c = await submit('alice', spec());
		const h = useBacktestProgressSSE({ jobId: c.job_id, token: alice }, hookEnv);
		await h.eventSourceRef.current.next('progress');
		check((await bs('cancel', c.job_id, '--uid', 'alice')).code === 0, 'cancel');
		const ev = await h.eventSourceRef.current.next('cancelled');
		check(ev.id.endsWith('.end'), 'the cancelled event id ends in .end', '.end', ev.id);
		checkEq(h.state.progress.status, 'cancelled', "the hook's status");
		checkEq(h.state.error, null, "the hook's error");
		h.unmount();
	}

	step('a job deleted under its progress stream: error not_found with an id, then 404');
	{
		const d = await submit('alice', spec());
		let rawBody = '';
		const raw = rawGet(`/api/sse/backtest/${d.job_id}?token=${alice}`,
		    { ms: HANG_MS, onData: (body) => { rawBody = body; } });
		const es = new EventSource(`${hookEnv.base}/api/sse/backtest/${d.job_id}?token=${alice}`);
		await es.next('progress');
		await waitFor(() => /^event: progress$/m.test(rawBody), HANG_MS,
		    'the raw client\'s progress event');
		check((await bs('delete', d.job_id, '--uid', 'alice')).code === 0, 'delete');
		const r = await raw;
		check(r.ended, 'the response ends after the error', 'ended', r.body.slice(-300));
		const blocks = parseWire(r.body).filter((b) => b.fields.length > 0);
		const last = blocks[blocks.length - 1];
		checkEq(Object.fromEntries(last.fields.filter(([n]) => n !== 'data')).event,
		    'error', 'the last event');
		check(last.fields.some(([n, v]) => n === 'id' && v !== ''),
		    'the error event has an id', 'id: …', last.raw);
		const data = JSON.parse(last.fields.find(([n]) => n === 'data')[1]);
		checkEq(data.code, 'not_found', 'the error code');
		hasFields(data, ['code', 'message'], 'the error event');
		await waitFor(() => es.readyState === 2, RETRY + 5000, 'the EventSource to give up');
		checkEq(es.rec.opens.map((o) => o.status), [200, 404], 'the statuses it got');
		es.close();
	}

	step('commit to event: how soon a change reaches an open stream');
	{
		const lat = [];
		for (let i = 0; i < 10; i++) {
			const from = jobsEs.rec.events.length;
			const t0 = now();
			const j = await submit('alice', spec());
			const t1 = now();
			const ev = await jobsEs.next('job_added', { from, ms: 5000,
			    pred: (e) => JSON.parse(e.data).job.job_id === j.job_id });
			lat.push({ fromStart: ev.t - t0, fromExit: ev.t - t1 });
			const from2 = jobsEs.rec.events.length;
			const t2 = now();
			await bs('cancel', j.job_id, '--uid', 'alice');
			const t3 = now();
			const ev2 = await jobsEs.next('job_updated', { from: from2, ms: 5000,
			    pred: (e) => JSON.parse(e.data).job.status === 'cancelled' });
			lat.push({ fromStart: ev2.t - t2, fromExit: ev2.t - t3 });
		}
		const s = lat.map((l) => l.fromStart).sort((a, b) => a - b);
		const e = lat.map((l) => l.fromExit).sort((a, b) => a - b);
		const ms = (x) => `${x.toFixed(1)} ms`;
		note(`event after the CLI started (process start, store open, commit, wake, send): min ${ms(s[0])}, median ${ms(s[s.length >> 1])}, max ${ms(s[s.length - 1])}`);
		note(`event after the CLI's exit was seen: min ${ms(e[0])}, median ${ms(e[e.length >> 1])}, max ${ms(e[e.length - 1])} (negative: it came first)`);
		// How soon is bench-streams' to measure; that every event came
		// by its wake, next() shows: the poll (sse-events.sh) is far
		// past its hang guard.
	}

	step("the hooks' state after all that");
	await quiet();
	checkSameSet(jobs.state.jobs, await bsJson('jobs', '--uid', 'alice', '--limit', '5'),
	    "the jobs hook's list", 'job_id');
	checkEq([jobs.state.loading, jobs.state.error], [false, null], "the jobs hook's loading and error");
	for (const h of [jobs, history])
		check(!h.log.some((l) => l.level === 'error'), `no errors logged by the ${h.name} hook`,
		    'none', h.log);
	jobs.unmount();
	history.unmount();
}

run(main, 200000);
