// tabs.mjs: scenario (c): several tabs of the dashboard in one browser over HTTP/1.1 (www/src/shared-event-source.js): three tabs live at once on one job and the job list, the server's streams and the browser's connections bounded; the first tab closed, the others stay live and its own stream ends; then the hooks page in two tabs, the second joining late, both in the same state.
//
// usage: node tabs.mjs TOKEN   (a user of its own: its lists start empty)
//
// Without the sharing, three tabs would need twelve streams, and the
// browser opens six connections to a host over HTTP/1.1: the second tab's
// job view would already stay at "connecting…".
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';

import {
  BASE, check, hold, launch, log, restOk, same, sameSet, scenario, waitFor,
} from './lib.mjs';

const token = process.argv[2];
const PORT = new URL(BASE).port;
const SSE_SOCK = join(dirname(process.env.BACKSTREAM_CONF), 'sse.sock');

const SPEC = {
  symbol: 'ACME', interval: 'minute', start_date: '2024-01-01', end_date: '2024-12-31',
  strategy: 'sma_crossover', params: { fast: 10, slow: 30 },
};

// ---- what the server and the browser hold ------------------------------------------------

const ss = (args) => execFileSync('ss', args, { encoding: 'utf8', timeout: 10000 })
  .split('\n').filter((l) => l.trim());
/* Whether iproute2's ss is here: without it, the counts are not checked. */
const HAVE_SS = (() => {
  try {
    ss(['-V']);
    return true;
  } catch {
    return false;
  }
})();

/*
 * Streams being served: the responders' accepted connections on the demo's
 * sockets (lighttpd gives each of its processes SOCKET-N).
 */
const serverStreams = () =>
  ss(['-Hxn', 'state', 'established']).filter((l) => l.includes(` ${SSE_SOCK}-`)).length;

