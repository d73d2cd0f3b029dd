// client.mjs: what the stream tests share: an EventSource that behaves like a browser's and records what it sees, raw HTTP, the CLI and engine, lighttpd's backends, checks and bounded waits.
//
// The scripts run under tests/sse-*.sh, which start lighttpd and pass
// everything through the environment (see tests/sse-lib.sh).

import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

function need(name) {
	const v = process.env[name];
	if (v === undefined || v === '') {
		console.error(`FAIL: ${name} is not set (run me through tests/sse-*.sh)`);
		process.exit(1);
	}
	return v;
}

export const TEST = process.env.TEST_NAME || 'sse';
export const BASE = need('SSE_BASE');
export const TMP = need('TMP');
const BACKSTREAM = need('BACKSTREAM');
const ENGINE = need('ENGINE');
const SLOWCLOCK = process.env.SLOWCLOCK || '';
const LIGHTTPD_PID = need('LIGHTTPD_PID');
const CONF = need('BACKSTREAM_CONF');

const require = createRequire(need('SSE_NODE_DIR') + '/package.json');
const { EventSource: SpecEventSource } = require('eventsource');

export const now = () => performance.now();

// ---- the test's own frame ------------------------------------------------------

let stepName = '';
const cleanups = [];

export function step(what) {
	stepName = what;
	console.log(`--- ${what}`);
}

export function note(what) {
	console.log(`    ${what}`);
}

class TestFailure extends Error {}

const show = (v) => {
	const s = typeof v === 'string' ? v : canonical(v);
	return s.length > 1500 ? s.slice(0, 1500) + '…' : s;
};

// Fails the test, printing both sides when given.
export function fail(what, expected, actual) {
	let msg = what;
	if (arguments.length >= 3)
		msg += `\n  expected: ${show(expected)}\n  actual:   ${show(actual)}`;
	throw new TestFailure(msg);
}

export function check(cond, what, expected, actual) {
	if (!cond) {
		if (arguments.length >= 4)
			fail(what, expected, actual);
		fail(what);
	}
}

// JSON with object keys sorted: equal objects print the same.
export function canonical(v) {
	if (Array.isArray(v))
		return '[' + v.map(canonical).join(',') + ']';
	if (v && typeof v === 'object')
		return '{' + Object.keys(v).sort().map((k) =>
		    JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
	return JSON.stringify(v) ?? 'undefined';
}

export function checkEq(actual, expected, what) {
	if (canonical(actual) !== canonical(expected))
		fail(what, expected, actual);
}

// Whether two lists hold the same objects, whatever their order.
export function sameSet(a, b) {
	const ka = a.map(canonical).sort(), kb = b.map(canonical).sort();
	return ka.length === kb.length && ka.every((x, i) => x === kb[i]);
}

export function checkSameSet(actual, expected, what, key) {
	if (sameSet(actual, expected))
		return;
	const ids = (l) => l.map((x) => x[key]).join(' ');
	const byKey = new Map(expected.map((x) => [x[key], canonical(x)]));
	const differ = actual.filter((x) => byKey.has(x[key]) &&
	    byKey.get(x[key]) !== canonical(x)).map((x) => x[key]);
	fail(`${what}: not the same set` +
	    (differ.length ? ` (objects differ: ${differ.join(' ')})` : ''),
	    ids(expected), ids(actual));
}

// Polls fn (sync or async) every 10 ms until it returns a truthy value,
// which it returns; fails after ms.
// ms is what the caller expects; the wait fails only after HANG_MS at the
// least, a hang guard that no load reaches (tests/lib.sh: what a test may
// wait on).
export const HANG_MS = 120000;
export async function waitFor(fn, ms, what) {
	ms = Math.max(ms, HANG_MS);
	const end = now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (now() > end)
			fail(`waited ${ms} ms for ${what}`);
		await sleep(10);
	}
}

