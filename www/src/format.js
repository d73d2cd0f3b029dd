// format.js: how numbers, times and strategies are shown.
export const STRATEGIES = {
  buy_and_hold: { label: 'Buy and hold', params: [] },
  sma_crossover: {
    label: 'SMA crossover',
    params: [
      { name: 'fast', label: 'Fast period', def: 10, integer: true },
      { name: 'slow', label: 'Slow period', def: 30, integer: true },
    ],
  },
  ema_crossover: {
    label: 'EMA crossover',
    params: [
      { name: 'fast', label: 'Fast period', def: 12, integer: true },
      { name: 'slow', label: 'Slow period', def: 26, integer: true },
    ],
  },
  rsi_reversion: {
    label: 'RSI reversion',
    params: [
      { name: 'period', label: 'RSI period', def: 14, integer: true },
      { name: 'lower', label: 'Buy below', def: 30 },
      { name: 'upper', label: 'Sell above', def: 70 },
    ],
  },
};

export const INTERVALS = ['minute', '3minute', '5minute', '10minute', '15minute',
  '30minute', '60minute', 'day'];

export const INTERVAL_LABELS = {
  minute: '1m', '3minute': '3m', '5minute': '5m', '10minute': '10m',
  '15minute': '15m', '30minute': '30m', '60minute': '1h', day: '1D',
};

export const STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'];

export function strategyText(job) {
  if (!job) return '';
  const params = job.params && Object.keys(job.params).length
    ? `(${Object.values(job.params).join(', ')})` : '';
  return `${job.strategy}${params}`;
}

const num = (v, digits) => (v === null || v === undefined || Number.isNaN(v)
  ? '—'
  : Number(v).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

export const money = (v) => num(v, 2);
export const fixed = (v, d = 2) => num(v, d);
export const pct = (v) => (v === null || v === undefined ? '—' : `${v > 0 ? '+' : ''}${num(v, 2)} %`);
export const int = (v) => num(v, 0);

/* "2024-03-01T09:15:00Z" as "2024-03-01 09:15" (UTC, as the data is). */
export function utc(t) {
  if (!t) return '—';
  return t.replace('T', ' ').replace(/:\d\dZ$/, '').replace(/Z$/, '');
}

export function sign(v) {
  if (v === null || v === undefined || v === 0) return '';
  return v > 0 ? 'up' : 'down';
}
