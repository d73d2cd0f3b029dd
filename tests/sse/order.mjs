// order.mjs: a property test of list order: after random submits, cancels, deletes and engine runs, the dashboard's jobs and history hooks hold the REST lists element for element, in order, for small limits and several status filters.
//
// lists.mjs compares the hooks' lists as sets; here the order is the
// property.  A job that enters a view below its top (a newer one deleted
// or cancelled out of it, a limit-1 view losing its only job) must not be
// prepended by the hook: the server has to say where it goes.
//
// Each operation is done through REST or the CLI, at random, then every
// view is awaited until it equals the REST list (a state, polled, with a
// failure bound), so that no fixed sleep decides anything.  SSE_SEED
// repeats a run; SSE_ORDER_SECONDS bounds it (60 by default).
import {
	bs, bsJson, canonical, check, checkEq, engineOnce, fail, HANG_MS, hookEnv, note,
	now, openTracked, quiet, random, rest, run, seed, sleep, spec, step,
	submit, token,
} from './client.mjs';
import { useBacktestHistorySSE, useBacktestJobsSSE } from './hooks.mjs';

const SECONDS = Number(process.env.SSE_ORDER_SECONDS || 60);
const rnd = random(seed());
const UID = 'alice';
const SYMBOLS = ['DEMO', 'ACME', 'GLOBEX', 'INITECH'];
// How long a view may take to reach the REST list after an operation: a
// hang guard (one that never does fails the property, however long).
const SETTLE_MS = HANG_MS;
// Above this many jobs, deletes are preferred, so that views keep moving.
const MAX_JOBS = 14;

const VIEWS = [
	{ kind: 'jobs', limit: 1 },
	{ kind: 'jobs', limit: 2 },
	{ kind: 'jobs', limit: 3 },
	{ kind: 'jobs', limit: 4 },
	{ kind: 'jobs', status: 'queued', limit: 1 },
	{ kind: 'jobs', status: 'queued', limit: 3 },
	{ kind: 'jobs', status: 'completed', limit: 2 },
	{ kind: 'jobs', status: 'completed', limit: 4 },
	{ kind: 'jobs', status: 'cancelled', limit: 2 },
	{ kind: 'jobs', status: 'failed', limit: 1 },
	{ kind: 'history', limit: 1 },
	{ kind: 'history', limit: 3 },
];

let tok;
const label = (v) => `${v.kind}` + (v.status ? ` ${v.status}` : '') + ` limit ${v.limit}`;
const keyOf = (v) => v.kind === 'history' ? 'backtest_id' : 'job_id';
const held = (v) => v.kind === 'history' ? v.hook.state.backtests : v.hook.state.jobs;
const restPath = (v) => v.kind === 'history' ?
    `/api/backtesting/history?limit=${v.limit}` :
    `/api/backtesting/jobs?limit=${v.limit}` + (v.status ? `&status_filter=${v.status}` : '');

async function restList(v) {
	const r = await rest(restPath(v), tok);
	check(r.status === 200, `GET ${restPath(v)}`, 200, r.status);
	return r.body;
}

// A list as one line: "id status" of each element, in order.
const show = (v, list) => list.map((x) => `${x[keyOf(v)]} ${x.status}`).join(', ') || '(empty)';

const sameOrder = (a, b) => canonical(a) === canonical(b);
const sameSet = (a, b) => canonical(a.map(canonical).sort()) ===
    canonical(b.map(canonical).sort());

/*
 * Why elements are out of place, as the stream tells: each element's entry
 * is the last event that put it in the hook's list (an "added" event,
 * which prepends it, or a snapshot).  An element that entered after one
 * that REST has above it was prepended where it does not belong.
 */
function diagnose(v, want, have) {
	const k = keyOf(v);
	const events = v.es.rec.events;
	const entry = (x) => events.findLastIndex((e) => e.message &&
	    (/_added$/.test(e.type) || e.type === 'snapshot') && (e.data ?? '').includes(x[k]));
	const rank = (x) => want.findIndex((w) => w[k] === x[k]);
	const lines = [];
	for (const [i, x] of have.entries()) {
		const at = rank(x);
		if (at === i)
			continue;
		const e = events[entry(x)];
		const above = have.filter((y) => rank(y) < at && entry(y) < entry(x));
		lines.push(`  ${x[k]} is at ${i + 1} in the hook, at ${at + 1} in REST; it entered by ` +
		    (e ? `${e.type} (id ${e.id})` : 'no event') +
		    (e && e.type !== 'snapshot' && above.length > 0 ?
		    `, after ${above.map((y) => y[k]).join(', ')}, which REST has above it:` +
		    ' an addition below the top, prepended by the hook' : ''));
	}
	return lines.map((l) => `${l}\n`).join('');
}

/*
 * Waits until v's hook holds the REST list in order.  Fails after
 * SETTLE_MS, saying whether it holds the right elements in another order
 * (the property) or other elements, with the stream's recent events.
 */