// Runs main with a deadline; closes every stream and stops every process
// it started; exits 0 or 1.
export function run(main, deadlineMs = 240000) {
	deadlineMs = Math.max(deadlineMs, 5 * HANG_MS);	// a hang guard too
	const timer = setTimeout(() => {
		console.error(`FAIL: ${TEST}: deadline of ${deadlineMs} ms passed in step "${stepName}"`);
		finish(1);
	}, deadlineMs);
	const finish = (code) => {
		clearTimeout(timer);
		for (const f of cleanups.splice(0).reverse()) {
			try { f(); } catch { /* going anyway */ }
		}
		process.exit(code);
	};
	main().then(() => {
		console.log(`${TEST}: all checks passed`);
		finish(0);
	}, (e) => {
		if (e instanceof TestFailure)
			console.error(`FAIL: ${TEST}: ${stepName}: ${e.message}`);
		else
			console.error(`FAIL: ${TEST}: ${stepName}: unexpected`, e);
		finish(1);
	});
}

export function atExit(f) {
	cleanups.push(f);
}

// A seeded generator (mulberry32), so that a failing run can be repeated
// with SSE_SEED.
export function random(seed) {
	let a = seed >>> 0;
	const next = () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	return {
		next,
		int: (n) => Math.floor(next() * n),
		pick: (list) => list[Math.floor(next() * list.length)],
	};
}

export function seed() {
	const s = process.env.SSE_SEED ? Number(process.env.SSE_SEED) :
	    Math.floor(Math.random() * 1e9);
	note(`seed ${s} (SSE_SEED=${s} repeats this run)`);
	return s;
}

// ---- configuration ------------------------------------------------------------------

// Milliseconds of a duration as the configuration writes it ("1s", "300ms").
function duration(v) {
	const m = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(v.trim());
	if (!m)
		return NaN;
	const unit = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
	return Number(m[1]) * unit[m[2] ?? 's'];
}

// The test's backstream.conf, durations in ms.
export function conf() {
	const out = {};
	for (const line of fs.readFileSync(CONF, 'utf8').split('\n')) {
		const m = /^(\w+)\s*=\s*(.*)$/.exec(line);
		if (m)
			out[m[1]] = m[2];
	}
	for (const k of ['heartbeat', 'retry', 'stream_lifetime',
	    'stream_jitter', 'poll_interval', 'token_leeway',
	    'token_expiry_leeway'])
		if (k in out)
			out[k] = duration(out[k]);
	return out;
}

// ---- the EventSource ----------------------------------------------------------

const sources = new Set();
let lastEventAt = 0;

/*
 * The eventsource package is WHATWG's EventSource (Last-Event-ID on
 * reconnect, retry:, no reconnect after 204 or another status).  Two
 * things are made as in browsers: onerror is an event handler attribute,
 * so it also sees a server-sent "event: error" (after the listeners added
 * before it was set); and every event is recorded, with the HTTP status
 * and Last-Event-ID of every connection.  {bearer} sends the token in
 * Authorization instead (not something a browser's EventSource can do).
 */
export class EventSource extends SpecEventSource {
	#onerror = null;
	#forwarding = false;

	constructor(url, init = {}) {
		const rec = { url: String(url), opens: [], events: [] };
		super(url, {
			fetch: (u, i) => {
				const headers = { ...i.headers };
				if (init.bearer)
					headers.Authorization = `Bearer ${init.bearer}`;
				const open = { t: now(), lastEventId:
				    headers['Last-Event-ID'] ?? null, status: null };
				rec.opens.push(open);
				return fetch(u, { ...i, headers }).then((res) => {
					open.status = res.status;
					open.headers = res.headers;
					return res;
				});
			},
		});
		this.rec = rec;
		sources.add(this);
	}

	get onerror() {
		return this.#onerror;
	}

