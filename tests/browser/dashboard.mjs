// dashboard.mjs: scenario (a): the dashboard in Chromium: submit a backtest in the form, watch its progress reach 100 %, its transactions, summary and chart appear; filter; cancel a queued and a running job; delete.
//
// usage: node dashboard.mjs TOKEN   (a token of the demo user, whose
// jobs the demo submitted; see tests/browser.sh)
import { join } from 'node:path';

import {
  BASE, SHOTS, check, cli, hold, launch, log, restOk, same, scenario, sleep, waitFor,
} from './lib.mjs';

const token = process.argv[2];

const SPEC = {
  symbol: 'ACME', interval: 'minute', start_date: '2024-01-01', end_date: '2024-12-31',
  strategy: 'sma_crossover', params: { fast: 10, slow: 30 },
  initial_capital: 100000, commission: 0.0005,
};

await scenario('dashboard', 400, async (ctx) => {
  Object.assign(ctx, await launch('dashboard'));
  const { page } = ctx;
  const view = page.locator('[data-testid=job-view]');
  const jobStatus = () => view.getAttribute('data-status', { timeout: 2000 });
  const jobRow = (id) => page.locator(`.job-row[data-job-id="${id}"]`);

  // ---- the token: from the fragment into the tab's storage ----------------------
  log('open the dashboard with #token=');
  await page.goto(`${BASE}/#token=${token}`);
  await waitFor('the jobs and history streams connected', async () =>
    !(await page.locator('[data-testid=jobs] .card-head').innerText()).includes('connecting') &&
    !(await page.locator('[data-testid=history] .card-head').innerText()).includes('connecting'));
  const where = await page.evaluate(() => ({
    hash: window.location.hash, stored: sessionStorage.getItem('backstream.token'),
  }));
  check(where.hash === '', 'the token left the address bar', '', where.hash);
  check(where.stored === token, 'the token is kept in sessionStorage');

  // The demo's own job (DEMO_JOBS=1) is in the list and completes.
  const demoJobs = await restOk(token, 'GET', 'jobs?limit=10');
  check(demoJobs.length === 1, 'the demo submitted one job', 1, demoJobs.length);
  await waitFor('the demo job is listed as completed', async () =>
    (await jobRow(demoJobs[0].job_id).locator('.badge').innerText()).toLowerCase() === 'completed',
  60000);

  // ---- the form -------------------------------------------------------------------
  log('submit a backtest in the form');
  await page.getByTestId('new-backtest').click();
  const form = page.getByTestId('submit-form');
  const symbols = (await restOk(token, 'GET', 'symbols')).map((s) => s.symbol);
  await waitFor('the symbols in the form', async () => {
    const options = await form.locator('select[name=symbol] option').allInnerTexts();
    return { ok: same(options, symbols), detail: options };
  });
  await form.locator('select[name=symbol]').selectOption(SPEC.symbol);
  await form.locator('select[name=interval]').selectOption(SPEC.interval);
  await form.locator('input[name=start_date]').fill(SPEC.start_date);
  await form.locator('input[name=end_date]').fill(SPEC.end_date);
  await form.locator('select[name=strategy]').selectOption(SPEC.strategy);
  await form.locator('input[name=param-fast]').fill(String(SPEC.params.fast));
  await form.locator('input[name=param-slow]').fill(String(SPEC.params.slow));
  await form.locator('input[name=initial_capital]').fill(String(SPEC.initial_capital));
  await form.locator('input[name=commission]').fill(String(SPEC.commission));
  await form.getByTestId('submit').click();
  await form.waitFor({ state: 'detached' });
  const id = await view.getAttribute('data-job-id');
  log(`job ${id} selected`);
  const submitted = await restOk(token, 'GET', `jobs/${id}`);
  for (const k of Object.keys(SPEC)) {
    check(same(submitted[k], SPEC[k]), `the job's ${k} is the form's`, SPEC[k], submitted[k]);
  }

  // ---- progress: seen moving, then 100 % -------------------------------------------------
  const seen = new Set();
  await waitFor('the progress bar at 100 %', async () => {
    const v = Number(await page.getByTestId('job-progress').getAttribute('aria-valuenow'));
    seen.add(v);
    return { ok: v === 100 && (await jobStatus()) === 'completed', detail: [...seen] };
  }, 60000, 40);
  const between = [...seen].filter((v) => v > 0 && v < 100);
  log(`progress values seen: ${[...seen].sort((a, b) => a - b).join(' ')}`);
  check(between.length > 0, 'the bar was seen between 0 and 100 %', '> 0 values', [...seen]);

  const job = await restOk(token, 'GET', `jobs/${id}`);
  check(job.status === 'completed', 'REST says completed', 'completed', job.status);
  const trades = await restOk(token, 'GET', `jobs/${id}/transactions`);
  check(trades.length > 0 && trades.length === job.transaction_count,
    'transactions were made', job.transaction_count, trades.length);

  // ---- transactions, summary ----------------------------------------------------------------
  await waitFor('every transaction in the table', async () => {
    const n = Number(await page.getByTestId('transactions').getAttribute('data-count'));
    return { ok: n === trades.length, detail: n };
  });
  const firstRow = await page.locator('[data-testid=transactions] tbody tr').first()
    .locator('td').first().innerText();
  check(firstRow === String(trades[trades.length - 1].seq), 'the newest transaction on top',
    trades[trades.length - 1].seq, firstRow);
  const summary = await page.getByTestId('summary').innerText();
  const equity = job.result_summary.final_equity.toLocaleString('en-US',
    { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  check(summary.includes(equity), 'the summary shows the final equity', equity, summary);

  // ---- the chart: minute bars, then day bars --------------------------------------------------
  const chartStatus = page.getByTestId('chart-status');
  const chartPoints = async (want) => waitFor(`the chart with ${want} bars`, async () => {
    const loading = await chartStatus.getAttribute('data-loading');
    const n = Number(await chartStatus.getAttribute('data-points'));
    return { ok: loading === 'false' && n === want, detail: { loading, n } };
  }, 20000);
  const minuteBars = cli(['bars', SPEC.symbol, 'minute', '--from', SPEC.start_date, '--to',
    SPEC.end_date, '--limit', '1000', '--json']);
  await chartPoints(minuteBars.length);
  const painted = async () => page.evaluate(() => {
    // Candle-coloured pixels on the chart's canvases.
    let n = 0;
    for (const c of document.querySelectorAll('.chart-box canvas')) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        if ((Math.abs(d[i] - 38) < 12 && Math.abs(d[i + 1] - 166) < 12 && Math.abs(d[i + 2] - 154) < 12) ||
          (Math.abs(d[i] - 239) < 12 && Math.abs(d[i + 1] - 83) < 12 && Math.abs(d[i + 2] - 80) < 12)) n++;
      }
    }
    return n;
  });
  await waitFor('candles drawn', async () => {
    const n = await painted();
    return { ok: n > 500, detail: n };
  });
  log('switch the chart to day bars');
  await page.locator('[data-testid=chart] button[data-interval=day]').click();
  const dayBars = cli(['bars', SPEC.symbol, 'day', '--from', SPEC.start_date, '--to',
    SPEC.end_date, '--json']);
  await chartPoints(dayBars.length);
  const text = await chartStatus.innerText();
  check(text.includes(`${dayBars[0].time.slice(0, 10)} → ${dayBars[dayBars.length - 1].time.slice(0, 10)}`),
    'the chart covers the job\'s range', `${dayBars[0].time} …`, text);
  await waitFor('day candles drawn', async () => (await painted()) > 500);

  // ---- the lists ---------------------------------------------------------------------------------
  await waitFor('the job listed as completed at 100 %', async () => {
    const row = jobRow(id);
    const badge = (await row.locator('.badge').innerText()).toLowerCase();
    const pct = Number(await row.locator('.progress').getAttribute('aria-valuenow'));
    return { ok: badge === 'completed' && pct === 100, detail: { badge, pct } };
  });
  await waitFor('the backtest in the history', async () =>
    (await page.locator(`[data-testid=history] tr[data-backtest-id="${job.backtest_id}"]`).count()) === 1);

  log('the status filter');
  const listed = async () => page.locator('.job-row').evaluateAll(
    (rows) => rows.map((r) => r.dataset.jobId));
  const byStatus = async (status) => {
    const want = (await restOk(token, 'GET', `jobs?limit=20${status ? `&status_filter=${status}` : ''}`))
      .map((j) => j.job_id);
    await page.locator(`.filters button[data-filter=${status || 'all'}]`).click();
    await waitFor(`the ${status || 'whole'} list`, async () => {
      const ids = await listed();
      return { ok: same([...ids].sort(), [...want].sort()), detail: { ids, want } };
    });
  };
  await byStatus('completed');
  await byStatus('queued');
  check((await page.locator('.job-list .empty').count()) === 1, 'an empty list says so');
  await byStatus(undefined);

  await sleep(300);
  const shot = join(SHOTS, 'browser-dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  log(`screenshot: ${shot}`);

  // ---- cancel a queued job ------------------------------------------------------------------
  const submitInForm = async (symbol) => {
    await page.getByTestId('new-backtest').click();
    await page.locator('[data-testid=submit-form] select[name=symbol] option').first().waitFor({ state: 'attached' });
    await page.locator('[data-testid=submit-form] select[name=symbol]').selectOption(symbol);
    await page.getByTestId('submit').click();
    await page.getByTestId('submit-form').waitFor({ state: 'detached' });
    await waitFor('the new job selected', async () =>
      (await view.getAttribute('data-job-id')) !== id);
    return view.getAttribute('data-job-id');
  };
  log('cancel a queued job (the engine held)');
  hold(true);
  const queued = await submitInForm('GLOBEX');
  await waitFor('the job queued', async () => (await jobStatus()) === 'queued');
  await page.getByTestId('cancel').click();
  await waitFor('the job cancelled', async () => ({ ok: (await jobStatus()) === 'cancelled', detail: await jobStatus() }));
  hold(false);
  const q = await restOk(token, 'GET', `jobs/${queued}`);
  check(q.status === 'cancelled' && q.started_at === null, 'cancelled before it started',
    'cancelled, started_at null', q);
  await waitFor('the cancel button disabled', async () => page.getByTestId('cancel').isDisabled());

  // ---- cancel a running job -----------------------------------------------------------------
  log('cancel a running job');
  const running = await submitInForm('DEMO');
  await waitFor('the job running', async () => {
    const v = Number(await page.getByTestId('job-progress').getAttribute('aria-valuenow'));
    return { ok: (await jobStatus()) === 'running' && v > 0, detail: { s: await jobStatus(), v } };
  }, 30000, 20);
  hold(true);	// at its next clock read, so that the click finds it running
  await page.getByTestId('cancel').click();
  await waitFor('the cancel asked for', async () =>
    (await restOk(token, 'GET', `jobs/${running}`)).message.includes('cancel'));
  hold(false);
  await waitFor('the running job cancelled', async () => ({ ok: (await jobStatus()) === 'cancelled', detail: await jobStatus() }));
  const r = await restOk(token, 'GET', `jobs/${running}`);
  check(r.status === 'cancelled' && r.started_at !== null && r.progress < 100,
    'cancelled while running', 'cancelled, started, progress < 100', r);
  await waitFor('the list shows it cancelled', async () =>
    (await jobRow(running).locator('.badge').innerText()).toLowerCase() === 'cancelled');

  // ---- delete ----------------------------------------------------------------------------------
  log('delete the cancelled and the completed job');
  for (const gone of [running, id]) {
    await jobRow(gone).click();
    await waitFor('the job selected', async () => (await view.getAttribute('data-job-id')) === gone);
    await waitFor('its status known', async () => !!(await jobStatus()));
    await page.getByTestId('delete').click();
    await view.waitFor({ state: 'detached' });
    await waitFor('the row gone', async () => (await jobRow(gone).count()) === 0);
    const after = await fetch(`${BASE}/api/backtesting/jobs/${gone}`,
      { headers: { Authorization: `Bearer ${token}` } });
    check(after.status === 404, 'the deleted job is gone from REST', 404, after.status);
  }
  await waitFor('the backtest gone from the history', async () =>
    (await page.locator(`[data-testid=history] tr[data-backtest-id="${job.backtest_id}"]`).count()) === 0);

  check(ctx.errors.length === 0, 'no error in the page', [], ctx.errors);
});
