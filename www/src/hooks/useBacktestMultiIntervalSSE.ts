// hooks/useBacktestMultiIntervalSSE.ts
import { useEffect, useState, useRef } from 'react';

interface DataPoint {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

interface UseBacktestMultiIntervalSSEProps {
  id: string;
  intervals: string[]; // e.g., ['day', 'minute', '3minute']
  token: string;
  limit?: number;
  enabled?: boolean;
}

export function useBacktestMultiIntervalSSE({
  id,
  intervals,
  token,
  limit = 1000,
  enabled = true
}: UseBacktestMultiIntervalSSEProps) {
  const [dataByInterval, setDataByInterval] = useState<Record<string, DataPoint[]>>({});
  const [loading, setLoading] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<string | null>(null);
  const clientsRef = useRef<Map<string, EventSource>>(new Map());

  useEffect(() => {
    if (!enabled || !token || !id || intervals.length === 0) return;

    // Initialize loading state for all intervals
    const initialLoading: Record<string, boolean> = {};
    intervals.forEach(interval => {
      initialLoading[interval] = true;
      setDataByInterval(prev => ({ ...prev, [interval]: [] }));
    });
    setLoading(initialLoading);

    // Create one SSE connection per interval for parallel loading
    intervals.forEach(interval => {
      const url = `/api/sse/backtest/${id}/data?interval=${interval}&limit=${limit}&token=${token}`;
      const eventSource = new EventSource(url);
      clientsRef.current.set(interval, eventSource);

      eventSource.addEventListener('interval_start', (e) => {
        try {
          const data = JSON.parse(e.data);
          setLoading(prev => ({ ...prev, [interval]: true }));
          setDataByInterval(prev => ({ ...prev, [interval]: [] }));
        } catch (err) {
          console.error(`Error parsing interval_start for ${interval}:`, err);
        }
      });

      eventSource.addEventListener('data_chunk', (e) => {
        try {
          const data = JSON.parse(e.data);
          setDataByInterval(prev => ({
            ...prev,
            [interval]: [...(prev[interval] || []), ...data.data_points]
          }));
        } catch (err) {
          console.error(`Error parsing data_chunk for ${interval}:`, err);
        }
      });

      eventSource.addEventListener('complete', (e) => {
        try {
          setLoading(prev => ({ ...prev, [interval]: false }));
        } catch (err) {
          console.error(`Error parsing complete for ${interval}:`, err);
        }
      });

      eventSource.addEventListener('error', (e) => {
        try {
          const data = JSON.parse(e.data);
          setError(data.message || `Error loading ${interval} data`);
          setLoading(prev => ({ ...prev, [interval]: false }));
        } catch (err) {
          console.error(`Error parsing error event for ${interval}:`, err);
        }
      });

      eventSource.onerror = () => {
        setError(`Failed to connect to ${interval} data stream`);
        setLoading(prev => ({ ...prev, [interval]: false }));
      };
    });

    // Cleanup: close all connections
    return () => {
      clientsRef.current.forEach((eventSource, interval) => {
        eventSource.close();
      });
      clientsRef.current.clear();
    };
  }, [id, intervals.join(','), token, limit, enabled]);

  return { dataByInterval, loading, error };
}