	set onerror(fn) {
		if (!this.#forwarding) {
			this.#forwarding = true;
			this.addEventListener('error', (e) => this.#onerror?.call(this, e));
		}
		this.#onerror = fn;
	}

	dispatchEvent(ev) {
		const t = now();
		if (ev.type !== 'open')
			lastEventAt = t;
		this.rec.events.push({ t, type: ev.type,
		    message: ev instanceof MessageEvent, data: ev.data,
		    id: ev instanceof MessageEvent ? ev.lastEventId : undefined,
		    code: ev.code, text: ev.message,
		    readyState: this.readyState });
		return super.dispatchEvent(ev);
	}

	close() {
		super.close();
		sources.delete(this);
	}

	// The server's messages (not open and connection errors), from index i.
	messages(i = 0) {
		return this.rec.events.slice(i).filter((e) => e.message);
	}

	// Waits for a message of type (matching pred) recorded at index >= from.
	async next(type, { from = 0, ms = 10000, pred = () => true } = {}) {
		return waitFor(() => {
			const ev = this.rec.events.slice(from).find((e) =>
			    e.message && e.type === type && pred(e));
			return ev;
		}, ms, `"${type}" on ${this.rec.url.replace(/token=[^&]*/, 'token=…')}`);
	}
}
atExit(() => {
	for (const es of [...sources])
		es.close();
});

export const hookEnv = { EventSource, base: BASE };

// Waits until no stream has had an event for ms (counted from the call at
// the earliest) and every one is open: a quiet moment.
export async function quiet(ms = 500, max = 20000) {
	const from = now();
	await waitFor(() => now() - Math.max(lastEventAt, from) >= ms &&
	    [...sources].every((s) => s.readyState === 1), max,
	    'a quiet moment (every stream open, no events)');
}

// ---- raw HTTP ----------------------------------------------------------------------

/*
 * GETs path and keeps reading for ms (or until until(body) holds, or the
 * response ends); onData(body) sees the body as it grows.  Returns
 * { status, headers, body, chunks: [{t, text}], ended, t0, tEnd } (tEnd:
 * when the response ended, if it did).
 */
export function rawGet(path, { headers = {}, ms = 3000, until, onData, method = 'GET' } = {}) {
	return new Promise((resolve, reject) => {
		const t0 = now();
		const out = { status: 0, headers: {}, body: '', chunks: [],
		    ended: false, t0 };
		let done = false;
		const finish = () => {
			if (done)
				return;
			done = true;
			clearTimeout(timer);
			req.destroy();
			resolve(out);
		};
		const req = http.request(BASE + path, { method, headers,
		    agent: false }, (res) => {
			out.status = res.statusCode;
			out.headers = res.headers;
			res.setEncoding('utf8');
			res.on('data', (d) => {
				out.chunks.push({ t: now(), text: d });
				out.body += d;
				onData?.(out.body);
				if (until && until(out.body))
					finish();
			});
			res.on('end', () => {
				out.ended = true;
				out.tEnd = now();
				finish();
			});
			res.on('error', finish);
		});
		req.on('error', (e) => done ? null : reject(e));
		const timer = setTimeout(finish, ms);
		req.end();
	});
}

/*
 * Splits an event stream into its blocks (separated by a blank line):
 * each { fields: [[name, value]…], comments: [text…] }.  What follows the
 * last blank line is an event cut short, which a client drops too.
 */
export function parseWire(text) {
	const blocks = [];
	for (const raw of text.split(/\r\n\r\n|\n\n|\r\r/).slice(0, -1)) {
		if (raw === '')
			continue;
		const b = { fields: [], comments: [], raw };
		for (const line of raw.split(/\r\n|\n|\r/)) {
			if (line.startsWith(':')) {
				b.comments.push(line.slice(1).trim());
				continue;
			}
			const i = line.indexOf(':');
			const name = i < 0 ? line : line.slice(0, i);
			let value = i < 0 ? '' : line.slice(i + 1);
			if (value.startsWith(' '))
				value = value.slice(1);
			b.fields.push([name, value]);
		}
		blocks.push(b);
	}
	return blocks;
}

/*
 * GETs path and reads its events as they come, for ms at most, until
 * stop(event, events) holds or the response ends.  Returns { status,
 * headers, body (when not 200), events: [{ id, event, data (parsed) }],
 * ended }.  Parses as it reads: a stream of megabytes is not rescanned.
 */
export function rawEvents(path, { headers = {}, ms = 3000, stop = () => false } = {}) {
	return new Promise((resolve, reject) => {
		const out = { status: 0, headers: {}, body: '', events: [], ended: false };
		let buf = '', done = false;
		const finish = () => {
			if (done)
				return;
			done = true;
			clearTimeout(timer);
			req.destroy();
			resolve(out);
		};
		const req = http.request(BASE + path, { headers, agent: false }, (res) => {
			out.status = res.statusCode;
			out.headers = res.headers;
			res.setEncoding('utf8');
			res.on('data', (d) => {
				if (res.statusCode !== 200) {
					out.body += d;
					return;
				}
				buf += d;
				let from = 0;
				for (let i; !done && (i = buf.indexOf('\n\n', from)) !== -1; from = i + 2) {
					const b = parseWire(buf.slice(from, i + 2))[0];
					if (!b || !b.fields.some(([n]) => n === 'event'))
						continue;
					const f = Object.fromEntries(b.fields.filter(([n]) => n !== 'data'));
					const data = b.fields.filter(([n]) => n === 'data').map(([, v]) => v).join('\n');
					const ev = { id: f.id, event: f.event, data: JSON.parse(data) };
					out.events.push(ev);
					if (stop(ev, out.events))
						finish();
				}
				buf = buf.slice(from);
			});
			res.on('end', () => {
				out.ended = true;
				out.tEnd = now();
				finish();
			});
			res.on('error', finish);
		});
		req.on('error', (e) => done ? null : reject(e));
		const timer = setTimeout(finish, ms);
		req.end();
	});
}

// A JSON fetch of the REST API: { status, body }.
export async function rest(path, token, init = {}) {
	const res = await fetch(BASE + path, { ...init, headers: {
	    ...(init.headers ?? {}), ...(token ? { Authorization:
	    `Bearer ${token}` } : {}) } });
	const text = await res.text();
	let body = text;
	try {
		body = JSON.parse(text);
	} catch { /* not JSON: kept as text */ }
	return { status: res.status, body, headers: res.headers };
}

// ---- the CLI and the engine -------------------------------------------------

const SANITIZER = /Sanitizer|runtime error:/;

/*
 * Runs backstream ARGS: { code, stdout, stderr } (bounded: 60 s).  Exit
 * status 75 says a store operation stalled behind a dead process and the
 * store will be recovered: after a test killed a responder that is an
 * answer to try again, which is done (once, with a note in the log).
 */
export async function bs(...args) {
	const r = await bsOnce(...args);
	if (r.code !== 75)
		return r;
	note(`backstream ${args[0]} exited 75 (${r.stderr.trim()}); trying again`);
	return bsOnce(...args);
}

function bsOnce(...args) {
	return new Promise((resolve) => {
		execFile(BACKSTREAM, args, { timeout: 60000, maxBuffer: 1 << 26 },
		    (err, stdout, stderr) => {
			if (SANITIZER.test(stderr))
				console.error(`sanitizer report from backstream ${args.join(' ')}:\n${stderr}`);
			resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr,
			    sanitizer: SANITIZER.test(stderr) });
		});
	});
}

