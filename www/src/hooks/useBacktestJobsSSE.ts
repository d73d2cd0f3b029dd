// hooks/useBacktestJobsSSE.ts
import { useEffect, useState, useRef } from 'react';

interface Job {
  job_id: string;
  status: string;
  progress: number;
  symbol: string;
  // ... other fields
}

interface UseBacktestJobsSSEProps {
  token: string;
  statusFilter?: string;
  limit?: number;
  enabled?: boolean;
}

export function useBacktestJobsSSE({
  token,
  statusFilter,
  limit = 10,
  enabled = true
}: UseBacktestJobsSSEProps) {
  const [jobs, setJobs] = useState<Job[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const eventSourceRef = useRef<EventSource | null>(null);

  useEffect(() => {
    if (!enabled || !token) return;

    // Build URL
    const params = new URLSearchParams({
      token,
      limit: limit.toString(),
    });
    if (statusFilter) {
      params.append('status_filter', statusFilter);
    }
    const url = `/api/sse/backtest/jobs?${params.toString()}`;

    // Create SSE connection
    const eventSource = new EventSource(url);
    eventSourceRef.current = eventSource;

    // Handle connection
    eventSource.addEventListener('connection', (e) => {
      console.log('✅ Connected to job listings SSE');
      setLoading(false);
    });

    // Handle initial snapshot
    eventSource.addEventListener('snapshot', (e) => {
      try {
        const data = JSON.parse(e.data);
        setJobs(data.jobs || []);
        setLoading(false);
        setError(null);
      } catch (err) {
        console.error('Error parsing snapshot:', err);
        setError('Failed to parse initial job list');
      }
    });

    // Handle new job
    eventSource.addEventListener('job_added', (e) => {
      try {
        const data = JSON.parse(e.data);
        setJobs(prev => [data.job, ...prev]);
      } catch (err) {
        console.error('Error parsing job_added:', err);
      }
    });

    // Handle job update
    eventSource.addEventListener('job_updated', (e) => {
      try {
        const data = JSON.parse(e.data);
        setJobs(prev => prev.map(job => 
          job.job_id === data.job.job_id ? data.job : job
        ));
      } catch (err) {
        console.error('Error parsing job_updated:', err);
      }
    });

    // Handle job removal
    eventSource.addEventListener('job_removed', (e) => {
      try {
        const data = JSON.parse(e.data);
        setJobs(prev => prev.filter(job => job.job_id !== data.job_id));
      } catch (err) {
        console.error('Error parsing job_removed:', err);
      }
    });

    // Handle errors
    eventSource.addEventListener('error', (e) => {
      console.error('SSE error:', e);
      setError('Connection error. Attempting to reconnect...');
      setLoading(false);
    });

    // Handle connection errors
    eventSource.onerror = (err) => {
      console.error('EventSource error:', err);
      setError('Failed to connect to job listings');
      setLoading(false);

      // Auto-reconnect after 5 seconds
      setTimeout(() => {
        if (eventSourceRef.current?.readyState === EventSource.CLOSED) {
          eventSource.close();
          // Reconnect by re-running effect
          setLoading(true);
        }
      }, 5000);
    };

    // Cleanup
    return () => {
      eventSource.close();
      eventSourceRef.current = null;
    };
  }, [token, statusFilter, limit, enabled]);

  return { jobs, loading, error };
}
