// lifetime.mjs: how streams end: rotation after their lifetime (resumed with nothing lost), a client that leaves (its process back in the pool within a heartbeat), an expiring token, and SIGTERM to a responder.
//
// Usage: lifetime.mjs rotation	(with a stream_lifetime of a few seconds)
//        lifetime.mjs ends	(with the default lifetime)
import fs from 'node:fs';
import {
	alive, backends, BASE, HANG_MS, bsJson, busyBackends, check, checkEq,
	checkSameSet, conf, cut, engine, EventSource, hookEnv, longSpec, note,
	now, openTracked, parseWire, quiet, rawGet, rest, run, sleep, spec,
	step, submit, TMP, token, waitFor,
} from './client.mjs';
import {
	useBacktestDataSSE, useBacktestHistorySSE, useBacktestJobsSSE,
	useBacktestProgressSSE,
} from './hooks.mjs';

const cfg = conf();
const TERMINAL = ['completed', 'failed', 'cancelled'];
const ms = (x) => `${Math.round(x)} ms`;

// How long each of a stream's connections lasted: from its request to the
// error event an EventSource fires when the response ends.
function connectionSpans(es) {
	const spans = [];
	let open = null;
	for (const e of es.rec.events) {
		// From the request, not the open event: the server counts the
		// lifetime from the request too, token check included (seconds
		// under ASan on a loaded machine).
		if (e.type === 'open')
			open = es.rec.opens.filter((o) => o.t <= e.t).at(-1)?.t ?? e.t;
		else if (e.type === 'error' && !e.message && open !== null) {
			spans.push(e.t - open);
			open = null;
		}
	}
	return spans;
}