async function settle(v, after) {
	const end = now() + SETTLE_MS;
	let want;
	for (;;) {
		want = await restList(v);
		if (sameOrder(held(v), want))
			break;
		if (now() > end) {
			const have = held(v);
			const what = sameSet(have, want) ? 'the right elements IN ANOTHER ORDER' :
			    'other elements';
			const events = v.es.rec.events.slice(-10).map((e) =>
			    `${e.type} ${e.id ?? ''} ${(e.data ?? '').slice(0, 140)}`);
			fail(`${label(v)} after ${after}: the hook holds ${what} than REST\n` +
			    diagnose(v, want, have) +
			    `  its last events:\n    ${events.join('\n    ')}`,
			    show(v, want), show(v, have));
		}
		await sleep(25);
	}
	check(v.hook.state.loading === false && v.hook.state.error === null,
	    `${label(v)}: loaded without error after ${after}`, 'loading false, error null',
	    v.hook.state);
	check(want.length <= v.limit, `${label(v)}: at most limit`, v.limit, want.length);
	return want.length;
}

function randomSpec() {
	if (rnd.next() < 0.2)	// no bars in range: the job fails
		return spec({ symbol: rnd.pick(SYMBOLS), start_date: '2023-03-01',
		    end_date: '2023-03-31' });
	const month = 1 + rnd.int(6);
	return spec({ symbol: rnd.pick(SYMBOLS), start_date: `2024-0${month}-01`,
	    end_date: `2024-${String(month + 5).padStart(2, '0')}-28` });
}

const all = () => bsJson('jobs', '--uid', UID, '--limit', '500');
const viaRest = () => rnd.next() < 0.5;

async function opSubmit() {
	const n = 1 + rnd.int(3);
	for (let i = 0; i < n; i++) {
		if (viaRest()) {
			const r = await rest('/api/backtesting/jobs', tok, { method: 'POST',
			    headers: { 'Content-Type': 'application/json' },
			    body: JSON.stringify(randomSpec()) });
			check(r.status === 201, 'REST submit', 201, r);
		} else {
			await submit(UID, randomSpec());
		}
	}
	return `submit ${n}`;
}

async function opCancel() {
	const q = (await all()).filter((j) => j.status === 'queued');
	if (q.length === 0)
		return null;
	const j = rnd.pick(q);
	if (viaRest()) {
		const r = await rest(`/api/backtesting/jobs/${j.job_id}/cancel`, tok, { method: 'POST' });
		check(r.status === 200, `REST cancel of ${j.job_id}`, 200, r);
		return `cancel ${j.job_id} (REST)`;
	}
	checkEq((await bs('cancel', j.job_id, '--uid', UID)).code, 0, `cancel ${j.job_id}`);
	return `cancel ${j.job_id} (CLI)`;
}

async function opDelete() {
	const jobs = await all();
	if (jobs.length === 0)
		return null;
	// Mostly near the top, where the small views are.
	const j = jobs[Math.min(rnd.int(jobs.length), rnd.int(5))];
	if (viaRest()) {
		const r = await rest(`/api/backtesting/jobs/${j.job_id}`, tok, { method: 'DELETE' });
		check(r.status === 200 || r.status === 204, `REST delete of ${j.job_id}`, '200 or 204', r);
		return `delete ${j.status} ${j.job_id} (REST)`;
	}
	checkEq((await bs('delete', j.job_id, '--uid', UID)).code, 0, `delete ${j.job_id}`);
	return `delete ${j.status} ${j.job_id} (CLI)`;
}

async function opEngine() {
	await engineOnce();
	return 'run the engine';
}

async function main() {
	tok = await token(UID);

	step('open the views through the dashboard\'s hooks, one at a time');
	for (const v of VIEWS) {
		const { es, result } = await openTracked(() => v.kind === 'jobs' ?
		    useBacktestJobsSSE({ token: tok, statusFilter: v.status, limit: v.limit }, hookEnv) :
		    useBacktestHistorySSE({ token: tok, limit: v.limit }, hookEnv));
		Object.assign(v, { es, hook: result });
		await es.next('snapshot');
	}

	step(`random operations for ${SECONDS} s, every view in REST's order after each`);
	const counts = {};
	const end = now() + SECONDS * 1000;
	let ops = 0;
	while (now() < end) {
		const n = (await all()).length;
		const roll = rnd.next();
		const op = n > MAX_JOBS && roll < 0.5 ? opDelete :
		    roll < 0.35 ? opSubmit : roll < 0.55 ? opCancel :
		    roll < 0.8 ? opDelete : opEngine;
		const did = await op();
		if (did === null)
			continue;
		ops++;
		counts[op.name] = (counts[op.name] ?? 0) + 1;
		let items = 0;
		for (const v of VIEWS)
			items += await settle(v, `operation ${ops}: ${did}`);
		note(`${ops}: ${did}; ${items} items in ${VIEWS.length} views, in order`);
	}
	note(`operations: ${Object.entries(counts).map(([k, c]) => `${k.slice(2).toLowerCase()} ${c}`).join(', ')}`);
	check(ops > 0, 'some operations were done', '> 0', ops);

	step('at a quiet moment, still in order; nothing failed to parse');
	await quiet(500);
	for (const v of VIEWS) {
		await settle(v, 'the last operation, at a quiet moment');
		check(!v.hook.log.some((l) => l.level === 'error' && !/EventSource error|SSE error/.test(l.text)),
		    `${label(v)}: nothing failed to parse`, 'no errors', v.hook.log);
	}
	for (const v of VIEWS)
		v.hook.unmount();
}

run(main, 240000);
