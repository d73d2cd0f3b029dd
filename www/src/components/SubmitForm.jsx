// SubmitForm.jsx: a new backtest: symbol (from /api/backtesting/symbols), interval, dates, strategy and parameters, capital and commission.
import { useEffect, useState } from 'react';

import { getSymbols, submitJob } from '../api.js';
import { INTERVALS, STRATEGIES } from '../format.js';

const defaults = (strategy) => Object.fromEntries(
  STRATEGIES[strategy].params.map((p) => [p.name, String(p.def)]));

export default function SubmitForm({ token, onSubmitted, onClose }) {
  const [symbols, setSymbols] = useState(null);
  const [form, setForm] = useState({
    symbol: '', interval: 'minute', start_date: '', end_date: '',
    strategy: 'sma_crossover', params: defaults('sma_crossover'),
    initial_capital: '100000', commission: '0.0005',
  });
  const [error, setError] = useState(null);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    let live = true;
    getSymbols(token).then((list) => {
      if (!live) return;
      setSymbols(list);
      if (list.length) {
        const s = list[0];
        setForm((f) => ({
          ...f, symbol: f.symbol || s.symbol,
          start_date: f.start_date || s.first.slice(0, 10),
          end_date: f.end_date || s.last.slice(0, 10),
        }));
      }
    }).catch((err) => { if (live) setError(`symbols: ${err.message}`); });
    return () => { live = false; };
  }, [token]);

  useEffect(() => {
    const onKey = (e) => { if (e.key === 'Escape') onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const set = (name) => (e) => setForm((f) => ({ ...f, [name]: e.target.value }));
  const symbol = symbols?.find((s) => s.symbol === form.symbol);
  const intervals = symbol?.intervals?.length ? symbol.intervals : INTERVALS;

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    const params = {};
    for (const p of STRATEGIES[form.strategy].params) {
      const v = Number(form.params[p.name]);
      if (form.params[p.name] === '' || !Number.isFinite(v)) {
        setError(`${p.label}: a number is needed`);
        return;
      }
      params[p.name] = v;
    }
    const spec = {
      symbol: form.symbol, interval: form.interval,
      start_date: form.start_date, end_date: form.end_date,
      strategy: form.strategy, params,
      initial_capital: Number(form.initial_capital), commission: Number(form.commission),
    };
    setSending(true);
    try {
      onSubmitted(await submitJob(token, spec));
    } catch (err) {
      setError(err.message);
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="overlay" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <form className="card submit-form" data-testid="submit-form" onSubmit={submit}>
        <div className="card-head">
          <h2>New backtest</h2>
          <button type="button" className="ghost" onClick={onClose} aria-label="close">✕</button>
        </div>
        <div className="grid2">
          <label>Symbol
            <select name="symbol" value={form.symbol} onChange={(e) => {
              const s = symbols.find((x) => x.symbol === e.target.value);
              setForm((f) => ({
                ...f, symbol: e.target.value,
                interval: s?.intervals?.includes(f.interval) ? f.interval : (s?.intervals?.[0] || f.interval),
              }));
            }} disabled={!symbols} required>
              {!symbols && <option value="">loading…</option>}
              {symbols?.map((s) => <option key={s.symbol} value={s.symbol}>{s.symbol}</option>)}
            </select>
          </label>
          <label>Interval
            <select name="interval" value={form.interval} onChange={set('interval')}>
              {intervals.map((iv) => <option key={iv} value={iv}>{iv}</option>)}
            </select>
          </label>
          <label>From
            <input name="start_date" type="date" value={form.start_date} onChange={set('start_date')}
              min={symbol?.first?.slice(0, 10)} max={symbol?.last?.slice(0, 10)} required />
          </label>
          <label>To
            <input name="end_date" type="date" value={form.end_date} onChange={set('end_date')}
              min={symbol?.first?.slice(0, 10)} max={symbol?.last?.slice(0, 10)} required />
          </label>
          <label className="span2">Strategy
            <select name="strategy" value={form.strategy} onChange={(e) => {
              const strategy = e.target.value;
              setForm((f) => ({ ...f, strategy, params: defaults(strategy) }));
            }}>
              {Object.entries(STRATEGIES).map(([name, s]) => (
                <option key={name} value={name}>{s.label} ({name})</option>
              ))}
            </select>
          </label>
          {STRATEGIES[form.strategy].params.map((p) => (
            <label key={p.name}>{p.label} <span className="muted small">{p.name}</span>
              <input name={`param-${p.name}`} type="number" step={p.integer ? 1 : 'any'}
                value={form.params[p.name]} onChange={(e) => {
                  const v = e.target.value;
                  setForm((f) => ({ ...f, params: { ...f.params, [p.name]: v } }));
                }} required />
            </label>
          ))}
          <label>Initial capital
            <input name="initial_capital" type="number" min="0" step="any"
              value={form.initial_capital} onChange={set('initial_capital')} required />
          </label>
          <label>Commission <span className="muted small">fraction of traded value</span>
            <input name="commission" type="number" min="0" max="0.999999" step="any"
              value={form.commission} onChange={set('commission')} required />
          </label>
        </div>
        {error && <div className="alert error" data-testid="submit-error">{error}</div>}
        <div className="form-actions">
          <button type="button" className="ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" data-testid="submit" disabled={sending || !symbols}>
            {sending ? 'Submitting…' : 'Run backtest'}
          </button>
        </div>
      </form>
    </div>
  );
}
