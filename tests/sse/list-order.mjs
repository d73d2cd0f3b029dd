// list-order.mjs: the lists the dashboard's hooks hold equal the REST lists in order where an older item re-enters a window: a newer queued job deleted under limit=3, an older job cancelled after a newer one in a status_filter=cancelled view, a newer backtest deleted under a history limit.
import {
	bs, canonical, check, checkEq, engineOnce, freeBackends, hookEnv, quiet,
	rest, run, spec, step, submit, token,
} from './client.mjs';
import { useBacktestHistorySSE, useBacktestJobsSSE } from './hooks.mjs';

// The hook's list and the REST list, item for item and in order.
async function checkOrder(hook, key, path, tok, what) {
	await quiet();
	const r = await rest(path, tok);
	checkEq(r.status, 200, `GET ${path}`);
	const have = hook.state[key];
	const id = key === 'jobs' ? 'job_id' : 'backtest_id';
	checkEq(have.map((x) => x[id]), r.body.map((x) => x[id]), `${what}: the order`);
	check(canonical(have) === canonical(r.body), `${what}: the items`,
	    r.body, have);
}

// The events the hook got since from, by name.
function namesSince(hook, from) {
	return hook.eventSourceRef.current.messages(from).map((e) => e.type);
}

async function deletedNewerJob(tok) {
	step('limit=3: a newer queued job deleted brings an older one back at the bottom');
	const [a, , , d] = [await submit('dave', spec()), await submit('dave', spec()),
	    await submit('dave', spec()), await submit('dave', spec())];
	const path = '/api/backtesting/jobs?limit=3';
	const hook = useBacktestJobsSSE({ token: tok, limit: 3 }, hookEnv);
	await hook.eventSourceRef.current.next('snapshot');
	await checkOrder(hook, 'jobs', path, tok, 'four jobs submitted');
	const from = hook.eventSourceRef.current.rec.events.length;
	checkEq((await bs('delete', d.job_id, '--uid', 'dave')).code, 0, 'delete');
	await checkOrder(hook, 'jobs', path, tok, 'the newest deleted');
	checkEq(hook.state.jobs.at(-1).job_id, a.job_id, 'the oldest job at the bottom');
	check(!namesSince(hook, from).includes('job_added'), 'no job_added for the job back',
	    'snapshot', namesSince(hook, from));
	const e = await submit('dave', spec());
	await checkOrder(hook, 'jobs', path, tok, 'one more submitted');
	checkEq(hook.state.jobs[0].job_id, e.job_id, 'the new job on top');
	hook.unmount();
}

async function olderCancelled(tok) {
	step('status_filter=cancelled: an older job cancelled after a newer one');
	const older = await submit('erin', spec());
	const newer = await submit('erin', spec());
	const path = '/api/backtesting/jobs?status_filter=cancelled';
	const hook = useBacktestJobsSSE({ token: tok, statusFilter: 'cancelled' }, hookEnv);
	await hook.eventSourceRef.current.next('snapshot');
	checkEq((await bs('cancel', newer.job_id, '--uid', 'erin')).code, 0, 'cancel the newer');
	await checkOrder(hook, 'jobs', path, tok, 'the newer cancelled');
	checkEq((await bs('cancel', older.job_id, '--uid', 'erin')).code, 0, 'cancel the older');
	await checkOrder(hook, 'jobs', path, tok, 'the older cancelled');
	checkEq(hook.state.jobs.map((j) => j.job_id), [newer.job_id, older.job_id],
	    'newest first');
	hook.unmount();
}

async function deletedNewerBacktest(tok) {
	step('history limit=2: a newer backtest deleted brings an older one back');
	const jobs = [];
	for (let i = 0; i < 3; i++)
		jobs.push(await submit('frank', spec()));
	await engineOnce();
	const path = '/api/backtesting/history?limit=2';
	const hook = useBacktestHistorySSE({ token: tok, limit: 2 }, hookEnv);
	await hook.eventSourceRef.current.next('snapshot');
	await checkOrder(hook, 'backtests', path, tok, 'three backtests');
	checkEq((await bs('delete', jobs[2].job_id, '--uid', 'frank')).code, 0, 'delete');
	await checkOrder(hook, 'backtests', path, tok, 'the newest deleted');
	await submit('frank', spec());
	await engineOnce();
	await checkOrder(hook, 'backtests', path, tok, 'one more backtest');
	hook.unmount();
}

async function main() {
	await freeBackends(1);
	// One user per case: each view sees only its own case's changes.
	await deletedNewerBacktest(await token('frank'));
	await deletedNewerJob(await token('dave'));
	await olderCancelled(await token('erin'));
}

run(main, 120000);
