// hooks/useBacktestDataSSE.ts
import { useEffect, useState, useRef } from 'react';

interface DataPoint {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

interface UseBacktestDataSSEProps {
  id: string; // job_id or backtest_id
  interval: string;
  token: string;
  limit?: number;
  enabled?: boolean;
}

export function useBacktestDataSSE({
  id,
  interval,
  token,
  limit = 1000,
  enabled = true
}: UseBacktestDataSSEProps) {
  const [data, setData] = useState<DataPoint[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState({ points_sent: 0, total_points: 0 });
  const eventSourceRef = useRef<EventSource | null>(null);

  useEffect(() => {
    if (!enabled || !token || !id || !interval) return;

    const url = `/api/sse/backtest/${id}/data?interval=${interval}&limit=${limit}&token=${token}`;
    const eventSource = new EventSource(url);
    eventSourceRef.current = eventSource;

    eventSource.addEventListener('interval_start', (e) => {
      try {
        const data = JSON.parse(e.data);
        setData([]); // Reset data
        setLoading(true);
        setProgress({ points_sent: 0, total_points: data.total_points || 0 });
      } catch (err) {
        console.error('Error parsing interval_start:', err);
      }
    });

    eventSource.addEventListener('data_chunk', (e) => {
      try {
        const data = JSON.parse(e.data);
        setData(prev => [...prev, ...data.data_points]);
        setProgress({
          points_sent: data.points_sent || 0,
          total_points: data.total_points || 0
        });
      } catch (err) {
        console.error('Error parsing data_chunk:', err);
      }
    });

    eventSource.addEventListener('complete', (e) => {
      try {
        const data = JSON.parse(e.data);
        setLoading(false);
        setProgress(prev => ({ ...prev, points_sent: data.total_points || 0 }));
      } catch (err) {
        console.error('Error parsing complete:', err);
      }
    });

    eventSource.addEventListener('error', (e) => {
      try {
        const data = JSON.parse(e.data);
        setError(data.message || 'Error loading data');
        setLoading(false);
      } catch (err) {
        console.error('Error parsing error event:', err);
      }
    });

    eventSource.onerror = () => {
      setError('Failed to connect to data stream');
      setLoading(false);
    };

    return () => {
      eventSource.close();
      eventSourceRef.current = null;
    };
  }, [id, interval, token, limit, enabled]);

  return { data, loading, error, progress };
}
