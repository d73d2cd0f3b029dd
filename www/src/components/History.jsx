// History.jsx: completed backtests, live from the history stream (the guide's useBacktestHistorySSE).
import { useBacktestHistorySSE } from '../hooks/useBacktestHistorySSE';
import { pct, sign, strategyText, utc } from '../format.js';

export default function History({ token, selected, onSelect }) {
  const { backtests, loading, error } = useBacktestHistorySSE({ token, limit: 10 });

  return (
    <div className="card history" data-testid="history">
      <div className="card-head">
        <h2>History</h2>
        <span className="muted">{loading ? 'connecting…' : `${backtests.length} backtests`}</span>
      </div>
      {error && <div className="alert warn">{error}</div>}
      <table className="history-table">
        <tbody>
          {!loading && backtests.length === 0 && (
            <tr><td className="muted empty">Completed backtests appear here.</td></tr>
          )}
          {backtests.map((bt) => {
            const r = bt.result_summary || {};
            return (
              <tr key={bt.id} data-backtest-id={bt.id}
                className={selected === bt.job_id ? 'selected' : ''}
                onClick={() => onSelect(bt.job_id)}>
                <td>
                  <div><span className="sym">{bt.symbol}</span>
                    <span className="muted small"> {bt.interval}</span></div>
                  <div className="muted small">{strategyText(bt)}</div>
                </td>
                <td className="num">
                  <div className={sign(r.total_return_pct)}>{pct(r.total_return_pct)}</div>
                  <div className="muted small">{r.total_trades ?? 0} trades</div>
                </td>
                <td className="muted small num">{utc(bt.completed_at)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
