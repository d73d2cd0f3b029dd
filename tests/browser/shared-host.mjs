// shared-host.mjs: the dashboard that "backstream setup-site" put in a customer's public_html, served by a shared host's Apache with mod_fcgid: a job's progress seen live in Chromium, across stream rotations, to the end.
//
// usage: node shared-host.mjs TOKEN JOB_ID GO_FILE
// JOB_ID is queued; once the page shows it, GO_FILE is written, and
// tests/shared-host.sh runs the engine (the crontab's line).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  BASE, SHOTS, check, launch, log, restOk, scenario, waitFor,
} from './lib.mjs';

const [token, jobId, goFile] = process.argv.slice(2);

await scenario('shared-host', 170, async (ctx) => {
  Object.assign(ctx, await launch('shared-host'));
  const { page } = ctx;
  const view = page.locator('[data-testid=job-view]');
  const row = page.locator(`.job-row[data-job-id="${jobId}"]`);

  log('open the dashboard with #token=');
  await page.goto(`${BASE}/#token=${token}`);
  await waitFor('the jobs and history streams connected', async () =>
    !(await page.locator('[data-testid=jobs] .card-head').innerText()).includes('connecting') &&
    !(await page.locator('[data-testid=history] .card-head').innerText()).includes('connecting'));
  await waitFor('the queued job in the list', async () => (await row.count()) === 1);
  await row.click();
  await waitFor('the job shown', async () => (await view.getAttribute('data-job-id')) === jobId);

  log('the job is shown: the engine may run it');
  writeFileSync(goFile, 'go\n');
  const seen = new Set();
  const started = Date.now();
  await waitFor('the progress bar at 100 %', async () => {
    const v = Number(await page.getByTestId('job-progress').getAttribute('aria-valuenow'));
    seen.add(v);
    return {
      ok: v === 100 && (await view.getAttribute('data-status')) === 'completed',
      detail: [...seen],
    };
  }, 150000, 100);
  const values = [...seen].sort((a, b) => a - b);
  log(`progress values seen in ${((Date.now() - started) / 1000).toFixed(1)} s: ${values.join(' ')}`);
  check(values.filter((v) => v > 0 && v < 100).length >= 3,
    'the bar was seen moving between 0 and 100 %', '3 or more values', values);

  // The REST API through the site, with the token in Authorization: the
  // .htaccess passes the header on (CGIPassAuth).
  const job = await restOk(token, 'GET', `jobs/${jobId}`);
  check(job.status === 'completed', 'REST says completed', 'completed', job.status);

  const shot = join(SHOTS, 'browser-shared-host.png');
  await page.screenshot({ path: shot, fullPage: true });
  log(`screenshot: ${shot}`);
});
