// JobView.jsx: one job: live progress, result summary, chart and transactions (the guide's useBacktestProgressSSE), with cancel and delete.
import { useEffect, useState } from 'react';

import { cancelJob, deleteJob, getJob } from '../api.js';
import { useBacktestProgressSSE } from '../hooks/useBacktestProgressSSE';
import { fixed, int, money, strategyText, utc } from '../format.js';
import Chart from './Chart.jsx';
import ProgressBar, { StatusBadge } from './ProgressBar.jsx';
import Summary from './Summary.jsx';
import Transactions from './Transactions.jsx';

const FINISHED = ['completed', 'failed', 'cancelled'];

/* Mounted with key={jobId}: a new job gets a new hook, whose state starts empty. */
export default function JobView({ token, jobId, onDeleted }) {
  const { progress, transactions, result, loading, error } =
    useBacktestProgressSSE({ jobId, token });
  const [job, setJob] = useState(null);
  const [actionError, setActionError] = useState(null);
  const [busy, setBusy] = useState(false);

  const status = progress?.status || job?.status;
  const finished = FINISHED.includes(status);

  // The job's parameters and, once it has finished, its final record.
  useEffect(() => {
    let live = true;
    getJob(token, jobId)
      .then((j) => { if (live) setJob(j); })
      .catch((err) => { if (live) setActionError(err.message); });
    return () => { live = false; };
  }, [token, jobId, finished]);

  const act = async (what) => {
    setBusy(true);
    setActionError(null);
    try {
      if (what === 'cancel') {
        setJob(await cancelJob(token, jobId));
      } else {
        await deleteJob(token, jobId);
        onDeleted();
      }
    } catch (err) {
      setActionError(err.message);
    } finally {
      setBusy(false);
    }
  };

  const value = progress?.progress ?? job?.progress ?? 0;
  const current = progress?.current_bar ?? job?.current_bar ?? 0;
  const total = progress?.total_bars ?? job?.total_bars ?? 0;
  const message = progress?.message ?? job?.message;
  const summary = result || job?.result_summary;
  const failedMessage = status === 'failed' ? (job?.error_message || error) : null;
  // The guide's hook keeps its error after any reconnect, and uses it for a
  // failed job's message too: show it only as a notice.
  const streamNotice = error && error !== failedMessage ? error : null;

  return (
    <div className="job-view" data-testid="job-view" data-job-id={jobId} data-status={status || ''}>
      <div className="card">
        <div className="job-head">
          <div>
            <h2>
              <span className="sym">{job?.symbol || '…'}</span>
              <span className="strategy">{strategyText(job)}</span>
              <span className="muted">{job?.interval}</span>
            </h2>
            <div className="muted small mono" title="job id">{jobId}</div>
          </div>
          <div className="job-actions">
            <StatusBadge status={status} />
            <button type="button" data-testid="cancel" disabled={busy || !status || finished}
              onClick={() => act('cancel')}>Cancel</button>
            <button type="button" className="danger" data-testid="delete"
              disabled={busy || !status}
              onClick={() => act('delete')}>Delete</button>
          </div>
        </div>
        <dl className="job-meta">
          <div><dt>Range</dt><dd>{job ? `${job.start_date} → ${job.end_date}` : '…'}</dd></div>
          <div><dt>Capital</dt><dd>{money(job?.initial_capital)}</dd></div>
          <div><dt>Commission</dt><dd>{job ? `${fixed(job.commission * 100, 3)} %` : '…'}</dd></div>
          <div><dt>Created</dt><dd>{utc(job?.created_at)}</dd></div>
          <div><dt>Finished</dt><dd>{utc(job?.finished_at)}</dd></div>
        </dl>
        <ProgressBar value={value} status={status} testid="job-progress"
          label={`${fixed(value, 1)} % · ${int(current)} / ${int(total)} bars`} />
        <div className="progress-foot muted small">
          <span data-testid="job-message">{loading ? 'connecting…' : message}</span>
          <span>{transactions.length} transactions streamed</span>
        </div>
        {failedMessage && <div className="alert error" data-testid="job-error">{failedMessage}</div>}
        {streamNotice && <div className="alert warn">{streamNotice}</div>}
        {actionError && <div className="alert error">{actionError}</div>}
      </div>
      {summary && <Summary result={summary} />}
      <Chart token={token} jobId={jobId} jobInterval={job?.interval}
        transactions={transactions} />
      <Transactions transactions={transactions} />
    </div>
  );
}
