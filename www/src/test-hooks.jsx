// test-hooks.jsx: mounts the frontend guide's four hooks, unchanged, and mirrors their state into window.__hooks for tests/browser/hooks.mjs.
//
// The page takes its token from #token=…, and its settings from the query
// and from window.__set({...}):
//   filter, jobsLimit   the filtered jobs hook (a second jobs hook has no filter)
//   historyLimit        the history hook
//   jobId               the progress hook (remounted per job, as an app would)
//   dataId, interval, dataLimit   the data hook (remounted per setting)
// window.__hooks = { jobs, jobsFiltered, history, progress, data }: each the
// hook's return value as of its component's last render, plus the settings.
// With ?shared=1, the hooks' streams go through shared-event-source.js, as
// the dashboard's do (tests/browser/tabs.mjs).
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';

import { useBacktestDataSSE } from './hooks/useBacktestDataSSE';
import { useBacktestHistorySSE } from './hooks/useBacktestHistorySSE';
import { useBacktestJobsSSE } from './hooks/useBacktestJobsSSE';
import { useBacktestProgressSSE } from './hooks/useBacktestProgressSSE';
import { installSharedEventSource } from './shared-event-source.js';
import { takeToken } from './token.js';

window.__hooks = {};

function publish(name, settings, state) {
  window.__hooks[name] = { ...state, settings, renderedAt: Date.now() };
}

function Show({ name }) {
  return <pre data-probe={name}>{name}</pre>;
}

function Jobs({ name, token, statusFilter, limit }) {
  const state = useBacktestJobsSSE({ token, statusFilter, limit });
  publish(name, { statusFilter, limit }, state);
  return <Show name={name} />;
}

function History({ token, limit }) {
  const state = useBacktestHistorySSE({ token, limit });
  publish('history', { limit }, state);
  return <Show name="history" />;
}

function Progress({ token, jobId }) {
  const state = useBacktestProgressSSE({ jobId, token });
  publish('progress', { jobId }, state);
  return <Show name="progress" />;
}

function Data({ token, id, interval, limit }) {
  const state = useBacktestDataSSE({ id, interval, token, limit });
  publish('data', { id, interval, limit }, state);
  return <Show name="data" />;
}

const query = new URLSearchParams(window.location.search);
if (query.get('shared') === '1') window.__shared = installSharedEventSource();
const num = (name, def) => (query.has(name) ? Number(query.get(name)) : def);

function Page() {
  const [token] = useState(takeToken);
  const [s, setS] = useState({
    filter: query.get('filter') || undefined,
    jobsLimit: num('jobsLimit', 10),
    historyLimit: num('historyLimit', 10),
    jobId: query.get('jobId') || '',
    dataId: query.get('dataId') || '',
    interval: query.get('interval') || 'day',
    dataLimit: num('dataLimit', 1000),
  });

  useEffect(() => {
    window.__set = (patch) => setS((prev) => ({ ...prev, ...patch }));
    window.__settings = () => s;
    window.__ready = true;
  }, [s]);

  if (!token) return <p>open with #token=…</p>;
  // Five streams at most: one HTTP/1.1 connection stays free.
  return (
    <>
      <Jobs name="jobs" token={token} limit={s.jobsLimit} />
      <Jobs name="jobsFiltered" token={token} statusFilter={s.filter} limit={s.jobsLimit} />
      <History token={token} limit={s.historyLimit} />
      {s.jobId && <Progress key={s.jobId} token={token} jobId={s.jobId} />}
      {s.dataId && (
        <Data key={`${s.dataId}/${s.interval}/${s.dataLimit}`} token={token} id={s.dataId}
          interval={s.interval} limit={s.dataLimit} />
      )}
    </>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <Page />
  </StrictMode>,
);
