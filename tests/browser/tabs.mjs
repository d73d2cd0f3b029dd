// tabs.mjs: scenario (c): several tabs of the dashboard in one browser over HTTP/1.1 (www/src/shared-event-source.js): three tabs live at once on one job and the job list, the server's streams and the browser's connections bounded; the first tab closed, the others stay live and its own stream ends; then the hooks page in two tabs, the second joining late, both in the same state.
//
// usage: node tabs.mjs TOKEN   (a user of its own: its lists start empty)
//
// Without the sharing, three tabs would need twelve streams, and the
// browser opens six connections to a host over HTTP/1.1: the third tab's
// lists would stay at "connecting…".
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

const progressOf = async (page) =>
  Number(await page.getByTestId('job-progress').getAttribute('aria-valuenow', { timeout: 2000 }));
const rowOf = (page, id) => page.locator(`.job-row[data-job-id="${id}"]`);

/* A tab of the dashboard, its lists connected, the job selected. */
async function openDashboard(page, n, id) {
  log(`tab ${n}: open the dashboard`);
  await page.goto(`${BASE}/#token=${token}`);
  await waitFor(`tab ${n}: the jobs and history streams connected`, async () =>
    !(await page.locator('[data-testid=jobs] .card-head').innerText()).includes('connecting') &&
    !(await page.locator('[data-testid=history] .card-head').innerText()).includes('connecting'));
  const shared = await page.evaluate(() => !String(window.EventSource).includes('[native code]'));
  check(shared, `tab ${n}: EventSource is the shared one`);
  await rowOf(page, id).click();
  await waitFor(`tab ${n}: the job's progress streamed`, async () =>
    (await page.locator('[data-testid=job-view]').getAttribute('data-job-id')) === id &&
    !(await page.getByTestId('job-message').innerText()).includes('connecting'));
}

/*
 * The engine let go until the job moves, then held again: every tab shows
 * the job's new progress, in its view and its job list, at the same time.
 */
async function step(tabs, id, what) {
  const before = (await restOk(token, 'GET', `jobs/${id}`)).progress;
  hold(false);
  try {
    await waitFor('the job moved', async () =>
      (await restOk(token, 'GET', `jobs/${id}`)).progress > before, 30000, 20);
  } finally {
    hold(true);
  }
  await waitFor(`every tab at the job's progress (${what})`, async () => {
    const job = await restOk(token, 'GET', `jobs/${id}`);
    const want = Math.round(job.progress * 10) / 10;
    const seen = await Promise.all(tabs.map(async (p) => [await progressOf(p),
      Number(await rowOf(p, id).locator('.progress').getAttribute('aria-valuenow'))]));
    const ok = job.status === 'running' && want > 0 && want < 100 &&
      seen.every(([v, r]) => v === want && r === want);
    return { ok, detail: { status: job.status, want, seen } };
  }, 20000);
  log(`${what}: ${tabs.length} tabs live`);
}

// ---- the hooks page: a late joiner -----------------------------------------------------------

const hookState = (page) => page.evaluate(() => {
  const strip = ({ renderedAt, ...rest }) => rest;
  return Object.fromEntries(Object.entries(window.__hooks).map(([k, v]) => [k, strip(v)]));
});

async function lateJoiner(ctx) {
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
  await step([], id, 'the hooks page, first tab');
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
  const h = await hookState(second);
  check(h.jobs.error === null && h.progress.error === null && h.data.error === null,
    'no error in the late tab\'s hooks', [null, null, null], [h.jobs.error, h.progress.error, h.data.error]);
  await first.close();
  await second.close();
}

await scenario('tabs', 240, async (ctx) => {
  Object.assign(ctx, await launch('tabs'));
  hold(true);
  const { job_id: id } = await restOk(token, 'POST', 'jobs', SPEC, 201);
  log(`job ${id} submitted, the engine held`);

  const tabs = [ctx.page, await newTab(ctx), await newTab(ctx)];
  for (const [i, page] of tabs.entries()) await openDashboard(page, i + 1, id);
  // Jobs, history, the job's progress and its chart: one each for all tabs.
  await streamsAre('three tabs on one job', 4);
  await step(tabs, id, 'three tabs');
  await step(tabs, id, 'three tabs, again');

  // A stream of the first tab's own: its filtered list.
  await tabs[0].locator('.filters button[data-filter=running]').click();
  await waitFor('tab 1: the running job in its filtered list', async () =>
    same(await tabs[0].locator('.job-row').evaluateAll((r) => r.map((x) => x.dataset.jobId)), [id]));
  await streamsAre('tab 1 with a filtered list', 5);

  log('close tab 1');
  await tabs[0].close();
  ctx.page = tabs[1];
  const rest = tabs.slice(1);
  await streamsAre('tab 1 closed: its filtered list ended', 4);
  await step(rest, id, 'tab 1 closed');

  log('a second job, the first finishing');
  const { job_id: second } = await restOk(token, 'POST', 'jobs', SPEC, 201);
  hold(false);
  await waitFor('tabs 2 and 3: the first job completed, the second listed', async () => {
    const seen = await Promise.all(rest.map(async (p) => [
      await p.locator('[data-testid=job-view]').getAttribute('data-status'), await progressOf(p),
      (await rowOf(p, id).locator('.badge').innerText()).toLowerCase(),
      await rowOf(p, second).count()]));
    return { ok: seen.every((s) => same(s, ['completed', 100, 'completed', 1])), detail: seen };
  }, 60000);
  hold(true);
  await tabs[1].close();
  await tabs[2].close();

  await lateJoiner(ctx);
  check(ctx.errors.length === 0, 'no error in the pages', [], ctx.errors);
});
