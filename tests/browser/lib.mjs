// lib.mjs: what the browser scenarios share: Debian's Chromium through playwright-core, bounded waits, the REST API, the CLI, and the engine's hold file.
//
// The environment, from tests/browser.sh:
//   BROWSER_BASE      http://127.0.0.1:PORT, the web demo (scripts/demo-web.sh)
//   BROWSER_WWW       the dashboard's build directory (its node_modules has
//                     playwright-core)
//   BROWSER_TMP       a directory for browser profiles and files
//   BROWSER_HOLD      the engine's hold file: while it exists, the engine
//                     waits at its next clock read (tests/slowclock.c)
//   BROWSER_SHOTS     where screenshots go
//   CHROMIUM          the browser (/usr/bin/chromium)
//   BACKSTREAM, BACKSTREAM_CONF   the CLI and the demo's configuration
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run through tests/browser.sh)`);
  return v;
};

export const BASE = need('BROWSER_BASE');
export const WWW = need('BROWSER_WWW');
export const TMP = need('BROWSER_TMP');
export const HOLD = need('BROWSER_HOLD');
export const SHOTS = process.env.BROWSER_SHOTS || TMP;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BACKSTREAM = need('BACKSTREAM');
need('BACKSTREAM_CONF');

const started = Date.now();
export function log(...args) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[${t}s] ${args.join(' ')}`);
}

export class CheckError extends Error {}

/* Fails the scenario, showing both sides. */
export function check(ok, what, expected, actual) {
  if (ok) return;
  let text = `check failed: ${what}`;
  if (arguments.length > 2) {
    text += `\n  expected: ${show(expected)}\n  actual:   ${show(actual)}`;
  }
  throw new CheckError(text);
}

export function show(v) {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : (s.length > 1500 ? `${s.slice(0, 1500)}…` : s);
}

export const same = (a, b) => isDeepStrictEqual(a, b);

/* The same objects, in any order (for the tests that compare lists as sets). */
export function sameSet(a, b, key = 'job_id') {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  const by = (x, y) => String(x[key]).localeCompare(String(y[key]));
  return same([...a].sort(by), [...b].sort(by));
}

export const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

/*
 * A hang guard: every bound below is at least this, long enough that no
 * load reaches it (tests/lib.sh's HANG), so that slowness alone never
 * fails a scenario.
 */
export const HANG_MS = 120000;

/*
 * Polls fn (sync or async) until it returns a truthy value, which it
 * returns; fails after ms, what the caller expects, or HANG_MS if longer.
 * fn may return {ok, detail} to say what it saw.
 */
export async function waitFor(what, fn, ms = 20000, every = 100) {
  ms = Math.max(ms, HANG_MS);
  const deadline = Date.now() + ms;
  let detail;
  for (;;) {
    let v;
    try {
      v = await fn();
    } catch (err) {
      if (err instanceof CheckError) throw err;
      v = false;
      detail = `threw ${err.message}`;
    }
    if (v && typeof v === 'object' && 'ok' in v) {
      if (v.ok) return v;
      detail = v.detail;
    } else if (v) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new CheckError(`waited ${ms / 1000} s for: ${what}${detail === undefined ? '' : `\n  last seen: ${show(detail)}`}`);
    }
    await sleep(every);
  }
}

// ---- the server --------------------------------------------------------------------

/* A REST call; resolves to {status, body}.  Bounded by HANG_MS. */
export async function rest(token, method, path, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${BASE}/api/backtesting/${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(HANG_MS),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

/* rest() that must answer want; returns the body. */
export async function restOk(token, method, path, body, want = 200) {
  const r = await rest(token, method, path, body);
  check(r.status === want, `${method} ${path} answers ${want}`, want, r);
  return r.body;
}

/* The CLI (bounded by HANG_MS); parses JSON output when json is set. */
export function cli(args, json = true) {
  const out = execFileSync(BACKSTREAM, args, { encoding: 'utf8', timeout: HANG_MS });
  return json ? JSON.parse(out) : out.trim();
}

/* Holds the engine at its next clock read (on), or lets it go. */
export function hold(on) {
  if (on) writeFileSync(HOLD, 'held by tests/browser\n');
  else rmSync(HOLD, { force: true });
}

// ---- the browser ----------------------------------------------------------------------

const require = createRequire(join(WWW, 'package.json'));
const { chromium } = require('playwright-core');

/*
 * Debian's Chromium, headless, with a fresh profile, and none of its
 * background connections (this machine has no network but loopback).
 */
export async function launch(name) {
  const profile = mkdtempSync(join(TMP, `chromium-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: HANG_MS,
  });
  // Every locator wait and action: a hang guard too.
  context.setDefaultTimeout(HANG_MS);
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => {
    errors.push(err.message);
    log(`page error: ${err.message}`);
  });
  page.on('console', (msg) => {
    if (process.env.BROWSER_VERBOSE || msg.type() === 'error' || msg.type() === 'warning') {
      log(`console.${msg.type()}: ${msg.text()}`);
    }
  });
  return { context, page, errors };
}

/*
 * Runs a scenario with a bound on its whole time; exits 0 when it passed, 1
 * when a check failed (after a screenshot, if a page was open).
 */
export async function scenario(name, limitSeconds, body) {
  const timer = setTimeout(() => {
    log(`FAIL: ${name}: still running after ${limitSeconds} s`);
    process.exit(1);
  }, limitSeconds * 1000);
  const ctx = {};
  let rc = 0;
  try {
    await body(ctx);
    log(`PASS: ${name}`);
  } catch (err) {
    rc = 1;
    log(`FAIL: ${name}: ${err instanceof CheckError ? err.message : err.stack}`);
    if (ctx.page) {
      const path = join(SHOTS, `browser-${name}-failed.png`);
      await ctx.page.screenshot({ path, fullPage: true, timeout: 10000 }).then(
        () => log(`screenshot of the failure: ${path}`), () => {});
    }
  } finally {
    hold(false);
    if (ctx.context) await ctx.context.close().catch(() => {});
    clearTimeout(timer);
  }
  process.exit(rc);
}
