// JobList.jsx: the user's jobs, live from the jobs stream (the guide's useBacktestJobsSSE), with a status filter.
import { useState } from 'react';

import { useBacktestJobsSSE } from '../hooks/useBacktestJobsSSE';
import { STATUSES, strategyText, utc } from '../format.js';
import ProgressBar, { StatusBadge } from './ProgressBar.jsx';

const LIMIT = 20;

export default function JobList({ token, selected, onSelect }) {
  const [statusFilter, setStatusFilter] = useState(undefined);
  const { jobs, loading, error } = useBacktestJobsSSE({ token, statusFilter, limit: LIMIT });

  return (
    <div className="card jobs" data-testid="jobs">
      <div className="card-head">
        <h2>Jobs</h2>
        <span className="muted">{loading ? 'connecting…' : `${jobs.length} shown`}</span>
      </div>
      <div className="filters" role="group" aria-label="status filter">
        {[undefined, ...STATUSES].map((s) => (
          <button type="button" key={s || 'all'} data-filter={s || 'all'}
            className={`chip ${statusFilter === s ? 'active' : ''}`}
            onClick={() => setStatusFilter(s)}>
            {s || 'all'}
          </button>
        ))}
      </div>
      {error && <div className="alert warn">{error}</div>}
      <ul className="job-list">
        {!loading && jobs.length === 0 && (
          <li className="muted empty">No {statusFilter || ''} jobs yet.</li>
        )}
        {jobs.map((job) => (
          <li key={job.job_id} data-job-id={job.job_id}
            className={`job-row ${selected === job.job_id ? 'selected' : ''}`}
            onClick={() => onSelect(job.job_id)}>
            <div className="job-row-top">
              <span className="sym">{job.symbol}</span>
              <span className="muted small">{job.interval}</span>
              <span className="strategy small">{strategyText(job)}</span>
              <StatusBadge status={job.status} />
            </div>
            <ProgressBar value={job.progress} status={job.status} />
            <div className="job-row-bottom muted small">
              <span>{job.start_date} → {job.end_date}</span>
              <span>{Math.round(job.progress ?? 0)} %</span>
              <span>{utc(job.created_at)}</span>
            </div>
          </li>
        ))}
      </ul>
      {jobs.length >= LIMIT && <div className="muted small foot">the newest {LIMIT}</div>}
    </div>
  );
}
