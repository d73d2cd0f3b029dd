// guide-hooks.mjs: the frontend SSE guide's hooks, transcribed line for line with React's state replaced by plain setters, driven by real EventSource objects.
//
// Each hook below is the guide's code (the frontend's SSE integration guide,
// sections 1 to 5) with three mechanical changes and no others:
//   - useState becomes a field of the hook's state object, and its setter
//     takes a value or an updater function, as React's does;
//   - the effect runs once when the hook is mounted, and unmount() runs the
//     cleanup it returned (React's unmount, or a change of dependencies);
//   - URLs get env.base in front (a browser resolves them against the page)
//     and EventSource is env.EventSource, so a test passes its recording
//     subclass; console.log/console.error go to the hook's log.
// The event names, the state updates and the onerror behaviour are the
// guide's, including its quirks (docs/streams.md lists them).  Tests read
// hook.state (jobs, loading, error, …) as a component would render it.

function mountHook(name, initial, env, body) {
	const hook = {
		name,
		state: { ...initial },
		log: [],		// console.log / console.error lines
		renders: 0,		// state updates so far
		eventSourceRef: { current: null },
		cleanup: null,
		unmount() {
			if (hook.cleanup) {
				hook.cleanup();
				hook.cleanup = null;
			}
			hook.mounted = false;
		},
		mounted: true,
	};
	const setter = (key) => (value) => {
		if (!hook.mounted)
			return;	// React ignores updates of an unmounted component
		const prev = hook.state[key];
		hook.state[key] = typeof value === 'function' ? value(prev) : value;
		hook.renders++;
	};
	const console = {
		log: (...a) => hook.log.push({ level: 'log', text: a.map(String).join(' ') }),
		error: (...a) => hook.log.push({ level: 'error', text: a.map((x) =>
		    x instanceof Error ? `${x.name}: ${x.message}` :
		    x && x.type ? `[${x.type} event]` : String(x)).join(' ') }),
	};
	const EventSource = env.EventSource;
	const base = env.base ?? '';
	hook.cleanup = body({ setter, console, EventSource, base,
	    eventSourceRef: hook.eventSourceRef }) ?? null;
	return hook;
}

// ---- 1. useBacktestJobsSSE -----------------------------------------------------

export function useBacktestJobsSSE({
	token,
	statusFilter,
	limit = 10,
	enabled = true
}, env) {
	return mountHook('jobs', { jobs: [], loading: true, error: null }, env,
	    ({ setter, console, EventSource, base, eventSourceRef }) => {
		const setJobs = setter('jobs');
		const setLoading = setter('loading');
		const setError = setter('error');

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
		const eventSource = new EventSource(base + url);
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
			const timer = setTimeout(() => {
				if (eventSourceRef.current?.readyState === EventSource.CLOSED) {
					eventSource.close();
					// Reconnect by re-running effect
					setLoading(true);
				}
			}, 5000);
			// A browser tab does not wait for its timers; a test should not.
			timer.unref?.();
		};

		// Cleanup
		return () => {
			eventSource.close();
			eventSourceRef.current = null;
		};
	});
}

// ---- 2. useBacktestHistorySSE -----------------------------------------------------

export function useBacktestHistorySSE({
	token,
	limit = 10,
	enabled = true
}, env) {
	return mountHook('history', { backtests: [], loading: true, error: null },
	    env, ({ setter, console, EventSource, base, eventSourceRef }) => {
		const setBacktests = setter('backtests');
		const setLoading = setter('loading');
		const setError = setter('error');

		if (!enabled || !token) return;

		const url = `/api/sse/backtest/history?token=${token}&limit=${limit}`;
		const eventSource = new EventSource(base + url);
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
	});
}

// ---- 3. useBacktestProgressSSE ------------------------------------------------------

export function useBacktestProgressSSE({
	jobId,
	token,
	enabled = true
}, env) {
	return mountHook('progress', { progress: null, transactions: [],
	    result: null, loading: true, error: null }, env,
	    ({ setter, console, EventSource, base, eventSourceRef }) => {
		const setProgress = setter('progress');
		const setTransactions = setter('transactions');
		const setResult = setter('result');
		const setLoading = setter('loading');
		const setError = setter('error');

		if (!enabled || !token || !jobId) return;

		const url = `/api/sse/backtest/${jobId}?token=${token}`;
		const eventSource = new EventSource(base + url);
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
	});
}

// ---- 4. useBacktestDataSSE ---------------------------------------------------------

export function useBacktestDataSSE({
	id,
	interval,
	token,
	limit = 1000,
	enabled = true
}, env) {
	return mountHook('data', { data: [], loading: true, error: null,
	    progress: { points_sent: 0, total_points: 0 } }, env,
	    ({ setter, console, EventSource, base, eventSourceRef }) => {
		const setData = setter('data');
		const setLoading = setter('loading');
		const setError = setter('error');
		const setProgress = setter('progress');

		if (!enabled || !token || !id || !interval) return;

		const url = `/api/sse/backtest/${id}/data?interval=${interval}&limit=${limit}&token=${token}`;
		const eventSource = new EventSource(base + url);
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
	});
}

// ---- 5. useBacktestMultiIntervalSSE (single-interval connections) -------------------

export function useBacktestMultiIntervalSSE({
	id,
	intervals,
	token,
	limit = 1000,
	enabled = true
}, env) {
	return mountHook('multi', { dataByInterval: {}, loading: {}, error: null },
	    env, ({ setter, console, EventSource, base, eventSourceRef }) => {
		const setDataByInterval = setter('dataByInterval');
		const setLoading = setter('loading');
		const setError = setter('error');
		const clientsRef = { current: new Map() };
		eventSourceRef.current = clientsRef.current;	// for tests to look at

		if (!enabled || !token || !id || intervals.length === 0) return;

		// Initialize loading state for all intervals
		const initialLoading = {};
		intervals.forEach(interval => {
			initialLoading[interval] = true;
			setDataByInterval(prev => ({ ...prev, [interval]: [] }));
		});
		setLoading(initialLoading);

		// Create one SSE connection per interval for parallel loading
		intervals.forEach(interval => {
			const url = `/api/sse/backtest/${id}/data?interval=${interval}&limit=${limit}&token=${token}`;
			const eventSource = new EventSource(base + url);
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
	});
}
