// resume.mjs: Last-Event-ID resumes exactly: progress and data streams cut at random points (responders killed, clients dropping and coming back with last_event_id), 204 after the end, lists starting with a snapshot, and streams that fell behind a trimmed change log.
import {
	BASE, bs, bsJson, check, checkEq, checkSameSet, cut, engine, engineOnce,
	EventSource, freeBackends, HANG_MS, hookEnv, longSpec, note, now,
	openTracked,
	quiet, random, rawEvents as readEvents, rawGet, rest, run, seed, sleep,
	spec, step, stopOutsideStore, submit, token, waitFor,
} from './client.mjs';
import {
	useBacktestDataSSE, useBacktestHistorySSE, useBacktestJobsSSE,
	useBacktestProgressSSE,
} from './hooks.mjs';

const rnd = random(seed());
const TERMINAL = ['completed', 'failed', 'cancelled'];

// Checks that trades are exactly seq 1..n, equal to the CLI's.
function checkTrades(got, want, what) {
	const seqs = got.map((t) => t.seq);
	const dup = seqs.filter((s, i) => seqs.indexOf(s) !== i);
	check(dup.length === 0, `${what}: no transaction twice`, 'none', dup.join(' '));
	checkEq(seqs, want.map((t) => t.seq), `${what}: transaction seqs`);
	checkEq(got, want, `${what}: the transactions`);
}

// The events of a GET, read until a snapshot or a terminal event (or the
// end of the response; HANG_MS is a hang guard).
function rawEvents(path, opts = {}) {
	return readEvents(path, { ms: HANG_MS, stop: (ev) =>
	    ['snapshot', ...TERMINAL].includes(ev.event), ...opts });
}

/*
 * Follows a progress stream the way a client that drops and comes back
 * does: each connection a fresh EventSource that sends the last id it had
 * as ?last_event_id=, closed after a random while.  Until the terminal
 * event; then once more with its id, which must get 204.
 */
async function followFresh(jobId, tok) {
	const got = { trades: [], terminal: [], connections: 0, lastId: null };
	const t0 = now();
	while (got.terminal.length === 0) {
		check(now() - t0 < HANG_MS, 'the job ends (a hang guard)');
		const q = got.lastId ? `&last_event_id=${encodeURIComponent(got.lastId)}` : '';
		const es = new EventSource(`${BASE}/api/sse/backtest/${jobId}?token=${tok}${q}`);
		const order = [];
		const on = (type, f) => es.addEventListener(type, (e) => {
			got.lastId = e.lastEventId;
			order.push(type);
			f?.(JSON.parse(e.data));
		});
		on('connection');
		on('progress');
		on('transaction', (d) => got.trades.push(...d.transactions));
		for (const t of TERMINAL)
			on(t, (d) => got.terminal.push({ type: t, data: d }));
		await sleep(50 + rnd.int(500));
		es.close();
		got.connections++;
		if (order.length > 0) {
			checkEq(order[0], 'connection', 'a connection begins with connection');
			check(order.length < 2 || order[1] === 'progress',
			    'the current progress follows connection', 'progress', order.join(' '));
		}
	}
	check(got.lastId.endsWith('.end'), 'the terminal id ends in .end', '.end', got.lastId);
	const es = new EventSource(`${BASE}/api/sse/backtest/${jobId}?token=${tok}&last_event_id=${got.lastId}`);
	await waitFor(() => es.readyState === 2, 5000, 'the EventSource to stop');
	checkEq(es.rec.opens.map((o) => o.status), [204], 'a fresh connection after the end');
	es.close();
	return got;
}