// Runs backstream ARGS --json and returns the parsed output; fails unless it exits 0.
export async function bsJson(...args) {
	const r = await bs(...args, '--json');
	check(r.code === 0 && !r.sanitizer, `backstream ${args.join(' ')} exits 0`,
	    0, `${r.code}: ${r.stderr}`);
	return JSON.parse(r.stdout);
}

export async function token(uid, ttl = '1h') {
	const r = await bs('token', '--uid', uid, '--ttl', String(ttl));
	check(r.code === 0, `token for ${uid}`, 0, `${r.code}: ${r.stderr}`);
	return r.stdout.trim();
}

// Submits a job; returns it as the CLI prints it (the REST shape).
export async function submit(uid, spec) {
	const r = await bs('submit', '--uid', uid, '--json', JSON.stringify(spec));
	check(r.code === 0 && !r.sanitizer, `backstream submit for ${uid} exits 0`,
	    0, `${r.code}: ${r.stderr}`);
	return JSON.parse(r.stdout);
}

// A small job's spec: a few hundred bars at most, done in milliseconds.
export function spec(over = {}) {
	return { symbol: 'DEMO', interval: 'day', start_date: '2024-01-01',
	    end_date: '2024-06-30', strategy: 'sma_crossover',
	    params: { fast: 5, slow: 20 }, ...over };
}

// A year of minute bars: 98,250 bars, hundreds of transactions; seconds
// long under the slowed clock (engine({slowMs})).
export function longSpec(over = {}) {
	return spec({ interval: 'minute', start_date: '2024-01-01',
	    end_date: '2024-12-31', strategy: 'rsi_reversion', params: {},
	    ...over });
}

