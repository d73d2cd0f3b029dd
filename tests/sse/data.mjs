// data.mjs: chart data streams: every interval (resampled where not stored) for queued, running, finished and failed jobs and for a backtest id, chunk_size and limit, the guide's data hooks, and the sequential ?intervals=a,b variant resumed at every event.
import fs from 'node:fs';
import {
	bsJson, check, checkEq, engine, engineOnce, EventSource, freeBackends, HANG_MS,
	hookEnv, longSpec, note, random, rawEvents, run, seed, sleep, spec,
	step, submit, TMP, token, waitFor,
} from './client.mjs';
import {
	useBacktestDataSSE, useBacktestMultiIntervalSSE,
} from './hooks.mjs';

const rnd = random(seed());
const INTERVALS = ['minute', '3minute', '5minute', '10minute', '15minute',
    '30minute', '60minute', 'day'];
const MINUTES = { minute: 1, '3minute': 3, '5minute': 5, '10minute': 10,
    '15minute': 15, '30minute': 30, '60minute': 60 };

// The events of a data stream read raw until it has sent completes
// complete events (or ended).
function events(path, headers = {}, completes = 1) {
	let found = 0;
	return rawEvents(path, { ms: HANG_MS, headers,
	    stop: (ev) => ev.event === 'complete' && ++found >= completes });
}

// The points the CLI computes for a job's range: the most recent limit.
function cliBars(sp, interval, limit) {
	return bsJson('bars', sp.symbol, interval, '--from', sp.start_date,
	    '--to', sp.end_date, '--limit', String(limit));
}

const iso = (t) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

// The contract's resampling, done here from minute bars.
function resample(minutes, interval) {
	const out = [];
	let cur = null, key = null, anchorDay = null, anchor = 0;
	for (const b of minutes) {
		const t = Date.parse(b.time) / 1000;
		const day = Math.floor(t / 86400) * 86400;
		let k;
		if (interval === 'day')
			k = day;
		else {
			if (day !== anchorDay) {
				anchorDay = day;
				anchor = t;	// the day's first minute bar
			}
			const m = MINUTES[interval] * 60;
			k = anchor + Math.floor((t - anchor) / m) * m;
		}
		if (k !== key) {
			if (cur)
				out.push(cur);
			key = k;
			cur = { time: iso(k), open: b.open, high: b.high, low: b.low,
			    close: b.close, volume: b.volume };
		} else {
			cur.high = Math.max(cur.high, b.high);
			cur.low = Math.min(cur.low, b.low);
			cur.close = b.close;
			cur.volume += b.volume;
		}
	}
	if (cur)
		out.push(cur);
	return out;
}

/*
 * Checks one single-interval stream against the points it must carry:
 * interval_start, chunks of chunk points (the last may be shorter) with
 * ids K.N and running points_sent, complete with a .end id.
 */
function checkStream(ev, want, chunk, what) {
	check(ev.length >= 2, `${what}: events`, 'interval_start … complete', ev.map((e) => e.event).join(' '));
	checkEq(ev[0].event, 'interval_start', `${what}: the first event`);
	checkEq(ev[0].data.total_points, want.length, `${what}: interval_start total_points`);
	checkEq(ev[0].id, '0.0', `${what}: interval_start id`);
	const chunks = ev.slice(1, -1);
	checkEq(chunks.length, Math.ceil(want.length / chunk), `${what}: chunks`);
	let sent = 0;
	for (const c of chunks) {
		checkEq(c.event, 'data_chunk', `${what}: a chunk`);
		const n = c.data.data_points.length;
		check(n === chunk || (c === chunks.at(-1) && n > 0 && n <= chunk),
		    `${what}: points in a chunk`, chunk, n);
		sent += n;
		checkEq([c.data.points_sent, c.data.total_points, c.id],
		    [sent, want.length, `0.${sent}`], `${what}: points_sent, total_points, id`);
	}
	const points = chunks.flatMap((c) => c.data.data_points);
	for (let i = 1; i < points.length; i++)
		check(points[i].time > points[i - 1].time, `${what}: ascending times`,
		    `after ${points[i - 1].time}`, points[i].time);
	checkEq(points, want, `${what}: the points`);
	const last = ev.at(-1);
	checkEq(last.event, 'complete', `${what}: the last event`);
	checkEq([last.data.total_points, last.id], [want.length, `0.${want.length}.end`],
	    `${what}: complete`);
}