async function rotation() {
	const life = cfg.stream_lifetime, jitter = cfg.stream_jitter;
	const alice = await token('alice');

	step(`a raw stream ends itself cleanly after ${life - jitter}…${life} ms`);
	{
		const r = await rawGet(`/api/sse/backtest/jobs?token=${alice}`, { ms: HANG_MS });
		check(r.ended, 'the response ended', 'ended', r.body.slice(-200));
		// Until the end itself: the last bytes may come well before it.
		const took = (r.tEnd ?? r.chunks.at(-1).t) - r.t0;
		// Not before its lifetime; how soon after is a speed (a load
		// delays the end and its sight), printed, not checked.
		note(`the raw stream ended after ${ms(took)}`);
		check(took >= life - jitter - 100, 'its lifetime',
		    `at least ${life - jitter} ms`, ms(took));
		check(r.body.endsWith('\n\n'), 'it ends between events', '…\\n\\n', JSON.stringify(r.body.slice(-40)));
		const last = parseWire(r.body).at(-1);
		check(last.fields.length === 0 || last.fields.some(([n]) => n === 'data'),
		    'no event cut short', 'a whole event or a comment', last.raw);
	}

	step('a job that runs across several rotations, watched by the guide\'s hooks');
	const job = await submit('alice', longSpec());
	const progress = useBacktestProgressSSE({ jobId: job.job_id, token: alice }, hookEnv);
	const jobs = useBacktestJobsSSE({ token: alice, limit: 3 }, hookEnv);
	const history = useBacktestHistorySSE({ token: alice, limit: 2 }, hookEnv);
	const pes = progress.eventSourceRef.current;
	await pes.next('progress');
	const t0 = now();
	// A run of at least seven seconds, held after its first transaction
	// (the worker stops at its next clock read, outside any transaction)
	// until the stream has rotated twice: rotations mid-run however slow
	// the machine makes them.
	const hold = `${TMP}/engine-hold`;
	const e = engine({ slowMs: 70, hold });
	await pes.next('transaction');
	fs.writeFileSync(hold, '');
	const opens = pes.rec.opens.length;
	await waitFor(() => pes.rec.opens.length >= opens + 2, HANG_MS,
	    'two rotations with the job held mid-run');
	checkEq((await bsJson('job', job.job_id, '--uid', 'alice')).status, 'running',
	    'the job, held mid-run');
	fs.unlinkSync(hold);
	await pes.next('completed');
	checkEq((await e.done).code, 0, 'the engine exit status');
	const ran = now() - t0;
	await quiet();
	const want = await bsJson('transactions', job.job_id, '--uid', 'alice');
	const jobNow = await bsJson('job', job.job_id, '--uid', 'alice');
	const rotations = pes.rec.opens.length - 1;
	note(`the job ran ${ms(ran)}; its progress stream rotated ${rotations} times; connections lasted ${connectionSpans(pes).map(ms).join(', ')}`);
	check(rotations >= 2, 'rotations while the job ran', '>= 2', rotations);
	// Not before its lifetime; how soon after is a speed (noted above).
	for (const span of connectionSpans(pes))
		check(span >= life - jitter - 100, 'a connection\'s life',
		    `at least ${life - jitter} ms`, ms(span));
	for (const o of pes.rec.opens.slice(1)) {
		check(o.lastEventId !== null, 'each reconnect sends Last-Event-ID', 'an id', o);
		// 204 once the client has the terminal event (checked below).
		if (!o.lastEventId.endsWith('.end'))
			checkEq(o.status, 200, 'the status of a reconnect');
	}
	const seqs = progress.state.transactions.map((t) => t.seq);
	checkEq(seqs, want.map((t) => t.seq), 'the transactions, each once, across rotations');
	checkEq(progress.state.transactions, want, 'the transactions');
	checkEq(pes.messages().filter((m) => TERMINAL.includes(m.type)).map((m) => m.type),
	    ['completed'], 'the terminal event, once');
	checkEq(progress.state.result, jobNow.result_summary, "the progress hook's result");
	checkEq(progress.state.progress.status, 'completed', "the progress hook's status");
	checkSameSet(jobs.state.jobs, await bsJson('jobs', '--uid', 'alice', '--limit', '3'),
	    "the jobs hook's list", 'job_id');
	checkSameSet(history.state.backtests, (await rest('/api/backtesting/history?limit=2', alice)).body,
	    "the history hook's list", 'backtest_id');
	// The guide's list hooks set an error at every reconnect and clear it at
	// the snapshot that follows; streams rotate every few seconds, and the
	// checks above take a while on a busy machine: wait for that snapshot.
	for (const h of [jobs, history])
		await waitFor(() => h.state.error === null, 15000,
		    `the ${h.name} hook's error cleared by its snapshot after a rotation`);

	step('after the terminal event a rotation ends the stream for good: 204');
	await waitFor(() => pes.readyState === 2, life + 3000, 'the progress EventSource to stop');
	checkEq(pes.rec.opens.at(-1).status, 204, 'the status after the end');
	check(pes.rec.opens.at(-1).lastEventId.endsWith('.end'), 'it asked with the .end id', '.end',
	    pes.rec.opens.at(-1).lastEventId);
	checkEq(progress.state.error, 'Failed to connect to job progress',
	    "the progress hook's error (the guide never clears it)");

	step('a data stream: complete, then heartbeats until its lifetime ends, then 204');
	{
		const data = useBacktestDataSSE({ id: jobNow.backtest_id, interval: '15minute',
		    token: alice, limit: 500 }, hookEnv);
		const des = data.eventSourceRef.current;
		await des.next('complete');
		const want15 = await bsJson('bars', 'DEMO', '15minute', '--from', '2024-01-01',
		    '--to', '2024-12-31', '--limit', '500');
		await waitFor(() => des.readyState === 2, life + 3000, 'the data EventSource to stop');
		checkEq(des.rec.opens.map((o) => o.status), [200, 204], 'the data stream\'s statuses');
		checkEq(data.state.data, want15, "the data hook's points");
		checkEq(data.state.loading, false, "the data hook's loading");
		data.unmount();
	}
	for (const h of [progress, jobs, history])
		h.unmount();
}

// The expiry of a JWT, in ms.
function expiry(tok) {
	return JSON.parse(Buffer.from(tok.split('.')[1], 'base64url').toString()).exp * 1000;
}

