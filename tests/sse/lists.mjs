// lists.mjs: the jobs and history lists the guide's hooks hold stay equal to the REST and CLI lists while jobs of three users are created, run, finished, cancelled and deleted at random, and while responders are killed under them.
import fs from 'node:fs';
import {
	backends, bs, bsJson, canonical, check, checkEq, cut, engine,
	engineOnce, fail, HANG_MS, hookEnv, longSpec, note, openTracked,
	quiet, random, rest, run, seed, spec, step, stopEngine, submit, TMP,
	token, waitFor,
} from './client.mjs';
import { useBacktestHistorySSE, useBacktestJobsSSE } from './hooks.mjs';

const ROUNDS = Number(process.env.SSE_ROUNDS || 10);
const rnd = random(seed());
const USERS = ['alice', 'bob', 'carol'];
const SYMBOLS = ['DEMO', 'ACME', 'GLOBEX', 'INITECH'];

// The views held open: every filter, several limits, every user.
const VIEWS = [
	{ uid: 'alice', kind: 'jobs', limit: 3 },
	{ uid: 'alice', kind: 'jobs', status: 'queued', limit: 2 },
	{ uid: 'alice', kind: 'jobs', status: 'completed', limit: 5 },
	{ uid: 'alice', kind: 'jobs', status: 'running', limit: 2 },
	{ uid: 'alice', kind: 'history', limit: 2 },
	{ uid: 'bob', kind: 'jobs' },
	{ uid: 'bob', kind: 'jobs', status: 'cancelled', limit: 2 },
	{ uid: 'bob', kind: 'history', limit: 3 },
	{ uid: 'carol', kind: 'jobs', status: 'failed', limit: 3 },
	{ uid: 'carol', kind: 'history', limit: 1 },
];

const tokens = {};
const label = (v) => `${v.uid} ${v.kind}` + (v.status ? ` ${v.status}` : '') +
    ` limit ${v.limit ?? 10}`;

function randomSpec() {
	const roll = rnd.next();
	if (roll < 0.15)	// no bars in range: the job fails
		return spec({ symbol: rnd.pick(SYMBOLS), start_date: '2023-03-01',
		    end_date: '2023-03-31' });
	const strategy = rnd.pick(['buy_and_hold', 'sma_crossover',
	    'ema_crossover', 'rsi_reversion']);
	const params = strategy === 'sma_crossover' ? { fast: 3 + rnd.int(5), slow: 15 + rnd.int(10) } : {};
	const month = 1 + rnd.int(6);
	return spec({ symbol: rnd.pick(SYMBOLS), strategy, params,
	    start_date: `2024-0${month}-01`, end_date: `2024-${String(month + 5).padStart(2, '0')}-28` });
}

// The truth: the CLI's list (and the REST API's, which must agree).
async function truth(v) {
	const limit = v.limit ?? 10;
	if (v.kind === 'history') {
		const r = await rest(`/api/backtesting/history?limit=${limit}`, tokens[v.uid]);
		check(r.status === 200, `REST history of ${v.uid}`, 200, r.status);
		return r.body;
	}
	const args = ['jobs', '--uid', v.uid, '--limit', String(limit)];
	if (v.status)
		args.push('--status', v.status);
	const cli = await bsJson(...args);
	const r = await rest(`/api/backtesting/jobs?limit=${limit}` +
	    (v.status ? `&status_filter=${v.status}` : ''), tokens[v.uid]);
	checkEq(r.body, cli, `REST and CLI lists of ${label(v)}`);
	return cli;
}

function held(v) {
	return v.kind === 'history' ? v.hook.state.backtests : v.hook.state.jobs;
}

function keyOf(v) {
	return v.kind === 'history' ? 'backtest_id' : 'job_id';
}

/*
 * At a quiet moment every hook's list is the truth, as a set of equal
 * objects; its loading is false and its error null.
 */
async function compareAll(when) {
	await quiet(500);
	const opens = VIEWS.map((v) => v.es.rec.opens.length);
	const bad = [];
	for (const v of VIEWS) {
		const want = await truth(v);
		const have = held(v);
		const same = canonical(want.map(canonical).sort()) ===
		    canonical(have.map(canonical).sort());
		if (!same)
			bad.push({ v, want, have });
		check(v.hook.state.loading === false && v.hook.state.error === null,
		    `${label(v)}: the hook is loaded without error (${when})`,
		    'loading false, error null', v.hook.state);
		if (v.kind === 'jobs')
			check(have.length <= (v.limit ?? 10), `${label(v)} holds at most limit`,
			    v.limit ?? 10, have.length);
	}
	// A stream that reconnected meanwhile was not quiet: look again.
	if (bad.length > 0 && VIEWS.some((v, i) => v.es.rec.opens.length !== opens[i]))
		return compareAll(when);
	if (bad.length > 0) {
		const { v, want, have } = bad[0];
		const k = keyOf(v);
		const lastEvents = v.es.rec.events.slice(-8).map((e) => `${e.type} ${e.id ?? ''} ${(e.data ?? '').slice(0, 160)}`);
		fail(`${bad.length} list(s) differ from the truth (${when}); first: ${label(v)}\n` +
		    `  its last events:\n    ${lastEvents.join('\n    ')}`,
		    want.map((x) => `${x[k]} ${x.status}`).join(', '),
		    have.map((x) => `${x[k]} ${x.status}`).join(', '));
	}
	return VIEWS.reduce((n, v) => n + held(v).length, 0);
}

