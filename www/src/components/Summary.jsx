// Summary.jsx: a finished backtest's result_summary.
import { fixed, int, money, pct, sign } from '../format.js';

export default function Summary({ result: r }) {
  const items = [
    ['Final equity', money(r.final_equity)],
    ['Total return', pct(r.total_return_pct), sign(r.total_return_pct)],
    ['Buy and hold', pct(r.buy_and_hold_return_pct), sign(r.buy_and_hold_return_pct)],
    ['Max drawdown', r.max_drawdown_pct == null ? '—' : `${fixed(r.max_drawdown_pct)} %`,
      r.max_drawdown_pct > 0 ? 'down' : ''],
    ['Trades', `${int(r.total_trades)} (${int(r.winning_trades)} won, ${int(r.losing_trades)} lost)`],
    ['Win rate', `${fixed(r.win_rate_pct, 1)} %`],
    ['Profit factor', r.profit_factor == null ? '—' : fixed(r.profit_factor, 3)],
    ['Sharpe ratio', r.sharpe_ratio == null ? '—' : fixed(r.sharpe_ratio, 3)],
    ['Bars', int(r.bars_processed)],
  ];
  return (
    <div className="card summary" data-testid="summary">
      {items.map(([label, value, cls]) => (
        <div className="metric" key={label}>
          <div className="metric-label">{label}</div>
          <div className={`metric-value ${cls || ''}`}>{value}</div>
        </div>
      ))}
    </div>
  );
}