async function ends() {
	const alice = await token('alice');

	step('a client that goes away frees its process within a heartbeat');
	{
		const pool = backends();
		const open = [];
		for (let i = 0; i < pool.length; i++)
			open.push(await openTracked(() => new EventSource(
			    `${BASE}/api/sse/backtest/jobs?token=${alice}`)));
		checkEq(busyBackends().size, pool.length, 'busy responders with the pool full');
		for (let round = 0; round < 3; round++) {
			// lighttpd hands a request to a busy responder's queue
			// when all are busy, so the next stream waits for this
			// one's process to be free.
			const leaving = open.splice(round % open.length, 1)[0];
			const t0 = now();
			leaving.es.close();
			await waitFor(() => !busyBackends().has(leaving.pid), cfg.heartbeat * 3,
			    'the process of the client that left to be free');
			const freed = now() - t0;
			const next = await openTracked(() => new EventSource(
			    `${BASE}/api/sse/backtest/history?token=${alice}`));
			const served = next.at - t0;
			note(`a client left: its process was free after ${ms(freed)}, the next stream served after ${ms(served)} (heartbeat ${cfg.heartbeat} ms)`);
			// Freed at all: only a heartbeat's failed write frees it
			// before the stream's lifetime (55 min); how soon is a speed.
			checkEq(next.pid, leaving.pid, 'the process that serves the next stream');
			open.push(next);
		}
		checkEq(backends().sort(), pool.sort(), 'the same responders (none died)');
		for (const o of open)
			o.es.close();
		await waitFor(() => busyBackends().size === 0, cfg.heartbeat * 3,
		    'every responder to be free again');
	}

	step('a token that expires ends the stream with token_expired; the reconnect gets 401');
	{
		const short = await token('alice', 2);
		const end = expiry(short) + (cfg.token_expiry_leeway || 0);
		const raw = rawGet(`/api/sse/backtest/jobs?token=${short}`, { ms: HANG_MS });
		const jobs = useBacktestJobsSSE({ token: short, limit: 3 }, hookEnv);
		const job = await submit('alice', spec());
		const progress = useBacktestProgressSSE({ jobId: job.job_id, token: short }, hookEnv);
		const streams = [jobs.eventSourceRef.current, progress.eventSourceRef.current];
		for (const es of streams) {
			const ev = await es.next('error', { ms: 10000, pred: (x) => x.message });
			const at = Date.now();
			const data = JSON.parse(ev.data);
			checkEq(data.code, 'token_expired', 'the error code');
			check(typeof data.message === 'string' && data.message !== '', 'a message', 'text', data);
			// Not before the token's end; how soon after is a speed.
			check(at >= end - 50, 'when the stream ended',
			    `after the token's end (exp + leeway) ${new Date(end).toISOString()}`,
			    new Date(at).toISOString());
			await waitFor(() => es.readyState === 2, 5000, 'the EventSource to stop');
			checkEq(es.rec.opens.map((o) => o.status), [200, 401], 'the statuses');
		}
		const r = await raw;
		check(r.ended, 'the raw response ended', 'ended', r.body.slice(-200));
		const last = parseWire(r.body).filter((b) => b.fields.length > 0).at(-1);
		checkEq(last.fields.filter(([n]) => n !== 'data'),
		    [['id', last.fields[0][1]], ['event', 'error']], 'the last event: an id, then error');
		check(last.fields[0][1] !== '', 'the error event has an id', 'an id', last.raw);
		// The guide's jobs hook after the 401: the error, then loading
		// again after its 5 s timer (docs/streams.md).
		checkEq(jobs.state.error, 'Failed to connect to job listings', "the jobs hook's error");
		await sleep(5200);
		checkEq(jobs.state.loading, true, "the jobs hook's loading after its timer (the guide's quirk)");
		jobs.unmount();
		progress.unmount();
	}

	step('SIGTERM to a responder mid-stream ends the stream cleanly; the client resumes');
	{
		const job = await submit('alice', longSpec({ symbol: 'ACME' }));
		const { es, pid, result: hook } = await openTracked(() =>
		    useBacktestProgressSSE({ jobId: job.job_id, token: alice }, hookEnv));
		// A raw client too, to see the bytes of the end.
		const rawBytes = rawGet(`/api/sse/backtest/${job.job_id}?token=${alice}`, { ms: HANG_MS });
		const busy = await waitFor(() => {
			const b = [...busyBackends()].filter((p) => p !== pid);
			return b.length === 1 ? b : null;
		}, 3000, 'the raw client\'s responder');
		const e = engine({ slowMs: 25 });
		await es.next('transaction', { ms: 20000 });
		const before = es.rec.opens.length;
		const next = await cut(es, pid, 'SIGTERM');
		check(next !== null && next !== pid, 'another responder serves the reconnect', 'a new pid', next);
		await waitFor(() => !alive(pid), 3000, 'the responder to exit after SIGTERM');
		process.kill(busy[0], 'SIGTERM');
		const r = await rawBytes;
		check(r.ended && r.body.endsWith('\n\n'), 'the raw stream ended between events',
		    'ended, …\\n\\n', JSON.stringify(r.body.slice(-60)));
		await es.next('completed', { ms: 60000 });
		checkEq((await e.done).code, 0, 'the engine exit status');
		checkEq(es.rec.opens.length, before + 1, 'one reconnect');
		checkEq(hook.state.transactions, await bsJson('transactions', job.job_id, '--uid', 'alice'),
		    'the transactions after the SIGTERM');
		// An idle responder leaves on SIGTERM too, and lighttpd starts another.
		const idle = backends().find((p) => !busyBackends().has(p));
		process.kill(idle, 'SIGTERM');
		await waitFor(() => !alive(idle), 3000, 'an idle responder to exit after SIGTERM');
		hook.unmount();
	}
}

const mode = process.argv[2];
run(mode === 'rotation' ? rotation : ends, 200000);