async function main() {
	const alice = await token('alice');
	const hold = `${TMP}/engine-hold`;

	step('jobs in every state');
	const finished = await submit('alice', spec({ start_date: '2024-01-01', end_date: '2024-03-31' }));
	const failed = await submit('alice', spec({ symbol: 'ACME', start_date: '2023-01-01', end_date: '2023-12-31' }));
	await engineOnce();
	const fin = await bsJson('job', finished.job_id, '--uid', 'alice');
	checkEq(fin.status, 'completed', 'the finished job');
	checkEq((await bsJson('job', failed.job_id, '--uid', 'alice')).status, 'failed', 'the failed job');
	const running = await submit('alice', longSpec({ symbol: 'GLOBEX' }));
	const e = engine({ slowMs: 20, hold });
	await waitFor(async () => (await bsJson('job', running.job_id, '--uid', 'alice')).status === 'running',
	    20000, 'the long job to run');
	fs.writeFileSync(hold, '');
	const queued = await submit('alice', spec({ symbol: 'INITECH', interval: '5minute',
	    start_date: '2024-03-04', end_date: '2024-03-08' }));
	const targets = [
		{ what: 'a finished job', id: finished.job_id, spec: finished },
		{ what: 'its backtest id', id: fin.backtest_id, spec: finished },
		{ what: 'a running job', id: running.job_id, spec: running },
		{ what: 'a queued job', id: queued.job_id, spec: queued },
		{ what: 'a failed job (no bars in range)', id: failed.job_id, spec: failed },
	];

	step('every interval of each, with random limits and chunk sizes');
	for (const t of targets) {
		const counts = [];
		for (const interval of INTERVALS) {
			const limit = rnd.pick([1, 5, 100, 1000, 20000, 1000000]);
			const chunk = limit <= 100 ? rnd.pick([1, 3, 500]) : rnd.pick([7, 500, 10000]);
			const want = await cliBars(t.spec, interval, limit);
			const r = await events(`/api/sse/backtest/${t.id}/data?interval=${interval}&limit=${limit}&chunk_size=${chunk}&token=${alice}`);
			checkEq(r.status, 200, `${t.what} ${interval}: status`);
			checkStream(r.events, want, chunk, `${t.what} ${interval} limit ${limit} chunk_size ${chunk}`);
			counts.push(`${interval} ${want.length}`);
		}
		note(`${t.what}: ${counts.join(', ')} points`);
	}
	fs.unlinkSync(hold);
	checkEq((await e.done).code, 0, 'the engine exit status');

	step('resampled points follow the contract\'s rule (computed here from minute bars)');
	{
		const minutes = await cliBars(finished, 'minute', 1000000);
		for (const interval of INTERVALS) {
			const want = resample(minutes, interval);
			const r = await events(`/api/sse/backtest/${finished.job_id}/data?interval=${interval}&limit=1000000&chunk_size=10000&token=${alice}`);
			checkStream(r.events, want, 10000, `${interval} resampled`);
		}
		note(`${minutes.length} minute bars; every interval matches`);
	}

	step('the most recent limit points of the range, and the default limit and chunk size');
	{
		const all = await cliBars(finished, '30minute', 1000000);
		const r = await events(`/api/sse/backtest/${finished.job_id}/data?interval=30minute&token=${alice}`);
		checkStream(r.events, all.slice(-1000), 500, '30minute with the defaults');
		checkEq(r.events.at(-1).data.last_time, all.at(-1).time, 'the last point is the range\'s last');
	}

	step('the guide\'s data hook and multi-interval hook');
	await freeBackends(4);
	{
		const h = useBacktestDataSSE({ id: fin.backtest_id, interval: '5minute', token: alice }, hookEnv);
		await h.eventSourceRef.current.next('complete');
		checkEq(h.state.data, await cliBars(finished, '5minute', 1000), "the data hook's points");
		checkEq([h.state.loading, h.state.error], [false, null], "the data hook's loading and error");
		checkEq(h.state.progress.points_sent, 1000, "the data hook's points_sent");
		h.unmount();
		const intervals = ['day', 'minute', '3minute'];
		const m = useBacktestMultiIntervalSSE({ id: finished.job_id, intervals, token: alice }, hookEnv);
		for (const es of m.eventSourceRef.current.values())
			await es.next('complete');
		for (const iv of intervals) {
			checkEq(m.state.dataByInterval[iv], await cliBars(finished, iv, 1000), `the multi hook's ${iv}`);
			checkEq(m.state.loading[iv], false, `the multi hook's loading of ${iv}`);
		}
		checkEq(m.state.error, null, "the multi hook's error");
		m.unmount();
	}

	step('?intervals=a,b: one interval after the other, each event naming its interval');
	const seqIntervals = ['minute', '5minute', 'day'];
	const base = `/api/sse/backtest/${finished.job_id}/data?intervals=${seqIntervals.join(',')}&limit=300&chunk_size=7&token=${alice}`;
	const full = await events(base, {}, seqIntervals.length);
	const wantBy = {};
	for (const iv of seqIntervals)
		wantBy[iv] = await cliBars(finished, iv, 300);
	{
		let k = -1;
		for (const ev of full.events) {
			if (ev.event === 'interval_start')
				k++;
			checkEq(ev.data.interval, seqIntervals[k], `the interval of ${ev.event} ${ev.id}`);
			check(ev.id.startsWith(`${k}.`), 'ids count the intervals', `${k}.…`, ev.id);
		}
		checkEq(k, seqIntervals.length - 1, 'intervals sent');
		for (const [i, iv] of seqIntervals.entries()) {
			const part = full.events.filter((x) => x.data.interval === iv)
			    .map((x) => ({ ...x, id: x.id.replace(/^\d+\./, '0.') }));
			if (i < seqIntervals.length - 1)
				check(part.at(-1).id.endsWith('.end'), `the complete of ${iv} ends in .end`, '.end', part.at(-1).id);
			checkStream(part, wantBy[iv], 7, `intervals=…: ${iv}`);
		}
	}

	step('?intervals=a,b resumed after every single event: each event exactly once');
	{
		const all = full.events;
		for (let i = 0; i < all.length; i++) {
			const r = await events(base, { 'Last-Event-ID': all[i].id },
			    all.slice(i + 1).filter((x) => x.event === 'complete').length);
			if (i === all.length - 1) {
				checkEq(r.status, 204, 'a resume after the last complete');
				continue;
			}
			checkEq(r.events.map((x) => `${x.id} ${x.event}`), all.slice(i + 1).map((x) => `${x.id} ${x.event}`),
			    `the events after ${all[i].id} (${all[i].event})`);
		}
		note(`${all.length} resume points`);
	}

	step('a client that drops at random points and comes back with ?last_event_id=');
	{
		const got = [];
		let last = null, connections = 0;
		for (;;) {
			const q = last ? `&last_event_id=${encodeURIComponent(last)}` : '';
			const take = 1 + rnd.int(12);
			const r = await rawEvents(base + q, { ms: HANG_MS,
			    stop: (ev, all) => all.length >= take });
			connections++;
			if (r.status === 204)
				break;
			for (const ev of r.events) {
				got.push(`${ev.id} ${ev.event}`);
				last = ev.id;
			}
		}
		checkEq(got, full.events.map((x) => `${x.id} ${x.event}`), 'the events, each once, in order');
		note(`${connections} connections`);
	}

	step('a data stream through an EventSource stays open after complete');
	await freeBackends();
	{
		const es = new EventSource(`${hookEnv.base}/api/sse/backtest/${finished.job_id}/data?interval=day&token=${alice}`);
		await es.next('complete');
		await sleep(1500);
		checkEq(es.readyState, 1, 'the EventSource is still open');
		checkEq(es.rec.opens.length, 1, 'connections');
		es.close();
	}
}

run(main, 240000);
