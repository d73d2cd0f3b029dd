// hooks/useBacktestHistorySSE.ts
import { useEffect, useState, useRef } from 'react';

interface Backtest {
  id: string;
  backtest_id: string;
  symbol: string;
  status: string;
  // ... other fields
}

interface UseBacktestHistorySSEProps {
  token: string;
  limit?: number;
  enabled?: boolean;
}

export function useBacktestHistorySSE({
  token,
  limit = 10,
  enabled = true
}: UseBacktestHistorySSEProps) {
  const [backtests, setBacktests] = useState<Backtest[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const eventSourceRef = useRef<EventSource | null>(null);

  useEffect(() => {
    if (!enabled || !token) return;

    const url = `/api/sse/backtest/history?token=${token}&limit=${limit}`;
    const eventSource = new EventSource(url);
    eventSourceRef.current = eventSource;

    eventSource.addEventListener('connection', () => {
      console.log('✅ Connected to history SSE');
      setLoading(false);
    });

    eventSource.addEventListener('snapshot', (e) => {
      try {
        const data = JSON.parse(e.data);
        setBacktests(data.backtests || []);
        setLoading(false);
        setError(null);
      } catch (err) {
        console.error('Error parsing snapshot:', err);
        setError('Failed to parse history');
      }
    });

    eventSource.addEventListener('backtest_added', (e) => {
      try {
        const data = JSON.parse(e.data);
        setBacktests(prev => [data.backtest, ...prev]);
      } catch (err) {
        console.error('Error parsing backtest_added:', err);
      }
    });

    eventSource.addEventListener('backtest_updated', (e) => {
      try {
        const data = JSON.parse(e.data);
        setBacktests(prev => prev.map(bt => 
          (bt.id === data.backtest.id || bt.backtest_id === data.backtest.backtest_id)
            ? data.backtest
            : bt
        ));
      } catch (err) {
        console.error('Error parsing backtest_updated:', err);
      }
    });

    eventSource.addEventListener('error', (e) => {
      console.error('SSE error:', e);
      setError('Connection error');
      setLoading(false);
    });

    eventSource.onerror = () => {
      setError('Failed to connect to history');
      setLoading(false);
    };

    return () => {
      eventSource.close();
      eventSourceRef.current = null;
    };
  }, [token, limit, enabled]);

  return { backtests, loading, error };
}