// Kills pid and its descendants (the engine forks a worker per job).
function killTree(pid) {
	let kids = [];
	try {
		kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)],
		    { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
	} catch { /* none */ }
	try {
		process.kill(pid, 'SIGKILL');
	} catch { /* gone */ }
	for (const k of kids)
		killTree(k);
}

const children = new Set();
atExit(() => {
	for (const c of children)
		killTree(c.pid);
});

/*
 * Starts backstream-engine --once.  slowMs makes each of its clock reads
 * sleep that long (a year of minute bars then takes about 100 × slowMs);
 * hold names a file while which it stops at its next clock read, outside
 * any transaction; barRate holds its jobs to that many bars a second
 * (engine_bar_rate, through a copy of the configuration).  Returns
 * { proc, done } where done resolves to { code, stderr } when it exits.
 */
export function engine({ slowMs = 0, hold = null, barRate = 0 } = {}) {
	const env = { ...process.env };
	const args = ['--once'];
	if (barRate > 0) {
		const path = `${TMP}/engine-rate-${barRate}.conf`;
		fs.writeFileSync(path, fs.readFileSync(CONF, 'utf8')
		    .replace(/^engine_bar_rate\s*=.*\n?/m, '') + `engine_bar_rate = ${barRate}\n`);
		args.unshift('-c', path);
	}
	if (slowMs > 0 || hold) {
		check(SLOWCLOCK !== '', 'the slowclock shim is built');
		env.LD_PRELOAD = SLOWCLOCK;
		env.SLOWCLOCK_MS = String(slowMs);
		if (hold)
			env.SLOWCLOCK_HOLD = hold;
		// ASan wants to come first; the shim only wraps clock_gettime.
		env.ASAN_OPTIONS = [env.ASAN_OPTIONS, 'verify_asan_link_order=0']
		    .filter(Boolean).join(':');
	}
	const proc = spawn(ENGINE, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
	children.add(proc);
	let stderr = '';
	proc.stderr.setEncoding('utf8');
	proc.stderr.on('data', (d) => { stderr += d; });
	const done = new Promise((resolve) => proc.on('exit', (code, sig) => {
		children.delete(proc);
		if (SANITIZER.test(stderr))
			console.error(`sanitizer report from the engine:\n${stderr}`);
		resolve({ code: code ?? sig, stderr });
	}));
	return { proc, done };
}

/*
 * Stops an engine() run as cron's or systemd's stop does, SIGTERM to its
 * coordinator and workers: a running job is queued again.  Resolves like
 * its done.
 */
export function stopEngine(e) {
	let kids = [];
	try {
		kids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(e.proc.pid)],
		    { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
	} catch { /* none */ }
	for (const pid of [e.proc.pid, ...kids]) {
		try {
			process.kill(pid, 'SIGTERM');
		} catch { /* gone */ }
	}
	return e.done;
}

// Runs the engine once to the end and checks that it exits 0.
export async function engineOnce(opts) {
	const { code, stderr } = await engine(opts).done;
	check(code === 0 && !SANITIZER.test(stderr), 'the engine exits 0 with no sanitizer report', 0, `${code}: ${stderr}`);
}

// ---- lighttpd's backends ------------------------------------------------------------

// The stream responders lighttpd runs now.
export function backends() {
	const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', LIGHTTPD_PID],
	    { encoding: 'utf8' });
	return out.split('\n').map((l) => l.trim().split(/\s+/))
	    .filter((f) => f[1] === 'backstream-sse').map((f) => Number(f[0]));
}

// The sockets pid has open besides its listening one (descriptor 0): the
// connection of the request it serves, if any.
function connections(pid) {
	const out = [];
	try {
		for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
			if (fd === '0')
				continue;
			try {
				const l = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
				if (l.startsWith('socket:'))
					out.push(l);
			} catch { /* closed meanwhile */ }
		}
	} catch { /* gone */ }
	return out;
}

// Responders serving a request now.
export function busyBackends() {
	return new Set(backends().filter((pid) => connections(pid).length > 0));
}

// The requests being served now, each as "pid socket": a responder that
// finished one request and took the next counts as a new one.
function servedNow() {
	const out = new Set();
	for (const pid of backends())
		for (const c of connections(pid))
			out.add(`${pid} ${c}`);
	return out;
}

