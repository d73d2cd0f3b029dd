// api.js: the REST calls (/api/backtesting/…), with the token as a Bearer header rather than in the URL.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(token, method, path, body) {
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/backtesting/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (err) {
    throw new ApiError(0, 'network', `The server did not answer (${err.message}).`);
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, data?.error || 'http',
      data?.message || `HTTP ${res.status} ${res.statusText}`);
  }
  return data;
}

export const getSymbols = (token) => api(token, 'GET', 'symbols');
export const getJob = (token, id) => api(token, 'GET', `jobs/${encodeURIComponent(id)}`);
export const submitJob = (token, spec) => api(token, 'POST', 'jobs', spec);
export const cancelJob = (token, id) => api(token, 'POST', `jobs/${encodeURIComponent(id)}/cancel`);
export const deleteJob = (token, id) => api(token, 'DELETE', `jobs/${encodeURIComponent(id)}`);