async function main() {
	const alice = await token('alice');

	step('progress through the guide\'s hook while its responder is killed (or stopped) at random points');
	for (const signal of ['SIGKILL', 'SIGTERM']) {
		const job = await submit('alice', longSpec());
		const { es, pid: first, result: hook } = await openTracked(() =>
		    useBacktestProgressSSE({ jobId: job.job_id, token: alice }, hookEnv));
		let pid = first;
		const e = engine({ slowMs: 25 });
		let cuts = 0;
		const t0 = now();
		while (!es.messages().some((m) => TERMINAL.includes(m.type))) {
			check(now() - t0 < HANG_MS, 'the job ends (a hang guard)');
			await sleep(100 + rnd.int(400));
			if (es.messages().some((m) => TERMINAL.includes(m.type)))
				break;
			pid = await cut(es, pid, signal);
			cuts++;
			if (pid === null)	// the terminal event came just before
				break;
		}
		checkEq((await e.done).code, 0, 'the engine exit status');
		check(cuts >= 1, 'cuts while the job ran', '>= 1', cuts);
		const want = await bsJson('transactions', job.job_id, '--uid', 'alice');
		const jobNow = await bsJson('job', job.job_id, '--uid', 'alice');
		checkTrades(hook.state.transactions, want, `${signal} cuts`);
		const terminals = es.messages().filter((m) => TERMINAL.includes(m.type));
		checkEq(terminals.map((m) => m.type), ['completed'], 'the terminal event, once');
		checkEq(hook.state.result, jobNow.result_summary, "the hook's result");
		checkEq(hook.state.progress.status, 'completed', "the hook's status");
		// Every reconnect sent the last id the client had.
		for (let i = 1; i < es.rec.opens.length; i++)
			check(es.rec.opens[i].lastEventId !== null, 'a reconnect sends Last-Event-ID',
			    'an id', es.rec.opens[i]);
		note(`${signal}: ${cuts} cuts, ${want.length} transactions in ${es.messages().filter((m) => m.type === 'transaction').length} events, each once`);
		// A cut after the end: the reconnect carries the .end id and gets 204.
		check(es.messages().at(-1).id.endsWith('.end'), 'the last id ends in .end', '.end', es.messages().at(-1).id);
		if (pid !== null)
			checkEq(await cut(es, pid, signal), null, 'a reconnect after the end is refused');
		check(es.rec.opens.at(-1).lastEventId.endsWith('.end'), 'the last reconnect sent the .end id',
		    '.end', es.rec.opens.at(-1).lastEventId);
		checkEq(es.rec.opens.at(-1).status, 204, 'the status of a reconnect after the end');
		checkEq(es.readyState, 2, 'the EventSource stopped');
		// The guide's hook keeps the error of its first onerror (docs).
		checkEq(hook.state.error, 'Failed to connect to job progress', "the hook's error");
		hook.unmount();
	}

	step('progress followed by fresh EventSources that send ?last_event_id=');
	{
		const job = await submit('alice', longSpec({ symbol: 'ACME' }));
		const e = engine({ slowMs: 25 });
		const got = await followFresh(job.job_id, alice);
		checkEq((await e.done).code, 0, 'the engine exit status');
		const want = await bsJson('transactions', job.job_id, '--uid', 'alice');
		checkTrades(got.trades, want, 'fresh connections');
		checkEq(got.terminal.map((t) => t.type), ['completed'], 'the terminal event, once');
		note(`${got.connections} connections, ${want.length} transactions, each once`);
	}

	step('resuming a finished job\'s progress at every kind of id');
	{
		const job = await submit('alice', spec({ strategy: 'rsi_reversion', params: {} }));
		await engineOnce();
		const want = await bsJson('transactions', job.job_id, '--uid', 'alice');
		const path = `/api/sse/backtest/${job.job_id}?token=${alice}`;
		const all = await rawEvents(path);
		const last = all.events.at(-1);
		const n = want.length;
		const seqOf = (ev) => ev.events.filter((x) => x.event === 'transaction')
		    .flatMap((x) => x.data.transactions.map((t) => t.seq));
		for (const [what, hdr] of [['no id', null], ['a malformed id', 'garbage'],
		    ['a malformed three-part id', '1.2.3'], ['a list id', '12']]) {
			const r = await rawEvents(path, { headers: hdr ? { 'Last-Event-ID': hdr } : {} });
			checkEq(r.events.map((x) => x.event).join(' ').replace(/( transaction)+/, ' transaction…'),
			    'connection progress transaction… completed', `events for ${what}`);
			checkEq(seqOf(r), want.map((t) => t.seq), `transactions for ${what}`);
		}
		const k = Math.max(1, n >> 1);
		const mid = await rawEvents(path, { headers: { 'Last-Event-ID': `${last.id.split('.')[0]}.${k}` } });
		checkEq(seqOf(mid), want.slice(k).map((t) => t.seq), `transactions after ${k}`);
		checkEq(mid.events.at(-1).event, 'completed', 'the terminal event after a resume');
		const stale = await rawEvents(path, { headers: { 'Last-Event-ID': `1.${n}` } });
		checkEq(stale.events.map((x) => x.event), ['connection', 'progress', 'completed'],
		    'resumed with every transaction (and an old seq)');
		const byHeader = await rawGet(path, { headers: { 'Last-Event-ID': last.id }, ms: HANG_MS });
		const byQuery = await rawGet(`${path}&last_event_id=${last.id}`, { ms: HANG_MS });
		for (const r of [byHeader, byQuery]) {
			checkEq(r.status, 204, 'a resume at .end');
			checkEq(r.body, '', 'the body of a 204');
		}
	}

	step('lists begin every connection, a resumed one too, with a snapshot');
	for (const path of [`/api/sse/backtest/jobs?token=${alice}&limit=3`,
	    `/api/sse/backtest/history?token=${alice}&limit=2`]) {
		for (const hdr of [null, '1', '999999999', 'garbage', '3.4.end']) {
			const r = await rawEvents(path, { headers: hdr ? { 'Last-Event-ID': hdr } : {} });
			checkEq(r.status, 200, `status with Last-Event-ID ${hdr}`);
			checkEq(r.events.map((x) => x.event), ['connection', 'snapshot'],
			    `events with Last-Event-ID ${hdr}`);
		}
		const r = await rawEvents(`${path}&last_event_id=5`);
		checkEq(r.events.map((x) => x.event), ['connection', 'snapshot'], 'events with ?last_event_id');
	}

	step('data through the guide\'s hook while its responder is killed: it goes on from the last point');
	await freeBackends();
	{
		const job = await submit('alice', longSpec({ symbol: 'GLOBEX' }));
		const limit = 1000000;	// all 98,250
		const want = await bsJson('bars', 'GLOBEX', 'minute', '--from', '2024-01-01',
		    '--to', '2024-12-31', '--limit', String(limit));
		// Ten megabytes: cuts right after a (re)connect land mid-stream.
		const { es, pid: first, result: hook } = await openTracked(() =>
		    useBacktestDataSSE({ id: job.job_id, interval: 'minute', token: alice,
		    limit }, hookEnv), 'interval_start');
		let pid = first, cuts = 0;
		while (!es.messages().some((m) => m.type === 'complete') && cuts < 5) {
			pid = await cut(es, pid);
			cuts++;
			if (pid === null)
				break;
		}
		await es.next('complete', { ms: 30000 });
		checkEq(hook.state.data.length, want.length, 'points the hook holds');
		checkEq(hook.state.data, want, 'the points, each once, in order');
		checkEq(es.messages().filter((m) => m.type === 'interval_start').length, 1,
		    'interval_start events (a resume sends none)');
		note(`${cuts} cuts in a stream of ${want.length} points`);
		hook.unmount();
	}

	step('lists that fell behind a trimmed change log get a fresh snapshot');
	await freeBackends(4);
	{
		const bob = await token('bob');
		const jobs = await openTracked(() => useBacktestJobsSSE({ token: alice, limit: 3 }, hookEnv));
		const history = await openTracked(() => useBacktestHistorySSE({ token: alice, limit: 2 }, hookEnv));
		const queued = await submit('alice', spec());
		const prog = await openTracked(() => useBacktestProgressSSE({ jobId: queued.job_id, token: alice }, hookEnv));
		await prog.es.next('progress');
		await quiet();
		// Stop the three responders; change alice's jobs; let the log age
		// past its retention (1 s) and trim it (the engine trims at start).
		const stopped = [jobs.pid, history.pid, prog.pid];
		for (const p of stopped)
			await stopOutsideStore(p);
		const from = [jobs, history, prog].map((s) => s.es.rec.events.length);
		try {
			await submit('alice', spec({ symbol: 'ACME' }));
			await engineOnce();	// runs both: completed
			await submit('alice', spec({ symbol: 'INITECH' }));
			await submit('bob', spec());
			await sleep(1500);
			await engineOnce();	// trims, then runs the two new ones
		} finally {
			for (const p of stopped)
				process.kill(p, 'SIGCONT');
		}
		await jobs.es.next('snapshot', { from: from[0] });
		await history.es.next('snapshot', { from: from[1] });
		await prog.es.next('completed', { from: from[2] });
		await quiet();
		const jobsEvents = jobs.es.messages(from[0]).map((m) => m.type);
		check(jobsEvents.includes('snapshot'), 'the jobs stream sent a snapshot', 'snapshot', jobsEvents.join(' '));
		checkSameSet(jobs.result.state.jobs, await bsJson('jobs', '--uid', 'alice', '--limit', '3'),
		    'the jobs list after the trim', 'job_id');
		const histEvents = history.es.messages(from[1]).map((m) => m.type);
		check(histEvents.includes('snapshot'), 'the history stream sent a snapshot', 'snapshot', histEvents.join(' '));
		checkSameSet(history.result.state.backtests, (await rest('/api/backtesting/history?limit=2', alice)).body,
		    'the history list after the trim', 'backtest_id');
		const p = prog.result.state;
		checkEq(p.progress?.status, 'completed', "the progress hook's status after the trim");
		checkTrades(p.transactions, await bsJson('transactions', queued.job_id, '--uid', 'alice'),
		    'progress after the trim');
		for (const s of [jobs, history, prog])
			s.result.unmount();
	}

	step("ids count the user's own changes: another user's show in none");
	await freeBackends(2);
	{
		const list = new EventSource(`${BASE}/api/sse/backtest/jobs?token=${alice}&limit=3`);
		const base = Number((await list.next('snapshot')).id);
		const ids = [];
		for (let i = 0; i < 3; i++) {
			const from = list.rec.events.length;
			for (let b = 0; b < 4; b++)
				await submit('bob', spec());
			await submit('alice', spec());
			ids.push(Number((await list.next('job_added', { from })).id));
		}
		checkEq(ids, [base + 1, base + 2, base + 3],
		    "the list's ids after each of alice's submissions, among bob's");
		const job = await submit('alice', spec());
		const prog = new EventSource(`${BASE}/api/sse/backtest/${job.job_id}?token=${alice}`);
		checkEq((await prog.next('progress')).id, `${base + 4}.0`,
		    "the progress stream's first id");
		const from = prog.rec.events.length;
		for (let b = 0; b < 4; b++)
			await submit('bob', spec());
		check((await bs('cancel', job.job_id, '--uid', 'alice')).code === 0, 'cancel');
		const end = (await prog.next('cancelled', { from })).id;
		const s = Number(end.split('.')[0]);
		check(s > base + 4 && s <= base + 6, "the cancelled event's id counts alice's changes only",
		    `${base + 5}.0.end or ${base + 6}.0.end`, end);
		list.close();
		prog.close();
	}
}

run(main, 270000);