// Waits for exactly one request served now that was not in before; its pid.
function newlyServed(before, what) {
	return waitFor(() => {
		const fresh = [...servedNow()].filter((k) => !before.has(k));
		return fresh.length === 1 ? Number(fresh[0].split(' ')[0]) : null;
	}, 5000, what);
}

/*
 * Opens a stream with open() (returning an EventSource, or a hook whose
 * stream it is) and finds the responder serving it: the one that became
 * busy by the time the stream's first event (firstEvent) came.  Opens
 * nothing else meanwhile.  Returns { es, pid, result, at } (at: when the
 * first event came).
 */
export async function openTracked(open, firstEvent = 'connection') {
	const before = servedNow();
	const result = await open();
	const es = result instanceof EventSource ? result :
	    result.eventSourceRef.current;
	const first = await es.next(firstEvent, { ms: 10000 });
	const pid = await newlyServed(before, 'the responder that serves the new stream');
	return { es, pid, result, at: first.t };
}

/*
 * Waits until at least n responders are free.  A client that went away
 * holds its responder until the next heartbeat shows it gone, and when
 * every responder is busy lighttpd queues a new request behind a busy one,
 * which may be a stream that never ends: tests that open and drop many
 * streams wait here before opening ones that stay.
 */
export async function freeBackends(n = 3, ms = 10000) {
	await waitFor(() => backends().length - busyBackends().size >= n, ms,
	    `${n} free responders`);
}

// x86_64 system calls a responder waits in outside any store call.
const SYS = { read: 0, write: 1, poll: 7, writev: 20, sendto: 44,
    sendmsg: 46, futex: 202, ppoll: 271 };

/*
 * Whether pid waits outside the store: in the futex of its notify word
 * (the stream loop) or in socket I/O.  A process killed inside a store
 * call may hold a shared mutex, and the store then recovers (a subject of
 * test-kill, not of these tests).
 */
function waitingOutsideStore(pid) {
	if (process.arch !== 'x64')
		return true;
	try {
		const f = fs.readFileSync(`/proc/${pid}/syscall`, 'utf8').trim().split(' ');
		const nr = Number(f[0]);
		if ([SYS.write, SYS.poll, SYS.writev, SYS.sendto, SYS.sendmsg, SYS.ppoll].includes(nr))
			return true;
		if (nr !== SYS.futex)
			return false;
		const addr = BigInt(f[1]);
		return fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').some((l) => {
			const m = /^([0-9a-f]+)-([0-9a-f]+) .*\/notify$/.exec(l);
			return m && addr >= BigInt(`0x${m[1]}`) && addr < BigInt(`0x${m[2]}`);
		});
	} catch {
		return true;	// gone already
	}
}

// Stops pid (SIGSTOP) where it waits outside the store; tries again
// until it is caught there.
export async function stopOutsideStore(pid) {
	await waitFor(async () => {
		process.kill(pid, 'SIGSTOP');
		await waitFor(() => {
			try {
				return /^\d+ \(.*\) [Tt]/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
			} catch {
				return true;
			}
		}, 2000, `responder ${pid} to stop`);
		if (waitingOutsideStore(pid))
			return true;
		process.kill(pid, 'SIGCONT');
		await sleep(3);
		return false;
	}, 5000, `responder ${pid} to wait outside the store`);
}

/*
 * Cuts es's connection by sending signal to pid, the responder serving it
 * (SIGKILL only while it waits outside the store); waits for the
 * EventSource's reconnect.  Returns the responder serving it then, or null
 * when the reconnect was refused (204, 401, …).
 */
export async function cut(es, pid, signal = 'SIGKILL') {
	const opens = es.rec.opens.length;
	if (signal === 'SIGKILL')
		await stopOutsideStore(pid);
	const before = servedNow();
	process.kill(pid, signal);
	await waitFor(() => es.rec.opens.length > opens &&
	    es.rec.opens.at(-1).status !== null, 20000, 'the reconnect after a cut');
	if (es.rec.opens.at(-1).status !== 200)
		return null;
	return newlyServed(before, 'the responder after the reconnect');
}

export function alive(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^\d+ \(.*\) Z/.test(stat);
	} catch {
		return false;
	}
}