async function jobsOf(uid) {
	return bsJson('jobs', '--uid', uid, '--limit', '500');
}

// Kills the responder serving v's stream; the hook's EventSource
// reconnects and starts again from a snapshot.
async function killStream(v) {
	const from = v.es.rec.events.length;
	v.pid = await cut(v.es, v.pid);
	check(v.pid !== null, `${label(v)} reconnects`, 200, v.es.rec.opens.at(-1).status);
	await v.es.next('snapshot', { from, ms: 15000 });
}

async function main() {
	for (const u of USERS)
		tokens[u] = await token(u);

	step('open the views through the guide\'s hooks, one at a time');
	for (const v of VIEWS) {
		const { es, pid, result } = await openTracked(() => v.kind === 'jobs' ?
		    useBacktestJobsSSE({ token: tokens[v.uid], statusFilter: v.status,
		    ...(v.limit ? { limit: v.limit } : {}) }, hookEnv) :
		    useBacktestHistorySSE({ token: tokens[v.uid], limit: v.limit }, hookEnv));
		Object.assign(v, { es, pid, hook: result });
		await es.next('snapshot');
	}
	note(`responders: ${VIEWS.map((v) => v.pid).join(' ')}`);
	await compareAll('empty store');

	const counts = { submit: 0, cancel: 0, delete: 0, run: 0, paused: 0, kill: 0 };
	const hold = `${TMP}/engine-hold`;
	for (let round = 1; round <= ROUNDS; round++) {
		step(`round ${round} of ${ROUNDS}`);
		const ops = 3 + rnd.int(6);
		const did = [];
		for (let i = 0; i < ops; i++) {
			const uid = rnd.pick(USERS);
			const roll = rnd.next();
			if (roll < 0.4) {
				const n = 1 + rnd.int(3);
				for (let k = 0; k < n; k++)
					await submit(uid, randomSpec());
				counts.submit += n;
				did.push(`submit ${n} for ${uid}`);
			} else if (roll < 0.55) {
				const q = (await jobsOf(uid)).filter((j) => j.status === 'queued');
				if (q.length === 0)
					continue;
				const j = rnd.pick(q);
				checkEq((await bs('cancel', j.job_id, '--uid', uid)).code, 0, 'cancel');
				counts.cancel++;
				did.push(`cancel a queued job of ${uid}`);
			} else if (roll < 0.75) {
				const all = await jobsOf(uid);
				if (all.length === 0)
					continue;
				const j = rnd.pick(all);
				checkEq((await bs('delete', j.job_id, '--uid', uid)).code, 0, 'delete');
				counts.delete++;
				did.push(`delete a ${j.status} job of ${uid}`);
			} else if (roll < 0.9) {
				await engineOnce();
				counts.run++;
				did.push('run the engine');
			} else {
				// A job stopped while running: a quiet moment with
				// something in the running view.  At 300 bars a
				// second its run outlasts any wait of this test, so
				// that it is still running when held (at its next
				// clock read, within 1024 bars); then its engine is
				// stopped, which queues it again.  The queue is
				// emptied first: a slowed engine takes the oldest.
				await engineOnce();
				const long = await submit(uid, longSpec({ symbol: rnd.pick(SYMBOLS) }));
				const e = engine({ barRate: 300, hold });
				await waitFor(async () => (await bsJson('job', long.job_id,
				    '--uid', uid)).status === 'running', HANG_MS,
				    'the long job to run');
				fs.writeFileSync(hold, '');
				const n = await compareAll(`round ${round}, a job held running`);
				const running = await bsJson('jobs', '--uid', uid, '--status', 'running');
				checkEq(running.map((j) => j.job_id), [long.job_id], 'the running job');
				const done = stopEngine(e);
				fs.unlinkSync(hold);
				const { code } = await done;
				checkEq(code, 0, 'the engine exit status');
				counts.paused++;
				did.push(`hold a running job of ${uid} (${n} items held)`);
			}
		}
		if (rnd.next() < 0.3) {
			const v = rnd.pick(VIEWS);
			await killStream(v);
			counts.kill++;
			did.push(`kill the responder of ${label(v)}`);
		}
		note(did.join('; '));
		const n = await compareAll(`after round ${round}`);
		note(`${n} items held in ${VIEWS.length} lists, all equal to the truth`);
	}
	note(`operations: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}`);

	step('no hook logged an error, and every event had an id');
	for (const v of VIEWS) {
		check(!v.hook.log.some((l) => l.level === 'error' && !/EventSource error|SSE error/.test(l.text)),
		    `${label(v)}: nothing failed to parse`, 'no errors', v.hook.log);
		for (const e of v.es.messages())
			check(e.id !== '', `${label(v)}: ${e.type} has an id`, 'an id', e);
	}
	check(backends().length >= VIEWS.length, 'the pool is whole', `>= ${VIEWS.length}`, backends().length);
	for (const v of VIEWS)
		v.hook.unmount();
}

run(main, 270000);
