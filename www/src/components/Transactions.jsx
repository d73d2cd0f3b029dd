// Transactions.jsx: the fills streamed so far, newest first.
import { fixed, int, money, sign, utc } from '../format.js';

const SHOWN = 200;

export default function Transactions({ transactions }) {
  const rows = transactions.slice(-SHOWN).reverse();
  return (
    <div className="card transactions" data-testid="transactions" data-count={transactions.length}>
      <div className="card-head">
        <h2>Transactions</h2>
        <span className="muted">
          {transactions.length > SHOWN ? `the last ${SHOWN} of ${transactions.length}` : transactions.length}
        </span>
      </div>
      {transactions.length === 0 ? (
        <div className="muted empty">No transactions yet.</div>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr><th>#</th><th>Time (UTC)</th><th>Side</th><th className="num">Price</th>
                <th className="num">Qty</th><th className="num">Commission</th>
                <th className="num">Cash after</th><th className="num">P&amp;L</th><th>Reason</th></tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.seq}>
                  <td className="muted">{t.seq}</td>
                  <td className="mono">{utc(t.time)}</td>
                  <td><span className={`side ${t.side}`}>{t.side}</span></td>
                  <td className="num">{fixed(t.price, 2)}</td>
                  <td className="num">{int(t.quantity)}</td>
                  <td className="num">{money(t.commission)}</td>
                  <td className="num">{money(t.cash_after)}</td>
                  <td className={`num ${sign(t.pnl)}`}>{t.pnl === undefined ? '' : money(t.pnl)}</td>
                  <td className="muted">{t.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
