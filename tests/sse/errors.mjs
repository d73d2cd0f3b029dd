// errors.mjs: bad input before a stream starts: bad parameters, malformed ids, unknown paths, wrong methods, missing, malformed, forged, tampered and expired tokens; each a quick 400/401/404/405 with a JSON body naming the problem, and no responder harmed.
import {
	backends, bs, check, checkEq, EventSource, freeBackends, hookEnv, note,
	HANG_MS, now, rawGet, run, sleep, spec, step, submit, TMP, token, waitFor,
} from './client.mjs';
import { useBacktestDataSSE, useBacktestJobsSSE } from './hooks.mjs';

const MISSING = '00000000-0000-4000-8000-000000000000';

/*
 * One request that must be refused: status, a JSON body {error, message}
 * whose message matches names, and a response that ends (a stream would
 * stay open far past the hang guard).
 */
async function refused(method, path, status, names, headers = {}) {
	const r = await rawGet(path, { method, headers, ms: HANG_MS });
	const what = `${method} ${path.replace(/token=[^&]*/, 'token=…').slice(0, 120)}`;
	check(r.ended, `${what}: the response ends`, 'ended', `${r.status} ${r.body.slice(0, 200)}`);
	checkEq(r.status, status, `${what}: status`);
	// As the REST responder says it (tests/api.sh).
	if (status === 401)
		checkEq(r.headers['www-authenticate'], 'Bearer', `${what}: WWW-Authenticate`);
	if (method === 'HEAD')
		return r;
	check((r.headers['content-type'] ?? '').startsWith('application/json'),
	    `${what}: Content-Type`, 'application/json', r.headers['content-type']);
	let body;
	try {
		body = JSON.parse(r.body);
	} catch {
		check(false, `${what}: a JSON body`, 'JSON', r.body);
	}
	check(typeof body.error === 'string' && body.error !== '' &&
	    typeof body.message === 'string' && body.message !== '',
	    `${what}: {error, message}`, '{"error": code, "message": text}', r.body);
	check(names.test(body.message), `${what}: the message names the problem`,
	    String(names), body.message);
	return { ...r, json: body };
}

