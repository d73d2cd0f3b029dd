// hooks.mjs: scenario (b): the frontend guide's four hooks, unchanged, in React in Chromium (www/test-hooks.html), checked against the REST API and the CLI as jobs are submitted, run, fail, are cancelled and deleted.
//
// usage: node hooks.mjs TOKEN UID   (a user of its own: its lists start empty)
//
// At every quiet moment a list hook's state must equal the REST list for the
// same user, filter and limit, as a set of equal objects (doc/streams.md).
import {
  BASE, check, cli, hold, launch, log, restOk, same, sameSet, scenario, show, waitFor,
} from './lib.mjs';

const [token, uid] = process.argv.slice(2);
const LIMIT = 3;

const spec = (over) => ({
  symbol: 'DEMO', interval: 'day', start_date: '2024-01-01', end_date: '2024-12-31',
  strategy: 'sma_crossover', params: { fast: 5, slow: 20 }, ...over,
});

await scenario('hooks', 400, async (ctx) => {
  Object.assign(ctx, await launch('hooks'));
  const { page } = ctx;

  const hooks = () => page.evaluate(() => JSON.parse(JSON.stringify(window.__hooks)));
  const set = (patch) => page.evaluate((p) => window.__set(p), patch);
  const submit = async (over) => (await restOk(token, 'POST', 'jobs', spec(over), 201)).job_id;
  const jobsQuery = (filter) => `jobs?limit=${LIMIT}${filter ? `&status_filter=${filter}` : ''}`;

  // The three list hooks equal the REST lists (and the CLI's).
  const listsConverge = async (what) => {
    await waitFor(`lists equal to REST: ${what}`, async () => {
      const h = await hooks();
      const filter = h.jobsFiltered.settings.statusFilter;
      const [all, filtered, history] = await Promise.all([
        restOk(token, 'GET', jobsQuery()),
        restOk(token, 'GET', jobsQuery(filter)),
        restOk(token, 'GET', `history?limit=${LIMIT}`),
      ]);
      const ok = !h.jobs.loading && !h.jobsFiltered.loading && !h.history.loading &&
        sameSet(h.jobs.jobs, all) && sameSet(h.jobsFiltered.jobs, filtered) &&
        sameSet(h.history.backtests, history, 'id');
      return {
        ok,
        detail: {
          jobs: [h.jobs.jobs.map((j) => `${j.job_id.slice(0, 8)}:${j.status}`), all.map((j) => `${j.job_id.slice(0, 8)}:${j.status}`)],
          filtered: [filter, h.jobsFiltered.jobs.map((j) => j.job_id.slice(0, 8)), filtered.map((j) => j.job_id.slice(0, 8))],
          history: [h.history.backtests.map((b) => b.id.slice(0, 8)), history.map((b) => b.id.slice(0, 8))],
          errors: [h.jobs.error, h.jobsFiltered.error, h.history.error],
        },
      };
    }, 15000);
    const rest = await restOk(token, 'GET', jobsQuery());
    const fromCli = cli(['jobs', '--uid', uid, '--limit', String(LIMIT), '--json']);
    check(same(fromCli, rest), `the CLI's list is REST's (${what})`, rest, fromCli);
    log(`lists converged: ${what}`);
  };

  const progressOf = async (id, want) => {
    await set({ jobId: id });
    return waitFor(`the progress hook: ${want} for ${id}`, async () => {
      const p = (await hooks()).progress;
      const ok = p && p.settings.jobId === id && !p.loading && p.progress?.status === want;
      return { ok, detail: p && { progress: p.progress, error: p.error, n: p.transactions.length } };
    }, 20000);
  };

  log('open test-hooks.html');
  await page.goto(`${BASE}/test-hooks.html?jobsLimit=${LIMIT}&historyLimit=${LIMIT}&filter=completed#token=${token}`);
  await waitFor('the page ready', () => page.evaluate(() => window.__ready === true));
  await listsConverge('empty at first');
  const first = await hooks();
  check(first.jobs.jobs.length === 0 && first.history.backtests.length === 0,
    'a new user has no jobs', 0, first.jobs.jobs.length);
  check(first.jobs.error === null, 'no error in the jobs hook', null, first.jobs.error);

  // ---- a queued job, cancelled ---------------------------------------------------------
  hold(true);
  const j1 = await submit({ interval: 'minute' });
  await listsConverge('one job queued');
  await progressOf(j1, 'queued');
  await restOk(token, 'POST', `jobs/${j1}/cancel`);
  await progressOf(j1, 'cancelled');
  await listsConverge('the queued job cancelled');
  hold(false);

  // ---- a job that completes: progress, transactions, result, data -------------------------
  const j2 = await submit({ interval: 'minute', start_date: '2024-01-01', end_date: '2024-03-31',
    params: { fast: 10, slow: 30 }, commission: 0.0005 });
  await set({ jobId: j2, dataId: j2, interval: '15minute', dataLimit: 500 });
  const seen = new Set();
  await waitFor('the progress hook: completed with its result', async () => {
    const p = (await hooks()).progress;
    if (p?.settings.jobId !== j2) return false;
    if (p.progress) seen.add(p.progress.progress);
    return { ok: p.progress?.status === 'completed' && p.result !== null, detail: p.progress };
  }, 30000, 50);
  log(`progress values seen: ${[...seen].sort((a, b) => a - b).map((v) => v.toFixed(1)).join(' ')}`);
  const job2 = await restOk(token, 'GET', `jobs/${j2}`);
  const trades2 = await restOk(token, 'GET', `jobs/${j2}/transactions`);
  let h = await hooks();
  check(h.progress.progress.progress === 100, 'progress at 100', 100, h.progress.progress.progress);
  check(same(h.progress.result, job2.result_summary), 'the result is the REST job\'s result_summary',
    job2.result_summary, h.progress.result);
  check(same(h.progress.transactions, trades2), 'the transactions are REST\'s, in order, once each',
    `${trades2.length} transactions`, `${h.progress.transactions.length} transactions`);
  check(h.progress.error === null, 'no error in the progress hook', null, h.progress.error);
  check(same(cli(['job', j2, '--uid', uid, '--json']), job2), 'the CLI\'s job is REST\'s');
  check(same(cli(['transactions', j2, '--uid', uid, '--json']), trades2),
    'the CLI\'s transactions are REST\'s');
  await listsConverge('a job completed');

  const bars = cli(['bars', 'DEMO', '15minute', '--from', '2024-01-01', '--to', '2024-03-31',
    '--limit', '500', '--json']);
  await waitFor('the data hook: 500 bars of 15 minutes', async () => {
    const d = (await hooks()).data;
    return { ok: d && !d.loading && d.data.length === bars.length, detail: d && { n: d.data.length, loading: d.loading, error: d.error, progress: d.progress } };
  });
  h = await hooks();
  check(same(h.data.data, bars), 'the data hook\'s bars are the CLI\'s', bars.slice(0, 2), h.data.data.slice(0, 2));
  check(same(h.data.progress, { points_sent: 500, total_points: 500 }), 'the data hook\'s progress',
    { points_sent: 500, total_points: 500 }, h.data.progress);
  check(h.data.error === null, 'no error in the data hook', null, h.data.error);

  // The data stream by backtest id, at another interval.
  await set({ dataId: job2.backtest_id, interval: 'day', dataLimit: 1000 });
  const days = cli(['bars', 'DEMO', 'day', '--from', '2024-01-01', '--to', '2024-03-31', '--json']);
  await waitFor('the data hook by backtest id: day bars', async () => {
    const d = (await hooks()).data;
    return { ok: d?.settings.id === job2.backtest_id && !d.loading && same(d.data, days), detail: d && { n: d.data.length, error: d.error } };
  });

  // ---- a job that fails ---------------------------------------------------------------------
  const j3 = await submit({ start_date: '2024-01-01', end_date: '2024-01-01' });
  await progressOf(j3, 'failed');
  const job3 = await restOk(token, 'GET', `jobs/${j3}`);
  h = await hooks();
  check(job3.status === 'failed' && job3.error_message, 'REST says failed, with a message', 'failed', job3);
  check(h.progress.error === job3.error_message, 'the hook\'s error is the job\'s error_message',
    job3.error_message, h.progress.error);
  await set({ filter: 'failed' });
  await listsConverge('filter failed');

  // ---- more jobs than the limit ---------------------------------------------------------------
  await set({ filter: 'completed' });
  const more = [];
  for (const symbol of ['ACME', 'GLOBEX', 'INITECH']) more.push(await submit({ symbol }));
  await progressOf(more[2], 'completed');
  await listsConverge(`${LIMIT + 3} jobs, ${LIMIT} shown`);

  // ---- running, then cancelled: it leaves the "running" view ------------------------------------
  await set({ filter: 'running' });
  const j7 = await submit({ symbol: 'ACME', interval: 'minute' });
  await waitFor('the job running', async () => {
    const j = await restOk(token, 'GET', `jobs/${j7}`);
    return { ok: j.status === 'running' && j.progress > 0, detail: j.status };
  }, 20000, 20);
  hold(true);
  await progressOf(j7, 'running');
  await listsConverge('a job held while running');
  const asked = await restOk(token, 'POST', `jobs/${j7}/cancel`);
  check(asked.status === 'running' || asked.status === 'cancelled', 'cancel answers with the job', 'running', asked.status);
  hold(false);
  await progressOf(j7, 'cancelled');
  await listsConverge('the running job cancelled: gone from the running view');
  h = await hooks();
  check(h.jobsFiltered.jobs.length === 0, 'nothing running', [], h.jobsFiltered.jobs);

  // ---- deletions ----------------------------------------------------------------------------------
  await set({ filter: 'completed' });
  await listsConverge('filter completed again');
  await restOk(token, 'DELETE', `jobs/${more[1]}`);
  await listsConverge('a completed job deleted (history shrinks by a snapshot)');
  await restOk(token, 'DELETE', `jobs/${j1}`);
  await set({ filter: 'cancelled' });
  await listsConverge('a cancelled job deleted');

  // ---- a refused stream: the guide's data hook reports it ------------------------------------------
  await set({ dataId: j2, interval: 'hour', dataLimit: 1000 });
  await waitFor('the data hook\'s error for a bad interval', async () => {
    const d = (await hooks()).data;
    return { ok: d?.settings.interval === 'hour' && d.error !== null && !d.loading, detail: d && { error: d.error, loading: d.loading } };
  });

  const last = await hooks();
  log(`final state: jobs ${show(last.jobs.jobs.map((j) => j.status))}, history ${last.history.backtests.length}`);
  check(ctx.errors.length === 0, 'no error in the page', [], ctx.errors);
});
