// faults.mjs: the fault loop: over 50 of the guide's hooks hold streams through lighttpd while jobs are submitted, cancelled and deleted through REST and random responders, engine workers and coordinators are SIGKILLed and lighttpd restarts once; afterwards every hook equals the truth and every job finished once.
//
// Run by tests/sse-faults.sh, which starts lighttpd (SSE_POOL stream
// responders, 2 REST responders) and the engine in a loop (its pid in
// $TMP/engine.pid).  This script restarts lighttpd itself halfway (its new
// pid goes to $TMP/lighttpd.pid) and stops the engine loop before the
// clean reruns at the end.
//
// Like a browser and its user, the clients tolerate what the faults do:
// an EventSource reconnects after a cut (the server restart too, which
// refuses connections for a moment); a REST call that gets no answer or a
// 5xx is made again, and a submission whose answer was lost is looked for
// in the job list first, so that no job is submitted twice; a CLI call
// that meets a recovery (exit 3 or 75) is run again.  Each is counted.
// An EventSource that gives up for good (a status other than 200 or 204)
// is a page the user reloads: the hook is mounted afresh and that counts.

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import {
	alive, BASE, canonical, check, checkEq, fail, HANG_MS, hookEnv, note, now,
	random, run, seed, sleep, step, TMP, waitFor,
} from './client.mjs';
import {
	useBacktestDataSSE, useBacktestHistorySSE, useBacktestJobsSSE,
	useBacktestProgressSSE,
} from './hooks.mjs';

const FAULT_MS = Number(process.env.SSE_FAULT_SECONDS || 40) * 1000;
const POOL = Number(process.env.SSE_POOL || 76);
const CONF = process.env.BACKSTREAM_CONF;
const BACKSTREAM = process.env.BACKSTREAM;
const ENGINE = process.env.ENGINE;
const LIGHTTPD = process.env.LIGHTTPD;
const LIGHTTPD_CONF = process.env.LIGHTTPD_CONF;
const LIGHTTPD_STDERR = process.env.LIGHTTPD_STDERR;
const ENGINE_LOOP = Number(process.env.ENGINE_LOOP);
let lighttpdPid = Number(process.env.LIGHTTPD_PID);

const rnd = random(seed());
const USERS = ['alice', 'bob', 'carol', 'dave'];
const SYMBOLS = ['DEMO', 'ACME', 'GLOBEX', 'INITECH'];
const INTERVALS = ['minute', '3minute', '5minute', '15minute', '60minute', 'day'];
const MAX_PROGRESS = 26;
const MAX_DATA = 6;
const SANITIZER = /Sanitizer|runtime error:/;

// What happened, printed at the end.
const counts = {
	killSseBusy: 0, killSseIdle: 0, killApi: 0, killWorker: 0,
	killCoordinator: 0, restartLighttpd: 0,
	submit: 0, submitFoundAfterLostAnswer: 0, cancel: 0, delete: 0,
	restRetries: {}, cliRetries: {}, remounts: {},
};
const bump = (map, key) => { map[key] = (map[key] ?? 0) + 1; };

// ---- processes --------------------------------------------------------------------

/*
 * The live processes of this test's store: backstream* and lighttpd whose
 * environment names our configuration.  { pid, comm, ppid, sid }.
 */
function ours() {
	const out = [];
	for (const d of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(d))
			continue;
		let stat, env;
		try {
			stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
		} catch {
			continue;
		}
		const m = /^(\d+) \((.*)\) (\S) (\d+) \d+ (\d+)/.exec(stat);
		if (!m || m[3] === 'Z' || !(m[2].startsWith('backstream') || m[2] === 'lighttpd'))
			continue;
		try {
			env = fs.readFileSync(`/proc/${d}/environ`, 'latin1');
		} catch {
			continue;
		}
		if (!env.includes(`BACKSTREAM_CONF=${CONF}\0`))
			continue;
		out.push({ pid: Number(m[1]), comm: m[2], ppid: Number(m[4]), sid: Number(m[5]) });
	}
	return out;
}

const responders = (comm) => ours().filter((p) => p.ppid === lighttpdPid && p.comm === comm);

// Whether pid serves a request now: a socket besides its listening one.
function busy(pid) {
	try {
		return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
			if (fd === '0')
				return false;
			try {
				return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
			} catch {
				return false;
			}
		});
	} catch {
		return false;
	}
}

function coordinator() {
	try {
		const pid = Number(fs.readFileSync(`${TMP}/engine.pid`, 'utf8'));
		return alive(pid) ? pid : null;
	} catch {
		return null;
	}
}

// Engine workers: engine processes but the coordinator, and not a
// recovery child (which runs in a session of its own).
function workers() {
	const c = coordinator();
	return ours().filter((p) => p.comm.startsWith('backstream-engi') &&
	    p.pid !== c && p.sid !== p.pid).map((p) => p.pid);
}

function kill(pid) {
	try {
		process.kill(pid, 'SIGKILL');
		return true;
	} catch {
		return false;
	}
}

/*
 * The stream pool as the kernel sees it: each stream socket lighttpd made
 * (sse.sock-N, bound), the processes that hold it, and which of them are
 * lighttpd's responders.  A slot with no socket at all is one lighttpd
 * lost: lighttpd 1.4.69 sometimes marks a slot whose responder was killed
 * as overloaded after it has reaped it, re-enables it later with no
 * process behind it and never starts one (its error log then says
 * "gw-server re-enabled" for that socket).  Returns { slots, served,
 * others: [slot held only by processes that are not lighttpd's], lost }.
 */
