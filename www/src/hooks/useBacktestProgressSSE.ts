// hooks/useBacktestProgressSSE.ts
import { useEffect, useState, useRef } from 'react';

interface ProgressData {
  status: string;
  progress: number;
  current_bar?: number;
  total_bars?: number;
  message?: string;
}

interface Transaction {
  // ... transaction fields
}

interface UseBacktestProgressSSEProps {
  jobId: string;
  token: string;
  enabled?: boolean;
}

export function useBacktestProgressSSE({
  jobId,
  token,
  enabled = true
}: UseBacktestProgressSSEProps) {
  const [progress, setProgress] = useState<ProgressData | null>(null);
  const [transactions, setTransactions] = useState<Transaction[]>([]);
  const [result, setResult] = useState<any>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const eventSourceRef = useRef<EventSource | null>(null);

  useEffect(() => {
    if (!enabled || !token || !jobId) return;

    const url = `/api/sse/backtest/${jobId}?token=${token}`;
    const eventSource = new EventSource(url);
    eventSourceRef.current = eventSource;

    eventSource.addEventListener('connection', () => {
      console.log(`✅ Connected to progress SSE for job ${jobId}`);
      setLoading(false);
    });

    eventSource.addEventListener('progress', (e) => {
      try {
        const data = JSON.parse(e.data);
        setProgress(data);
      } catch (err) {
        console.error('Error parsing progress:', err);
      }
    });

    eventSource.addEventListener('transaction', (e) => {
      try {
        const data = JSON.parse(e.data);
        setTransactions(prev => [...prev, ...data.transactions]);
      } catch (err) {
        console.error('Error parsing transaction:', err);
      }
    });

    eventSource.addEventListener('completed', (e) => {
      try {
        const data = JSON.parse(e.data);
        setResult(data.result_summary || data);
        setProgress(prev => prev ? { ...prev, status: 'completed', progress: 100 } : null);
      } catch (err) {
        console.error('Error parsing completed:', err);
      }
    });

    eventSource.addEventListener('failed', (e) => {
      try {
        const data = JSON.parse(e.data);
        setError(data.error_message || 'Job failed');
        setProgress(prev => prev ? { ...prev, status: 'failed' } : null);
      } catch (err) {
        console.error('Error parsing failed:', err);
      }
    });

    eventSource.addEventListener('cancelled', (e) => {
      setProgress(prev => prev ? { ...prev, status: 'cancelled' } : null);
    });

    eventSource.addEventListener('error', (e) => {
      console.error('SSE error:', e);
      setError('Connection error');
      setLoading(false);
    });

    eventSource.onerror = () => {
      setError('Failed to connect to job progress');
      setLoading(false);
    };

    return () => {
      eventSource.close();
      eventSourceRef.current = null;
    };
  }, [jobId, token, enabled]);

  return { progress, transactions, result, loading, error };
}