/* Chromium's TCP connections to the demo (null when ss cannot name processes). */
function browserConnections() {
  const lines = ss(['-Htnp', 'state', 'established', `( dport = :${PORT} )`]);
  if (lines.length && !lines.some((l) => l.includes('users:'))) return null;
  return lines.filter((l) => /users:\(\("chrom/.test(l)).length;
}

async function streamsAre(what, want) {
  if (!HAVE_SS) {
    log(`${what}: no ss, streams not counted`);
    return;
  }
  await waitFor(`${want} streams on the server (${what})`, () => {
    const n = serverStreams();
    return { ok: n === want, detail: n };
  }, 30000, 200);
  const conns = browserConnections();
  log(`${what}: ${want} streams on the server, ${conns ?? 'unknown'} browser connections`);
  check(conns === null || conns <= 6, 'the browser within its six connections', '<= 6', conns);
}

// ---- the tabs -------------------------------------------------------------------------------

async function newTab(ctx) {
  const page = await ctx.context.newPage();
  page.on('pageerror', (err) => {
    ctx.errors.push(err.message);
    log(`page error: ${err.message}`);
  });
  return page;
}

const rowOf = (page, id) => page.locator(`.job-row[data-job-id="${id}"]`);

/* A tab of the dashboard, its lists connected. */
async function openDashboard(page, n) {
  log(`tab ${n}: open the dashboard`);
  await page.goto(`${BASE}/#token=${token}`);
  await waitFor(`tab ${n}: the jobs and history streams connected`, async () =>
    !(await page.locator('[data-testid=jobs] .card-head').innerText()).includes('connecting') &&
    !(await page.locator('[data-testid=history] .card-head').innerText()).includes('connecting'));
  const shared = await page.evaluate(() => !String(window.EventSource).includes('[native code]'));
  check(shared, `tab ${n}: EventSource is the shared one`);
}

/* The job picked in the tab's list, its progress streamed. */
async function select(page, n, id) {
  await rowOf(page, id).click();
  await waitFor(`tab ${n}: the job's progress streamed`, async () =>
    (await page.locator('[data-testid=job-view]').getAttribute('data-job-id')) === id &&
    !(await page.getByTestId('job-message').innerText()).includes('connecting'));
}

/*
 * A job that the engine holds (slowclock.c) let go: every tab sees it move, in
 * its view and in its job list, and complete.  The engine's rate then
 * spreads the job over seconds (DEMO_BAR_RATE), its progress written every
 * 100 ms.
 */
async function watch(tabs, id, what) {
  const seen = tabs.map(() => ({ view: new Set(), row: new Set() }));
  const sample = (page, i) => page.evaluate((jobId) => {
    const num = (el) => (el ? Number(el.getAttribute('aria-valuenow')) : null);
    const view = document.querySelector('[data-testid=job-view]');
    return {
      view: num(document.querySelector('[data-testid=job-progress]')),
      row: num(document.querySelector(`.job-row[data-job-id="${jobId}"] .progress`)),
      status: view?.dataset.status,
    };
  }, id).then((v) => {
    if (v.view !== null) seen[i].view.add(v.view);
    if (v.row !== null) seen[i].row.add(v.row);
    return v;
  });
  hold(false);
  await waitFor(`every tab: the job completed (${what})`, async () => {
    const now = await Promise.all(tabs.map(sample));
    return { ok: now.every((v) => v.status === 'completed' && v.view === 100), detail: now };
  }, 60000, 20);
  const moving = (set) => [...set].some((v) => v > 0 && v < 100);
  const shown = seen.map((s) => ({ view: [...s.view].sort((a, b) => a - b), row: [...s.row].sort((a, b) => a - b) }));
  log(`${what}: progress seen in each tab: ${JSON.stringify(shown)}`);
  check(seen.every((s) => moving(s.view) && moving(s.row)),
    `every tab saw the job between 0 and 100 %, in its view and its list (${what})`,
    'values between 0 and 100 in each', shown);
}

// ---- the hooks page: a late joiner -----------------------------------------------------------

const hookState = (page) => page.evaluate(() => {
  const strip = ({ renderedAt, ...rest }) => rest;
  return Object.fromEntries(Object.entries(window.__hooks).map(([k, v]) => [k, strip(v)]));
});

/* The hooks page in a tab, then in a second one once the first has seen the job move. */
async function lateJoiner(ctx) {
  hold(true);
  const { job_id: id } = await restOk(token, 'POST', 'jobs', SPEC, 201);
  const url = `${BASE}/test-hooks.html?shared=1&jobsLimit=3&historyLimit=3&filter=running` +
    `&jobId=${id}&dataId=${id}&interval=day#token=${token}`;
  const first = await newTab(ctx);
  ctx.page = first;
  await first.goto(url);
  await waitFor('the hooks page loaded', async () => {
    const h = await hookState(first);
    return { ok: h.jobs && !h.jobs.loading && !h.history.loading && h.progress?.progress, detail: h };
  });
  check(await first.evaluate(() => window.__shared === true), 'the hooks page shares its streams');
  hold(false);
  await waitFor('the first tab saw the job move', async () =>
    (await hookState(first)).progress.progress.progress > 0, 30000, 20);
  hold(true);
  const second = await newTab(ctx);
  log('the hooks page in a second tab, late');
  await second.goto(url);
  await waitFor('the late tab in the first tab\'s state, which is REST\'s', async () => {
    const [a, b] = await Promise.all([hookState(first), hookState(second)]);
    const [jobs, running, history] = await Promise.all([
      restOk(token, 'GET', 'jobs?limit=3'), restOk(token, 'GET', 'jobs?limit=3&status_filter=running'),
      restOk(token, 'GET', 'history?limit=3')]);
    const ok = same(a, b) && sameSet(a.jobs.jobs, jobs) && sameSet(a.jobsFiltered.jobs, running) &&
      sameSet(a.history.backtests, history, 'id') && a.data && !a.data.loading;
    return { ok, detail: { first: a, second: b } };
  });
  // The late tab opened no stream of its own.
  await streamsAre('the hooks page in two tabs', 5);
  const h = await hookState(second);
  log(`the late tab: ${h.jobs.jobs.length} jobs, ${h.progress.transactions.length} transactions, ` +
    `${h.data.data.length} bars, progress ${h.progress.progress.progress} %`);
  check(h.jobs.error === null && h.progress.error === null && h.data.error === null,
    'no error in the late tab\'s hooks', [null, null, null], [h.jobs.error, h.progress.error, h.data.error]);
  await first.close();
  await second.close();
}

await scenario('tabs', 240, async (ctx) => {
  Object.assign(ctx, await launch('tabs'));
  // The engine held, the job waits; let go, it runs at the demo's bar rate.
  hold(true);
  const { job_id: first } = await restOk(token, 'POST', 'jobs', SPEC, 201);
  log(`job ${first} submitted, the engine held`);

  const tabs = [ctx.page, await newTab(ctx), await newTab(ctx)];
  for (const [i, page] of tabs.entries()) {
    await openDashboard(page, i + 1);
    await select(page, i + 1, first);
  }
  // Jobs, history, the job's progress and its chart: one each for all tabs.
  await streamsAre('three tabs on one job', 4);
  // A stream of the first tab's own: its list filtered, which the job
  // enters when it starts.
  await tabs[0].locator('.filters button[data-filter=running]').click();
  await tabs[0].locator('.job-list .empty').waitFor();
  await streamsAre('tab 1 with a filtered list', 5);
  await watch(tabs, first, 'three tabs');

  log('close tab 1');
  await tabs[0].close();
  ctx.page = tabs[1];
  const rest = tabs.slice(1);
  await streamsAre('tab 1 closed: its filtered list ended', 4);

  log('a second job, in the lists of tabs 2 and 3');
  hold(true);
  const { job_id: second } = await restOk(token, 'POST', 'jobs', SPEC, 201);
  for (const [i, page] of rest.entries()) await select(page, i + 2, second);
  await streamsAre('tabs 2 and 3 on the second job', 4);
  await watch(rest, second, 'tabs 2 and 3');
  await tabs[1].close();
  await tabs[2].close();

  await lateJoiner(ctx);
  check(ctx.errors.length === 0, 'no error in the pages', [], ctx.errors);
});
