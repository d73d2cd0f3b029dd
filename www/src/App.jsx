// App.jsx: the dashboard: jobs and history on the left, the selected job on the right, a form for a new backtest.
import { useEffect, useState } from 'react';

import History from './components/History.jsx';
import JobList from './components/JobList.jsx';
import JobView from './components/JobView.jsx';
import SubmitForm from './components/SubmitForm.jsx';
import TokenPrompt from './components/TokenPrompt.jsx';
import { forgetToken, saveToken, takeToken, tokenClaims } from './token.js';

/*
 * Streams open at once: jobs, history, the selected job's progress and its
 * chart: four, so that two of the browser's six HTTP/1.1 connections to
 * the host stay free for REST calls.
 */
export default function App() {
  const [token, setToken] = useState(takeToken);
  const [selected, setSelected] = useState(null);
  const [showForm, setShowForm] = useState(false);
  const claims = token ? tokenClaims(token) : null;

  // A token pasted into the address bar later (#token=…) replaces this one.
  useEffect(() => {
    const onHash = () => {
      if (/token=/.test(window.location.hash)) setToken(takeToken());
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  if (!token) {
    return <TokenPrompt onToken={(t) => { saveToken(t); setToken(t); }} />;
  }

  const expired = claims?.exp && claims.exp * 1000 < Date.now();

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">◆</span>
          <span className="name">backstream</span>
          <span className="tagline">live backtests over Server-Sent Events</span>
        </div>
        <div className="topbar-right">
          {claims?.sub && (
            <span className={`user ${expired ? 'expired' : ''}`} title={
              claims.exp ? `token valid until ${new Date(claims.exp * 1000).toISOString()}` : ''}>
              {claims.sub}{expired ? ' (token expired)' : ''}
            </span>
          )}
          <button type="button" className="primary" data-testid="new-backtest"
            onClick={() => setShowForm(true)}>
            New backtest
          </button>
          <button type="button" className="ghost" onClick={() => {
            forgetToken();
            setToken('');
            setSelected(null);
          }}>
            Sign out
          </button>
        </div>
      </header>
      <main className="layout">
        <aside className="sidebar">
          <JobList token={token} selected={selected} onSelect={setSelected} />
          <History token={token} selected={selected} onSelect={setSelected} />
        </aside>
        <section className="content">
          {selected ? (
            <JobView key={selected} token={token} jobId={selected}
              onDeleted={() => setSelected(null)} />
          ) : (
            <div className="card empty-state">
              <h2>No job selected</h2>
              <p>Pick a job on the left, or start a new backtest: its progress,
                transactions and chart stream in as the engine runs it.</p>
              <button type="button" className="primary" onClick={() => setShowForm(true)}>
                New backtest
              </button>
            </div>
          )}
        </section>
      </main>
      {showForm && (
        <SubmitForm token={token} onClose={() => setShowForm(false)}
          onSubmitted={(job) => { setShowForm(false); setSelected(job.job_id); }} />
      )}
    </div>
  );
}
