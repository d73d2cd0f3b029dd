// Chart.jsx: candlesticks and volume of a job's bars (the guide's useBacktestDataSSE) at a chosen interval, with its fills as markers.
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  CandlestickSeries, ColorType, CrosshairMode, HistogramSeries, createChart,
  createSeriesMarkers,
} from 'lightweight-charts';

import { useBacktestDataSSE } from '../hooks/useBacktestDataSSE';
import { INTERVALS, INTERVAL_LABELS } from '../format.js';

const UP = '#26a69a';
const DOWN = '#ef5350';
const SECONDS = {
  minute: 60, '3minute': 180, '5minute': 300, '10minute': 600, '15minute': 900,
  '30minute': 1800, '60minute': 3600, day: 86400,
};

const toSeconds = (iso) => Math.floor(Date.parse(iso) / 1000);

export default function Chart({ token, jobId, jobInterval, transactions }) {
  const [chosen, setChosen] = useState(null);
  const interval = chosen || jobInterval;
  return (
    <div className="card chart-card" data-testid="chart">
      <div className="card-head">
        <h2>Chart</h2>
        <div className="intervals" role="group" aria-label="chart interval">
          {INTERVALS.map((iv) => (
            <button type="button" key={iv} data-interval={iv}
              className={`chip ${iv === interval ? 'active' : ''}`}
              onClick={() => setChosen(iv)} title={iv}>
              {INTERVAL_LABELS[iv]}
            </button>
          ))}
        </div>
      </div>
      {interval
        ? <ChartBody key={interval} token={token} jobId={jobId} interval={interval}
            transactions={transactions} />
        : <div className="chart-box muted">…</div>}
    </div>
  );
}

/* Mounted per interval (key), so a new interval starts with a clean hook. */
function ChartBody({ token, jobId, interval, transactions }) {
  const { data, loading, error, progress } = useBacktestDataSSE({ id: jobId, interval, token });
  const box = useRef(null);
  const chart = useRef(null);

  useEffect(() => {
    const c = createChart(box.current, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: '#9aa7b8',
        fontFamily: 'Inter, system-ui, sans-serif',
        attributionLogo: true,
      },
      grid: {
        vertLines: { color: 'rgba(148, 163, 184, 0.08)' },
        horzLines: { color: 'rgba(148, 163, 184, 0.08)' },
      },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: 'rgba(148, 163, 184, 0.25)' },
      timeScale: {
        borderColor: 'rgba(148, 163, 184, 0.25)',
        timeVisible: interval !== 'day',
        secondsVisible: false,
      },
    });
    const candles = c.addSeries(CandlestickSeries, {
      upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN,
    });
    const volume = c.addSeries(HistogramSeries, {
      priceFormat: { type: 'volume' }, priceScaleId: '', lastValueVisible: false,
      priceLineVisible: false,
    });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.06, bottom: 0.24 } });
    const markers = createSeriesMarkers(candles, []);
    chart.current = { c, candles, volume, markers };
    return () => {
      chart.current = null;
      c.remove();
    };
  }, [interval]);

  // Bars: the whole array again as chunks arrive (a few per load).
  useEffect(() => {
    const ch = chart.current;
    if (!ch) return;
    ch.candles.setData(data.map((p) => ({
      time: toSeconds(p.time), open: p.open, high: p.high, low: p.low, close: p.close,
    })));
    ch.volume.setData(data.map((p) => ({
      time: toSeconds(p.time), value: p.volume,
      color: p.close >= p.open ? 'rgba(38, 166, 154, 0.45)' : 'rgba(239, 83, 80, 0.45)',
    })));
    if (!loading) ch.c.timeScale().fitContent();
  }, [data, loading]);

  // Fills, each on the bar that holds its time.
  const fills = useMemo(() => fillMarkers(data, transactions, SECONDS[interval]),
    [data, transactions, interval]);
  useEffect(() => {
    chart.current?.markers.setMarkers(fills.markers);
  }, [fills]);

  return (
    <>
      <div className="chart-status muted small" data-testid="chart-status"
        data-loading={String(loading)} data-points={data.length}>
        {loading
          ? `loading ${progress.points_sent} / ${progress.total_points} bars…`
          : `${data.length} ${interval} bars${data.length ? `, ${data[0].time.slice(0, 10)} → ${data[data.length - 1].time.slice(0, 10)}` : ''}`}
        {fills.fills > 0 && (fills.hidden
          ? ` · ${fills.fills} fills: too many to mark at this interval`
          : ` · ${fills.fills} fills marked`)}
        {error && <span className="chart-error"> · {error}</span>}
      </div>
      <div className="chart-box" ref={box} />
    </>
  );
}

/*
 * Markers for the fills in the chart's range: one per bar and side.  Past
 * MAX_MARKERS (a long range at a coarse interval) they would hide the
 * candles: none then, and the status line says so.
 */
const MAX_MARKERS = 150;

function fillMarkers(data, transactions, step) {
  if (data.length === 0 || transactions.length === 0) return { markers: [], fills: 0 };
  const times = data.map((p) => toSeconds(p.time));
  const first = times[0];
  const end = times[times.length - 1] + step;
  const bars = new Map();
  let fills = 0;
  for (const t of transactions) {
    const at = toSeconds(t.time);
    if (at < first || at >= end) continue;
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid] <= at) lo = mid; else hi = mid - 1;
    }
    fills++;
    bars.set(`${times[lo]}/${t.side}`, { time: times[lo], side: t.side });
  }
  if (bars.size > MAX_MARKERS) return { markers: [], fills, hidden: true };
  const out = [...bars.values()].sort((a, b) => a.time - b.time || a.side.localeCompare(b.side));
  const labels = out.length <= 60;
  const markers = out.map((m) => (m.side === 'BUY'
    ? { time: m.time, position: 'belowBar', shape: 'arrowUp', color: UP, text: labels ? 'B' : undefined }
    : { time: m.time, position: 'aboveBar', shape: 'arrowDown', color: DOWN, text: labels ? 'S' : undefined }));
  return { markers, fills };
}