async function main() {
	const alice = await token('alice');
	const bob = await token('bob');
	const job = await submit('alice', spec());
	const J = job.job_id;
	const pool = backends().sort();
	note(`responders: ${pool.join(' ')}`);

	step('bad parameters: 400 naming the parameter');
	const data = `/api/sse/backtest/${J}/data?token=${alice}`;
	for (const [q, names] of [
		['', /interval: required/],
		['&interval=hour', /interval: "hour" is not one of minute/],
		['&interval=', /interval: "" is not one of/],
		['&interval=DAY', /interval: "DAY"/],
		['&interval=day&intervals=day,minute', /not both/],
		['&intervals=day,hour', /intervals: "hour"/],
		['&intervals=day,day', /intervals: day is given twice/],
		['&intervals=', /intervals: empty/],
		['&intervals=,,', /intervals: empty/],
		['&interval=day&limit=0', /^limit: must be a whole number from 1 to 1000000/],
		['&interval=day&limit=1000001', /^limit: .*"1000001"/],
		['&interval=day&limit=-5', /^limit: .*"-5"/],
		['&interval=day&limit=abc', /^limit: .*"abc"/],
		['&interval=day&limit=1.5', /^limit: .*"1.5"/],
		['&interval=day&limit=', /^limit: /],
		['&interval=day&limit=99999999999999999999999', /^limit: /],
		['&interval=day&limit=0x10', /^limit: /],
		['&interval=day&chunk_size=0', /^chunk_size: must be a whole number from 1 to 10000/],
		['&interval=day&chunk_size=10001', /^chunk_size: .*"10001"/],
		['&interval=day&chunk_size=ten', /^chunk_size: .*"ten"/],
	])
		await refused('GET', data + q, 400, names);
	for (const list of ['jobs', 'history']) {
		for (const v of ['0', '501', 'x', '-1', ''])
			await refused('GET', `/api/sse/backtest/${list}?token=${alice}&limit=${v}`, 400,
			    /^limit: must be a whole number from 1 to 500/);
	}
	for (const v of ['bogus', 'Queued', 'done'])
		await refused('GET', `/api/sse/backtest/jobs?token=${alice}&status_filter=${v}`, 400,
		    /^status_filter: must be queued, running, completed, failed or cancelled/);
	await refused('GET', `/api/sse/backtest/jobs?token=${alice}&limit=%zz`, 400, /./);

	step('malformed ids: 400 naming the id; unknown and other users\' jobs: the same 404');
	for (const id of ['not-a-job', J.toUpperCase(), `${J}x`, J.slice(0, 35), 'x'.repeat(300),
	    `${J.slice(0, 8)}_${J.slice(9)}`]) {
		await refused('GET', `/api/sse/backtest/${id}?token=${alice}`, 400, /job id: ".*" is not a job id/);
		await refused('GET', `/api/sse/backtest/${id}/data?token=${alice}&interval=day`, 400,
		    /id: ".*" is not a job or backtest id/);
	}
	const missing = await refused('GET', `/api/sse/backtest/${MISSING}?token=${alice}`, 404, /no job/);
	const other = await refused('GET', `/api/sse/backtest/${J}?token=${bob}`, 404, /no job/);
	checkEq(other.body.replace(J, 'ID'), missing.body.replace(MISSING, 'ID'),
	    "another user's job answers like a missing one");
	const dMissing = await refused('GET', `/api/sse/backtest/${MISSING}/data?token=${alice}&interval=day`, 404, /no job or backtest/);
	const dOther = await refused('GET', `/api/sse/backtest/${J}/data?token=${bob}&interval=day`, 404, /no job or backtest/);
	checkEq(dOther.body.replace(J, 'ID'), dMissing.body.replace(MISSING, 'ID'),
	    "another user's data answers like a missing one");

	step('unknown paths: 404');
	for (const p of ['/api/sse/backtest', '/api/sse/backtest/', '/api/sse/', '/api/sse/foo',
	    '/api/sse/backtest/jobs/extra', '/api/sse/backtest/history/x',
	    `/api/sse/backtest/${J}/trades`, `/api/sse/backtest/${J}/data/x`,
	    '/api/sse/other/jobs', `/api/sse/backtest/${J}/data/a/b/c/d/e/f/g/h/i`])
		await refused('GET', `${p}?token=${alice}`, 404, /no such stream/);
	await refused('GET', `/api/sse/backtest/a%2Fb?token=${alice}`, 400, /malformed path/);

	step('wrong methods: 405 with Allow: GET');
	for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) {
		const r = await refused(m, `/api/sse/backtest/jobs?token=${alice}`, 405, /GET/);
		checkEq(r.headers.allow, 'GET', `${m}: the Allow header`);
	}
	await refused('HEAD', `/api/sse/backtest/jobs?token=${alice}`, 405, /./);

	step('tokens: missing, empty, malformed, forged, tampered, for another project, expired: 401');
	const noToken = /a token is required/;
	const badToken = /the token is invalid or has expired/;
	await refused('GET', '/api/sse/backtest/jobs', 401, noToken);
	await refused('GET', '/api/sse/backtest/jobs?token=', 401, noToken);
	await refused('GET', `/api/sse/backtest/${J}`, 401, noToken);
	await refused('GET', `/api/sse/backtest/${J}/data?interval=hour`, 401, noToken);
	await refused('GET', '/api/sse/backtest/jobs', 401, noToken, { Authorization: 'Basic YWxpY2U6eA==' });
	for (const t of ['abc', 'a.b.c', `${alice}x`, alice.split('.').slice(0, 2).join('.'), 'x'.repeat(5000)])
		await refused('GET', `/api/sse/backtest/jobs?token=${encodeURIComponent(t)}`, 401, badToken);
	await refused('GET', '/api/sse/backtest/jobs', 401, badToken, { Authorization: 'Bearer abc' });
	// Signed by a key the certificate set does not have.
	check((await bs('keygen', `${TMP}/other-keys`)).code === 0, 'keygen of another key');
	const forged = await bs('-c', `${TMP}/other.conf`, 'token', '--uid', 'alice');
	check(forged.code === 0, 'a token signed by the other key', 0, forged.stderr);
	await refused('GET', `/api/sse/backtest/jobs?token=${forged.stdout.trim()}`, 401, badToken);
	// Alice's token with bob's uid in it: the signature no longer fits.
	const [h, p, sig] = alice.split('.');
	const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
	const tampered = [h, Buffer.from(JSON.stringify({ ...claims, sub: 'bob',
	    user_id: 'bob' })).toString('base64url'), sig].join('.');
	await refused('GET', `/api/sse/backtest/jobs?token=${tampered}`, 401, badToken);
	const otherProject = await bs('-c', `${TMP}/project.conf`, 'token', '--uid', 'alice');
	check(otherProject.code === 0, 'a token for another project', 0, otherProject.stderr);
	await refused('GET', `/api/sse/backtest/jobs?token=${otherProject.stdout.trim()}`, 401, badToken);
	const short = await token('alice', 1);
	await sleep(2100);	// the test runs with token_leeway = 0
	await refused('GET', `/api/sse/backtest/jobs?token=${short}`, 401, badToken);
	// Checked before anything else: a bad token with a bad parameter is 401.
	await refused('GET', `/api/sse/backtest/${MISSING}/data?token=abc&interval=hour`, 401, badToken);

	step('EventSource gives up after these, as the guide\'s hooks show');
	await freeBackends();
	{
		const jobs = useBacktestJobsSSE({ token: forged.stdout.trim() }, hookEnv);
		const es = jobs.eventSourceRef.current;
		await waitFor(() => es.readyState === 2, 5000, 'the EventSource to give up');
		checkEq(es.rec.opens.map((o) => o.status), [401], 'the statuses');
		checkEq([jobs.state.error, jobs.state.loading], ['Failed to connect to job listings', false],
		    "the jobs hook's error and loading");
		jobs.unmount();
		const d = useBacktestDataSSE({ id: J, interval: 'hour', token: alice }, hookEnv);
		const des = d.eventSourceRef.current;
		await waitFor(() => des.readyState === 2, 5000, 'the data EventSource to give up');
		checkEq(des.rec.opens.map((o) => o.status), [400], 'the data stream statuses');
		checkEq(d.state.error, 'Failed to connect to data stream', "the data hook's error");
		d.unmount();
	}

	step('a burst of bad requests at once');
	{
		const paths = [];
		for (let i = 0; i < 60; i++)
			paths.push([`/api/sse/backtest/${J}/data?token=${alice}&interval=x${i}`,
			    `/api/sse/backtest/jobs?token=bad${i}`,
			    `/api/sse/backtest/${MISSING}?token=${alice}`][i % 3]);
		const t0 = now();
		const rs = await Promise.all(paths.map((p) => rawGet(p, { ms: HANG_MS })));
		checkEq([...new Set(rs.map((r) => r.status))].sort(), [400, 401, 404], 'their statuses');
		check(rs.every((r) => r.ended), 'every one answered', 'all ended', rs.filter((r) => !r.ended).length);
		note(`60 bad requests answered in ${Math.round(now() - t0)} ms`);
	}

	step('nothing crashed: the same responders, and a stream still works');
	await freeBackends();
	checkEq(backends().sort(), pool, 'the responders');
	const es = new EventSource(`${hookEnv.base}/api/sse/backtest/jobs?token=${alice}`);
	await es.next('snapshot');
	es.close();
}

run(main, 200000);
