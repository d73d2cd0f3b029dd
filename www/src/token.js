// token.js: the user's token: taken from the URL fragment (#token=…), then kept in sessionStorage only.
const KEY = 'backstream.token';

function store(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode): the token lives in memory only.
  }
}

/*
 * The token from the fragment, which is then removed from the address bar
 * (and so from the history and any bookmark); else the one kept for this
 * tab; else "".  A fragment never reaches the server or its logs.
 */
export function takeToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (m) {
    const token = decodeURIComponent(m[1]).trim();
    store(token);
    window.history.replaceState(null, '',
      window.location.pathname + window.location.search);
    return token;
  }
  try {
    return sessionStorage.getItem(KEY) || '';
  } catch {
    return '';
  }
}

export function saveToken(token) {
  store(token);
}

export function forgetToken() {
  store('');
}

/* The token's claims (not verified: the server does that), or null. */
export function tokenClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part.padEnd(part.length + (4 - part.length % 4) % 4, '=')));
  } catch {
    return null;
  }
}