function poolState() {
	const inodes = new Map();
	for (const l of fs.readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
		const f = l.trim().split(/\s+/);
		if (f[7] && f[7].startsWith(TMP) && /\/sse\.sock-\d+$/.test(f[7]))
			inodes.set(f[6], f[7].replace(/.*\//, ''));
	}
	const holders = new Map();
	for (const d of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
		let fds = [];
		try {
			fds = fs.readdirSync(`/proc/${d}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			let l;
			try {
				l = fs.readlinkSync(`/proc/${d}/fd/${fd}`);
			} catch {
				continue;
			}
			const m = /^socket:\[(\d+)\]$/.exec(l);
			if (!m || !inodes.has(m[1]))
				continue;
			let who = `${d} (gone)`, ppid = 0;
			try {
				const st = /^\d+ \((.*)\) (\S) (\d+)/.exec(fs.readFileSync(`/proc/${d}/stat`, 'utf8'));
				who = `${d} ${st[1]} ${st[2]} ppid ${st[3]}`;
				ppid = Number(st[3]);
			} catch { /* gone */ }
			const k = inodes.get(m[1]);
			holders.set(k, [...(holders.get(k) ?? []), { who, ours: ppid === lighttpdPid }]);
		}
	}
	const slots = [...new Set(inodes.values())];
	const served = slots.filter((n) => (holders.get(n) ?? []).some((h) => h.ours));
	const others = slots.filter((n) => !served.includes(n)).map((n) =>
	    `${n} held by ${(holders.get(n) ?? []).map((h) => h.who).join(', ') || 'nobody'}`);
	return { slots: slots.length, served: served.length, others, lost: POOL - slots.length };
}

// ---- the CLI, with retries through recoveries --------------------------------------

function bsOnce(args) {
	return new Promise((resolve) => {
		execFile(BACKSTREAM, args, { timeout: HANG_MS, maxBuffer: 1 << 28 },
		    (err, stdout, stderr) => resolve({
			code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
			stdout, stderr }));
	});
}

/*
 * Runs backstream ARGS.  Exit 75 (an operation stalled behind a dead
 * process) and 3 (the store could not be opened while it was being
 * recovered) are transient here: run again, counted, up to 30 times.
 */
async function bs(...args) {
	for (let attempt = 1; ; attempt++) {
		const r = await bsOnce(args);
		if (SANITIZER.test(r.stderr))
			fail(`sanitizer report from backstream ${args.join(' ')}`, '', r.stderr);
		if ((r.code !== 75 && r.code !== 3) || attempt >= 30)
			return r;
		bump(counts.cliRetries, `exit ${r.code}`);
		await sleep(200);
	}
}

async function bsJson(...args) {
	const r = await bs(...args, '--json');
	check(r.code === 0, `backstream ${args.join(' ')} exits 0`, 0, `${r.code}: ${r.stderr}`);
	return JSON.parse(r.stdout);
}

// ---- REST, with retries ----------------------------------------------------------------

const tokens = {};

async function restOnce(method, path, uid, body) {
	try {
		const res = await fetch(BASE + path, {
			method,
			headers: { Authorization: `Bearer ${tokens[uid]}`,
			    ...(body ? { 'Content-Type': 'application/json' } : {}) },
			body: body ? JSON.stringify(body) : undefined,
			// A hang guard only: a request given up on while its
			// responder goes on could commit after the retry's look
			// (a job submitted twice).  One may take four stall
			// timeouts, and longer on a loaded machine.
			signal: AbortSignal.timeout(HANG_MS),
		});
		const text = await res.text();
		let parsed = text;
		try {
			parsed = JSON.parse(text);
		} catch { /* kept as text */ }
		return { status: res.status, body: parsed };
	} catch (e) {
		return { status: 0, body: String(e.cause?.code ?? e.name ?? e) };
	}
}

const transient = (r) => r.status === 0 || r.status >= 500;
// A failure's key in the counts: the status and, for ours (JSON), its code.
const failure = (method, r) => `${method} ${r.status || r.body}` +
    (r.status && r.body?.error ? ` ${r.body.error}` : '');

// A REST call made again while it fails transiently (no answer, 5xx).
async function rest(method, path, uid, body) {
	for (let attempt = 1; ; attempt++) {
		const r = await restOnce(method, path, uid, body);
		if (!transient(r))
			return { ...r, retried: attempt > 1 };
		bump(counts.restRetries, failure(method, r));
		check(attempt < 60, `${method} ${path} answers within 60 tries`, 'an answer', r);
		await sleep(Math.min(100 * attempt, 1000));
	}
}

async function restJson(path, uid) {
	const r = await rest('GET', path, uid);
	check(r.status === 200, `GET ${path} for ${uid}`, 200, r);
	return r.body;
}

// ---- jobs -------------------------------------------------------------------------

const jobs = new Map();		// job_id -> { id, uid, spec, deleted, protect }
let submissions = 0;

function randomSpec() {
	submissions++;
	// initial_capital tells our submissions apart: a submission whose
	// answer was lost is found in the list by it.
	const capital = 100000 + submissions;
	const roll = rnd.next();
	if (roll < 0.1)	// no bars in range: fails at once
		return { symbol: rnd.pick(SYMBOLS), interval: 'minute', start_date: '2023-03-01',
		    end_date: '2023-03-31', strategy: 'buy_and_hold', params: {}, initial_capital: capital };
	if (roll < 0.25)	// day bars: done in milliseconds
		return { symbol: rnd.pick(SYMBOLS), interval: 'day', start_date: '2024-01-01',
		    end_date: '2024-12-31', strategy: 'sma_crossover', params: { fast: 3, slow: 12 },
		    initial_capital: capital };
	const strategy = rnd.pick(['sma_crossover', 'ema_crossover', 'rsi_reversion', 'buy_and_hold']);
	const params = strategy === 'sma_crossover' ? { fast: 3 + rnd.int(8), slow: 15 + rnd.int(20) } :
	    strategy === 'ema_crossover' ? { fast: 5 + rnd.int(5), slow: 20 + rnd.int(10) } : {};
	// One to three months of minute bars: 8,000 to 25,000 bars, under a
	// second to a few seconds at engine_bar_rate.
	const month = 1 + rnd.int(9);
	const months = 1 + rnd.int(3);
	const pad = (n) => String(n).padStart(2, '0');
	return { symbol: rnd.pick(SYMBOLS), interval: 'minute', start_date: `2024-${pad(month)}-01`,
	    end_date: `2024-${pad(month + months - 1)}-28`, strategy, params,
	    initial_capital: capital, commission: rnd.pick([0, 0.0005]) };
}

// The user's job with this initial_capital, if the list has it.
async function findSubmitted(uid, capital) {
	const all = await restJson('/api/backtesting/jobs?limit=500', uid);
	return all.find((j) => j.initial_capital === capital) ?? null;
}

/*
 * Submits through REST.  An attempt without an answer may have gone
 * through: the list is asked before the next attempt.
 */
async function submitJob(uid) {
	const spec = randomSpec();
	for (let attempt = 1; ; attempt++) {
		const r = await restOnce('POST', '/api/backtesting/jobs', uid, spec);
		let job = null;
		if (r.status === 201) {
			job = r.body;
		} else {
			check(transient(r), `POST jobs for ${uid}`, '201 or a transient failure', r);
			bump(counts.restRetries, failure('POST', r));
			check(attempt < 60, `POST jobs for ${uid} within 60 tries`, 'an answer', r);
			// A responder that was killed mid-request is gone; one
			// stuck in a recovery ends within stall_timeout.
			await sleep(300);
			if ((job = await findSubmitted(uid, spec.initial_capital)) !== null)
				counts.submitFoundAfterLostAnswer++;
		}
		if (job) {
			counts.submit++;
			const rec = { id: job.job_id, uid, spec, deleted: false, protect: false };
			jobs.set(rec.id, rec);
			return rec;
		}
	}
}

async function cancelJob(rec) {
	const r = await rest('POST', `/api/backtesting/jobs/${rec.id}/cancel`, rec.uid);
	// 409: it had finished.  404: a deletion got there first.
	check([200, 202, 409].includes(r.status) || (r.status === 404 && rec.deleted),
	    `cancel ${rec.id}`, '200 or 409', r);
	counts.cancel++;
}

async function deleteJob(rec) {
	rec.deleted = true;
	const r = await rest('DELETE', `/api/backtesting/jobs/${rec.id}`, rec.uid);
	// 404 only when an earlier attempt went through without an answer.
	check([200, 204].includes(r.status) || (r.status === 404 && r.retried),
	    `delete ${rec.id}`, '200 or 204', r);
	counts.delete++;
}

// ---- the hooks -----------------------------------------------------------------

// The list views every user holds open.
const VIEWS = [
	{ kind: 'jobs' },
	{ kind: 'jobs', limit: 500 },
	{ kind: 'jobs', status: 'queued', limit: 3 },
	{ kind: 'jobs', status: 'running', limit: 2 },
	{ kind: 'jobs', status: 'completed', limit: 5 },
	{ kind: 'jobs', status: 'failed', limit: 4 },
	{ kind: 'jobs', status: 'cancelled', limit: 3 },
	{ kind: 'history', limit: 4 },
];
// The views of the last user: fewer, so that the pool has room.
const FEW_VIEWS = [VIEWS[0], VIEWS[2], VIEWS[4], { kind: 'history', limit: 500 }];

const lists = [];	// { uid, kind, status, limit, hook, es }
const progress = [];	// { rec, hook, es, closed }
const data = [];	// { rec, interval, limit, hook, es, closed }

const label = (v) => `${v.uid} ${v.kind}` + (v.status ? ` ${v.status}` : '') +
    ` limit ${v.limit ?? 10}`;

function mountList(v) {
	v.hook = v.kind === 'jobs' ?
	    useBacktestJobsSSE({ token: tokens[v.uid], statusFilter: v.status,
	    ...(v.limit ? { limit: v.limit } : {}) }, hookEnv) :
	    useBacktestHistorySSE({ token: tokens[v.uid], limit: v.limit }, hookEnv);
	v.es = v.hook.eventSourceRef.current;
}

function mountProgress(p) {
	p.hook = useBacktestProgressSSE({ jobId: p.rec.id, token: tokens[p.rec.uid] }, hookEnv);
	p.es = p.hook.eventSourceRef.current;
}

function mountData(d) {
	d.hook = useBacktestDataSSE({ id: d.rec.id, interval: d.interval,
	    token: tokens[d.rec.uid], limit: d.limit }, hookEnv);
	d.es = d.hook.eventSourceRef.current;
}

const open = (x) => !x.closed;
const terminalOf = (es) => es.messages().filter((e) =>
    ['completed', 'failed', 'cancelled'].includes(e.type));

// Progress streams are opened as jobs are submitted; past MAX_PROGRESS
// the oldest one that has its terminal event is closed (and kept for the
// checks), as a page moving to another job would.
function openProgress(rec) {
	retireEnded();
	if (progress.filter(open).length >= MAX_PROGRESS) {
		const done = progress.find((p) => open(p) && terminalOf(p.es).length > 0);
		if (!done)
			return;
		closeHook(done);
	}
	const p = { rec, closed: false };
	mountProgress(p);
	progress.push(p);
}

// A chart: a data stream of a job kept from deletion, at a random
// interval and limit; past MAX_DATA the oldest complete one is closed.
function openData(rec) {
	retireEnded();
	if (data.filter(open).length >= MAX_DATA) {
		const done = data.find((d) => open(d) && d.es.messages().some((e) => e.type === 'complete'));
		if (!done)
			return;
		closeHook(done);
	}
	rec.protect = true;
	const d = { rec, interval: rnd.pick(INTERVALS), limit: rnd.pick([300, 5000, 20000, 100000]),
	    closed: false };
	mountData(d);
	data.push(d);
}

/*
 * Streams that ended as they should, their EventSource closed for good: a
 * progress or data stream whose reconnect after its last word got 204, a
 * deleted job's 404.  They are closed (and kept for the checks), which
 * makes room for others.
 */
function retireEnded() {
	for (const x of [...progress, ...data]) {
		const status = x.es.rec.opens.at(-1)?.status;
		if (open(x) && x.es.readyState === 2 && (status === 204 ||
		    (status === 404 && x.rec.deleted)))
			closeHook(x);
	}
}

// Closes a progress or data hook.  A chart's points are checked soon
// (bars do not change) and then dropped: a long run opens hundreds.
const dataToCheck = [];
function closeHook(x) {
	x.hook.unmount();
	x.closed = true;
	if (data.includes(x))
		dataToCheck.push(x);
}

async function checkClosedData() {
	while (dataToCheck.length > 0) {
		const d = dataToCheck.shift();
		await checkData(d);
		d.points = d.hook.state.data.length;
		d.hook.state.data = null;
		for (const e of d.es.rec.events)
			e.data = undefined;
	}
}

// Opens progress streams up to MAX_PROGRESS, of the newest jobs that
// have none open: a user looking at a job again, or at an older one.
// Charts likewise, up to MAX_DATA, of random jobs.
function topUp() {
	retireEnded();
	const watched = new Set(progress.filter(open).map((p) => p.rec.id));
	const candidates = [...jobs.values()].filter((j) => !j.deleted && !watched.has(j.id)).reverse();
	for (const rec of candidates) {
		if (progress.filter(open).length >= MAX_PROGRESS)
			break;
		openProgress(rec);
	}
	const live = [...jobs.values()].filter((j) => !j.deleted);
	while (live.length > 0 && data.filter(open).length < MAX_DATA)
		openData(rnd.pick(live));
}

/*
 * An EventSource that gave up for good: a status other than 200 (the
 * web server's 5xx for a responder killed before it answered, a 503 of a
 * store being recovered).  Legitimate ends are 204 (a stream that had
 * said everything) and a deleted job's 404.  Anything else is a page the
 * user reloads: the hook is mounted afresh, counted by status (the old
 * progress hooks are kept in retired, whose transactions are checked too).
 */
const retired = [];
function remountGivenUp() {
	const status = (x) => x.es.rec.opens.at(-1)?.status;
	// Whose answer: ours are JSON, the web server's own are not.
	const who = (x) => /json/.test(x.es.rec.opens.at(-1)?.headers?.get('content-type') ?? '') ?
	    'backstream' : 'web server';
	for (const v of lists) {
		if (v.es.readyState !== 2)
			continue;
		bump(counts.remounts, `list ${status(v)} from the ${who(v)}`);
		v.hook.unmount();
		mountList(v);
	}
	for (const p of progress.filter(open)) {
		if (p.es.readyState !== 2 || status(p) === 204 ||
		    (status(p) === 404 && p.rec.deleted))
			continue;
		bump(counts.remounts, `progress ${status(p)} from the ${who(p)}`);
		retired.push({ ...p });
		p.hook.unmount();
		mountProgress(p);
	}
	for (const d of data.filter(open)) {
		if (d.es.readyState !== 2 || status(d) === 204)
			continue;
		bump(counts.remounts, `data ${status(d)} from the ${who(d)}`);
		d.hook.unmount();
		mountData(d);
	}
}

const allSources = () => [...lists, ...progress.filter(open), ...data.filter(open)].map((x) => x.es);

// A line for each stream not open: which, its state, and every connection
// it made (status and age), so that a failed wait says what it waited for.
function notOpen() {
	const t = now();
	const conns = (es) => es.rec.opens.map((o) =>
	    `${o.status ?? 'pending'} ${((t - o.t) / 1000).toFixed(1)} s ago`).join(', ');
	return allSources().filter((es) => es.readyState !== 1).map((es) =>
	    `  ${es.rec.url.replace(/token=[^&]*/, 'token=…').replace(/^.*\/api/, '/api')}: ` +
	    `readyState ${es.readyState}, connections: ${conns(es) || 'none'}`);
}

// ---- lighttpd ----------------------------------------------------------------------

async function answers() {
	try {
		await fetch(`${BASE}/`, { signal: AbortSignal.timeout(2000) });
		return true;
	} catch {
		return false;
	}
}

/*
 * Stops lighttpd by pid (TERM, as an operator's restart does), checks that
 * every responder left with it, and starts it again on the same port:
 * every stream is cut, and the clients come back with Last-Event-ID.
 */
async function restartLighttpd() {
	const old = lighttpdPid;
	const kids = ours().filter((p) => p.ppid === old).map((p) => p.pid);
	process.kill(old, 'SIGTERM');
	await waitFor(() => !alive(old), 15000, `lighttpd ${old} to stop`);
	const t = now();
	await waitFor(() => kids.every((k) => !alive(k)), 10000,
	    'every responder of the stopped lighttpd to exit');
	note(`lighttpd ${old} stopped; its ${kids.length} responders left within ${Math.round(now() - t)} ms`);
	const fd = fs.openSync(LIGHTTPD_STDERR, 'a');
	const child = spawn(LIGHTTPD, ['-D', '-f', LIGHTTPD_CONF], { stdio: ['ignore', fd, fd] });
	fs.closeSync(fd);
	lighttpdPid = child.pid;
	fs.writeFileSync(`${TMP}/lighttpd.pid`, `${child.pid}\n`);
	await waitFor(answers, 15000, 'lighttpd to answer again');
	counts.restartLighttpd++;
	note(`lighttpd ${lighttpdPid} serves on the same port`);
}

// ---- the fault driver ------------------------------------------------------------

async function faults(until, restartAt) {
	let restarted = false;
	while (now() < until) {
		await sleep(150 + rnd.int(300));
		if (!restarted && now() >= restartAt) {
			restarted = true;
			await restartLighttpd();
			continue;
		}
		const roll = rnd.next();
		if (roll < 0.6) {
			const all = responders('backstream-sse').map((p) => p.pid);
			const busyOnes = all.filter(busy);
			// Mostly one serving a stream, sometimes any.
			const pid = rnd.next() < 0.8 && busyOnes.length ? rnd.pick(busyOnes) : rnd.pick(all);
			if (pid && kill(pid))
				busyOnes.includes(pid) ? counts.killSseBusy++ : counts.killSseIdle++;
		} else if (roll < 0.7) {
			const pid = rnd.pick(responders('backstream-api').map((p) => p.pid));
			if (pid && kill(pid))
				counts.killApi++;
		} else if (roll < 0.84) {
			const pid = rnd.pick(workers());
			if (pid && kill(pid))
				counts.killWorker++;
		} else if (roll < 0.9) {
			const pid = coordinator();
			if (pid && kill(pid))
				counts.killCoordinator++;
		}
	}
}

// ---- the users' side -------------------------------------------------------------

async function workload(until) {
	while (now() < until) {
		const roll = rnd.next();
		const uid = rnd.pick(USERS);
		const mine = [...jobs.values()].filter((j) => j.uid === uid && !j.deleted);
		if (roll < 0.5) {
			const rec = await submitJob(uid);
			openProgress(rec);
			// Some are cancelled at once, queued or just started.
			if (rnd.next() < 0.15)
				await cancelJob(rec);
		} else if (roll < 0.65 && mine.length) {
			// Mostly a recent one: it may be queued or running.
			await cancelJob(rnd.pick(mine.slice(-4)));
		} else if (roll < 0.75) {
			const victims = mine.filter((j) => !j.protect);
			if (victims.length)
				await deleteJob(rnd.pick(victims));
		} else if (roll < 0.85 && mine.length) {
			openData(rnd.pick(mine));
		}
		remountGivenUp();
		topUp();
		await checkClosedData();
		await sleep(250 + rnd.int(600));
	}
}

// ---- the checks --------------------------------------------------------------------

// A quiet moment: every list stream open, no event on any stream for ms.
async function quiet(ms = 1500, max = 60000) {
	const from = now();
	await waitFor(() => {
		remountGivenUp();
		let last = from;
		for (const es of allSources()) {
			const e = es.rec.events.at(-1);
			if (e && e.t > last)
				last = e.t;
			const o = es.rec.opens.at(-1);
			if (o && o.t > last)
				last = o.t;
		}
		return now() - last >= ms && lists.every((v) => v.es.readyState === 1) &&
		    allSources().every((es) => es.readyState !== 0);
	}, max, 'a quiet moment (every list stream open, none connecting, no events)');
}

async function listTruth(v) {
	const limit = v.limit ?? 10;
	if (v.kind === 'history')
		return restJson(`/api/backtesting/history?limit=${limit}`, v.uid);
	const args = ['jobs', '--uid', v.uid, '--limit', String(limit)];
	if (v.status)
		args.push('--status', v.status);
	const cli = await bsJson(...args);
	const r = await restJson(`/api/backtesting/jobs?limit=${limit}` +
	    (v.status ? `&status_filter=${v.status}` : ''), v.uid);
	checkEq(r, cli, `REST and CLI lists of ${label(v)}`);
	return cli;
}

async function checkLists() {
	await quiet();
	const opens = lists.map((v) => v.es.rec.opens.length);
	const bad = [];
	for (const v of lists) {
		const want = await listTruth(v);
		const have = v.kind === 'history' ? v.hook.state.backtests : v.hook.state.jobs;
		if (canonical(want.map(canonical).sort()) !== canonical(have.map(canonical).sort()))
			bad.push({ v, want, have });
		check(v.hook.state.loading === false && v.hook.state.error === null,
		    `${label(v)}: the hook is loaded without error`, 'loading false, error null', v.hook.state);
	}
	if (bad.length > 0 && lists.some((v, i) => v.es.rec.opens.length !== opens[i]))
		return checkLists();	// a stream reconnected meanwhile: again
	if (bad.length > 0) {
		const { v, want, have } = bad[0];
		const k = v.kind === 'history' ? 'backtest_id' : 'job_id';
		const last = v.es.rec.events.slice(-8).map((e) =>
		    `${e.type} ${e.id ?? ''} ${(e.data ?? '').slice(0, 160)}`);
		fail(`${bad.length} list(s) differ from the truth; first: ${label(v)}\n` +
		    `  its last events:\n    ${last.join('\n    ')}`,
		    want.map((x) => `${x[k]} ${x.status}`).join(', '),
		    have.map((x) => `${x[k]} ${x.status}`).join(', '));
	}
	return lists.reduce((n, v) => n + (v.kind === 'history' ?
	    v.hook.state.backtests : v.hook.state.jobs).length, 0);
}

// Transactions have seqs 1..n in order: none lost, none twice.
function checkSeqs(txs, what) {
	const seqs = txs.map((t) => t.seq);
	const bad = seqs.findIndex((s, i) => s !== i + 1);
	check(bad === -1, `${what}: transaction seqs are 1..${seqs.length}`,
	    `seq ${bad + 1} at ${bad}`, seqs.slice(Math.max(0, bad - 3), bad + 3).join(' '));
}

async function checkProgress(p, truthOf) {
	const { rec, hook, es } = p;
	let what = `progress of ${rec.id} (${rec.uid})`;
	const txs = hook.state.transactions;
	checkSeqs(txs, what);
	const terminals = terminalOf(es);
	check(terminals.length <= 1, `${what}: one terminal event at most`, 1,
	    terminals.map((e) => `${e.type} ${e.id}`).join(', '));
	const truth = await truthOf(rec);
	if (truth === null) {
		// Deleted: the stream said not_found, or its reconnect got 404.
		check(rec.deleted, `${what}: a job we did not delete is gone`);
		check(es.messages().some((e) => e.type === 'error') ||
		    es.rec.opens.at(-1).status === 404 || terminals.length === 1,
		    `${what}: the deletion showed`, 'an error event or 404', es.rec.opens.at(-1));
		return 'deleted';
	}
	const { job, transactions } = truth;
	what += ` (${job.status}: "${job.message}"${job.error_message ? `, "${job.error_message}"` : ''})`;
	checkEq(terminals.length, 1, `${what}: its terminal event, once (job ${job.status})`);
	checkEq(terminals[0].type, job.status, `${what}: the terminal event is the job's status`);
	checkEq(txs, transactions, `${what}: the hook's transactions are the job's`);
	if (job.status === 'completed')
		checkEq(hook.state.result, job.result_summary, `${what}: the result`);
	if (hook.state.progress !== null)
		checkEq(hook.state.progress.status, job.status, `${what}: progress.status`);
	return job.status;
}

async function checkData(d) {
	const { rec, hook, es, interval, limit } = d;
	const what = `data of ${rec.id} ${interval} limit ${limit}`;
	check(es.messages().some((e) => e.type === 'complete'), `${what}: complete came`);
	const want = await bsJson('bars', rec.spec.symbol, interval, '--from', rec.spec.start_date,
	    '--to', rec.spec.end_date, '--limit', String(limit));
	check(hook.state.data.length === want.length && canonical(hook.state.data) === canonical(want),
	    `${what}: the hook's points are the CLI's`, `${want.length} points`,
	    `${hook.state.data.length} points`);
	checkEq(hook.state.progress, { points_sent: want.length, total_points: want.length },
	    `${what}: the hook's progress`);
}

async function main() {
	const t0 = now();
	for (const uid of [...USERS, 'rerun']) {
		const r = await bs('token', '--uid', uid, '--ttl', '2h');
		check(r.code === 0, `token for ${uid}`, 0, r.stderr);
		tokens[uid] = r.stdout.trim();
	}

	step('open the list hooks of every user, and a few jobs with progress and data hooks');
	const opening = now();
	for (const uid of USERS)
		for (const view of uid === USERS.at(-1) ? FEW_VIEWS : VIEWS)
			lists.push({ uid, ...view });
	for (const v of lists)
		mountList(v);
	await waitFor(() => lists.every((v) => v.es.messages().some((e) => e.type === 'snapshot')),
	    60000, 'every list\'s snapshot');
	for (let i = 0; i < 16; i++) {
		const rec = await submitJob(USERS[i % USERS.length]);
		openProgress(rec);
		if (i < MAX_DATA)
			openData(rec);
	}
	// ASan responders on a loaded 2-core machine took more than 20 s.
	await waitFor(() => allSources().every((es) => es.readyState === 1), 60000,
	    'every stream open').catch((e) => {
		e.message += '\n' + notOpen().join('\n');
		throw e;
	});
	note(`${allSources().length} streams open (${lists.length} lists, ` +
	    `${progress.filter(open).length} progress, ${data.filter(open).length} data) ` +
	    `in ${((now() - opening) / 1000).toFixed(1)} s; ` +
	    `${responders('backstream-sse').length} stream responders`);

	step(`faults for ${FAULT_MS / 1000} s: SIGKILLs of responders, the REST responder, ` +
	    'workers and coordinators; lighttpd restarted once');
	const start = now();
	const until = start + FAULT_MS;
	let most = 0;
	let samples = 0;
	const sampler = setInterval(() => {
		const states = [0, 0, 0];
		for (const es of allSources())
			states[es.readyState]++;
		most = Math.max(most, states[1]);
		if (++samples % 25 === 0) {
			const sse = responders('backstream-sse').map((p) => p.pid);
			const live = (xs) => xs.filter((x) => open(x) && x.es.readyState === 1).length;
			note(`${Math.round((now() - start) / 1000)} s: streams open ${states[1]} ` +
			    `(${live(lists)} lists, ${live(progress)} of ${progress.filter(open).length} progress, ` +
			    `${live(data)} data), ` +
			    `connecting ${states[0]}, closed ${states[2]}; stream responders ` +
			    `${sse.length}, busy ${sse.filter(busy).length}`);
		}
	}, 200);
	await Promise.all([faults(until, start + FAULT_MS / 2), workload(until)]);
	clearInterval(sampler);
	note(`streams open at once: up to ${most}`);
	note(`faults: ${counts.killSseBusy} stream responders killed while serving, ` +
	    `${counts.killSseIdle} idle ones, ${counts.killApi} REST responders, ` +
	    `${counts.killWorker} engine workers, ${counts.killCoordinator} coordinators; ` +
	    `lighttpd restarted ${counts.restartLighttpd} time(s)`);
	note(`users: ${counts.submit} submissions (${counts.submitFoundAfterLostAnswer} found ` +
	    `in the list after a lost answer), ${counts.cancel} cancels, ${counts.delete} deletions`);
	check(most >= 50, 'over 50 streams were open at once', '>= 50', most);
	check(counts.restartLighttpd === 1, 'lighttpd was restarted', 1, counts.restartLighttpd);

	step('settle: the pool is whole, every job finishes');
	// Every slot lighttpd still has is served by a live responder of its
	// own, and nothing else holds one (a child of a killed responder
	// would hold its socket, and the requests queued on it, for as long
	// as it lives).
	let pool;
	try {
		await waitFor(() => {
			pool = poolState();
			return pool.others.length === 0 && pool.served === pool.slots &&
			    responders('backstream-sse').length === pool.slots;
		}, 20000, 'every stream slot served by a responder of lighttpd');
	} catch (e) {
		note(`pool: ${canonical(pool)}; responders ${responders('backstream-sse').length}`);
		throw e;
	}
	if (pool.lost > 0)
		note(`lighttpd lost ${pool.lost} of its ${POOL} stream slots (see poolState())`);
	check(pool.lost <= 3, 'lighttpd keeps its stream pool', '<= 3 slots lost', pool.lost);
	const settle = now();
	const all = await waitFor(async () => {
		remountGivenUp();
		const list = await bsJson('jobs', '--any-user', '--limit', '1000');
		if (list.every((j) => ['completed', 'failed', 'cancelled'].includes(j.status)))
			return list;
		await sleep(300);
		return null;
	}, 240000, 'every job to finish');
	note(`${all.length} jobs finished ${Math.round((now() - settle) / 1000)} s after the faults`);

	step('every list hook equals the REST and CLI lists');
	const held = await checkLists();
	note(`${held} items in ${lists.length} lists, equal to the truth`);

	step('every job finished once: one history entry per completed job, contiguous transactions');
	const truths = new Map();
	const truthOf = async (rec) => {
		if (!truths.has(rec.id)) {
			const r = await bs('job', rec.id, '--uid', rec.uid, '--json');
			if (r.code !== 0) {
				check(/no job|not found/i.test(r.stderr), `backstream job ${rec.id}`, 'the job or "no job"', r.stderr);
				truths.set(rec.id, null);
			} else {
				truths.set(rec.id, { job: JSON.parse(r.stdout),
				    transactions: await bsJson('transactions', rec.id, '--uid', rec.uid) });
			}
		}
		return truths.get(rec.id);
	};
	const byStatus = {};
	for (const uid of USERS) {
		const list = await bsJson('jobs', '--uid', uid, '--limit', '1000');
		const history = await restJson('/api/backtesting/history?limit=500', uid);
		const capitals = new Set();
		for (const j of list) {
			bump(byStatus, j.status);
			check(!capitals.has(j.initial_capital), `${uid}: no job submitted twice`,
			    'one job per submission', j.initial_capital);
			capitals.add(j.initial_capital);
			const rec = jobs.get(j.job_id);
			check(rec && !rec.deleted, `${uid}: job ${j.job_id} is one of ours, not deleted`);
			const { transactions } = await truthOf(rec);
			checkSeqs(transactions, `job ${j.job_id}`);
			checkEq(transactions.length, j.transaction_count, `job ${j.job_id}: transaction_count`);
			const entries = history.filter((h) => h.job_id === j.job_id);
			if (j.status === 'completed') {
				check(j.result_summary !== null, `job ${j.job_id}: a result_summary`);
				checkEq(entries.map((h) => h.backtest_id), [j.backtest_id],
				    `job ${j.job_id}: one history entry, its backtest_id`);
				checkEq(entries[0].result_summary, j.result_summary, `job ${j.job_id}: the history's result`);
			} else {
				checkEq(entries.length, 0, `job ${j.job_id} (${j.status}): no history entry`);
			}
		}
		checkEq(history.length, list.filter((j) => j.status === 'completed').length,
		    `${uid}: history entries, one per completed job`);
		for (const rec of jobs.values())
			if (rec.uid === uid && !rec.deleted)
				check(list.some((j) => j.job_id === rec.id), `job ${rec.id} is still there`);
	}
	note(`jobs: ${Object.entries(byStatus).map(([k, n]) => `${n} ${k}`).join(', ')}`);

	step('every progress hook holds its job\'s transactions, once, and its terminal event, once');
	const pStatus = {};
	for (const p of progress)
		bump(pStatus, await checkProgress(p, truthOf));
	for (const r of retired)
		checkSeqs(r.hook.state.transactions, `progress of ${r.rec.id} before a reload`);
	note(`${progress.length} progress hooks: ${Object.entries(pStatus).map(([k, n]) => `${n} ${k}`).join(', ')}`);

	step('every data hook holds the CLI\'s bars');
	await checkClosedData();
	for (const d of data.filter(open))
		await checkData(d);
	note(`${data.length} data hooks, ${data.reduce((n, d) => n + (d.points ?? d.hook.state.data.length), 0)} points`);

	step('no event without an id, nothing failed to parse; reconnects');
	let reconnects = 0;
	for (const x of [...lists, ...progress, ...data]) {
		for (const e of x.es.messages())
			check(e.id !== '' || e.type === 'error', `${x.es.rec.url.replace(/token=[^&]*/, 'token=…')}: ${e.type} has an id`, 'an id', e);
		// (The data hook's "error" listener parses the data of every
		// error event, and a connection's error event has none: the
		// guide's quirk, not a bad event.)
		const bad = x.hook.log.filter((l) => l.level === 'error' &&
		    /Error parsing/.test(l.text) && !/Error parsing error event/.test(l.text));
		check(bad.length === 0, 'nothing failed to parse', 'no parse errors', bad);
		reconnects += x.es.rec.opens.length - 1;
	}
	note(`${reconnects} reconnects by EventSource; hooks mounted again after giving up: ` +
	    `${canonical(counts.remounts)}`);
	note(`retries: REST ${canonical(counts.restRetries)}, CLI ${canonical(counts.cliRetries)}`);
	for (const x of [...lists, ...progress, ...data])
		x.hook.unmount();

	step('completed jobs equal a clean rerun');
	// The engine loop stops; the reruns go through one engine at full speed.
	process.kill(ENGINE_LOOP, 'SIGTERM');
	await waitFor(() => !alive(ENGINE_LOOP) && workers().length === 0 && coordinator() === null,
	    30000, 'the engine loop to stop');
	const rerunConf = `${TMP}/rerun.conf`;
	fs.writeFileSync(rerunConf, fs.readFileSync(CONF, 'utf8').replace(/^engine_bar_rate = .*$/m, '') +
	    'engine_bar_rate = 0\n');
	const completed = [];
	for (const uid of USERS)
		for (const j of await bsJson('jobs', '--uid', uid, '--status', 'completed', '--limit', '1000'))
			completed.push({ j, rec: jobs.get(j.job_id) });
	const reruns = new Map();
	for (const { j, rec } of completed) {
		const r = await bs('submit', '--uid', 'rerun', '--json', JSON.stringify(rec.spec));
		check(r.code === 0, 'a rerun submitted', 0, r.stderr);
		reruns.set(j.job_id, JSON.parse(r.stdout).job_id);
	}
	await new Promise((resolve, reject) => {
		const e = spawn(ENGINE, ['-c', rerunConf, '--once'], { stdio: ['ignore', 'ignore', 'pipe'] });
		let stderr = '';
		e.stderr.on('data', (b) => { stderr += b; });
		e.on('exit', (code) => code === 0 && !SANITIZER.test(stderr) ? resolve() :
		    reject(new Error(`the rerun engine exited ${code}: ${stderr.slice(-2000)}`)));
	});
	for (const { j } of completed) {
		const id = reruns.get(j.job_id);
		const again = await bsJson('job', id, '--uid', 'rerun');
		checkEq(again.status, 'completed', `the rerun of ${j.job_id}`);
		checkEq(j.result_summary, again.result_summary, `job ${j.job_id}: the result of a clean rerun`);
		checkEq((await truthOf(jobs.get(j.job_id))).transactions,
		    await bsJson('transactions', id, '--uid', 'rerun'),
		    `job ${j.job_id}: the transactions of a clean rerun`);
	}
	note(`${completed.length} completed jobs equal their clean reruns`);
	note(`${Math.round((now() - t0) / 1000)} s in all`);
}

run(main, FAULT_MS + 400000);
