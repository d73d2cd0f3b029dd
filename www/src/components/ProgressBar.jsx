// ProgressBar.jsx: a progress bar coloured by job status.
export default function ProgressBar({ value, status, label, testid }) {
  const v = Math.max(0, Math.min(100, Number(value) || 0));
  return (
    <div className={`progress ${status || ''}`} role="progressbar" aria-valuemin={0}
      aria-valuemax={100} aria-valuenow={Math.round(v * 10) / 10} data-testid={testid}>
      <div className="progress-fill" style={{ width: `${v}%` }} />
      {label !== undefined && <span className="progress-label">{label}</span>}
    </div>
  );
}

export function StatusBadge({ status }) {
  return <span className={`badge ${status || 'unknown'}`}>{status || '…'}</span>;
}
