// shared-event-source.js: an EventSource for the page whose streams all tabs of the browser share, through one SharedWorker (sse-worker.js), so that over HTTP/1.1 several tabs of the dashboard fit in the browser's six connections to the host (www/README.md, "Several tabs").
//
// installSharedEventSource() puts SharedEventSource in place of the
// browser's EventSource, before the guide's hooks run: they use it
// unchanged.  It behaves as EventSource does for them: url, readyState and
// its constants, onopen/onmessage/onerror and named events through
// addEventListener, MessageEvents with data and lastEventId, close(), and
// the real EventSource's reconnection (with Last-Event-ID) underneath.

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/* This tab's port to the worker and its subscriptions; set by installSharedEventSource(). */
let hub = null;

function post(msg) {
  hub.port.postMessage(msg);
}

export class SharedEventSource extends EventTarget {
  static CONNECTING = CONNECTING;

  static OPEN = OPEN;

  static CLOSED = CLOSED;

  CONNECTING = CONNECTING;

  OPEN = OPEN;

  CLOSED = CLOSED;

  #url;

  #withCredentials;

  #readyState = CONNECTING;

  #sub = null;

  /* The stream's own EventSource when the worker could not start. */
  #own = null;

  /* Event names this object listens to, which the worker must relay. */
  #names = new Set(['message']);

  #handlers = new Map();

  constructor(url, init = {}) {
    super();
    // As EventSource does: relative to the document's base URL; a bad URL throws.
    this.#url = new URL(url, document.baseURI).href;
    this.#withCredentials = Boolean(init.withCredentials);
    // After the caller's addEventListener calls of this task: the worker
    // then knows every name before the first event.
    queueMicrotask(() => this.#subscribe());
  }

  get url() { return this.#url; }

  get withCredentials() { return this.#withCredentials; }

  get readyState() { return this.#readyState; }

  get onopen() { return this.#handlers.get('open') ?? null; }

  set onopen(fn) { this.#setHandler('open', fn); }

  get onmessage() { return this.#handlers.get('message') ?? null; }

  set onmessage(fn) { this.#setHandler('message', fn); }

  get onerror() { return this.#handlers.get('error') ?? null; }

  set onerror(fn) { this.#setHandler('error', fn); }

  addEventListener(type, listener, options) {
    super.addEventListener(type, listener, options);
    const name = String(type);
    if (this.#names.has(name)) return;
    this.#names.add(name);
    if (this.#own) this.#relay(name);
    else if (this.#sub !== null && this.#readyState !== CLOSED) post({ op: 'listen', sub: this.#sub, name });
  }

  close() {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSED;
    this.#own?.close();
    if (this.#sub === null) return;
    post({ op: 'close', sub: this.#sub });
    hub.subs.delete(this.#sub);
  }

  /* An event handler attribute: a listener added when first set, as the DOM does. */
  #setHandler(type, fn) {
    if (!this.#handlers.has(type)) {
      this.addEventListener(type, (e) => {
        const h = this.#handlers.get(type);
        if (typeof h === 'function') h.call(this, e);
      });
    }
    this.#handlers.set(type, typeof fn === 'function' ? fn : null);
  }

  #subscribe() {
    if (this.#readyState === CLOSED) return;
    if (hub.failed) {
      this.fallBack();
      return;
    }
    this.#sub = hub.next;
    hub.next += 1;
    hub.subs.set(this.#sub, this);
    post({
      op: 'open', sub: this.#sub, url: this.#url, withCredentials: this.#withCredentials,
      names: [...this.#names],
    });
  }

  /* Without the worker: a stream of this tab's own, its events passed through receive(). */
  fallBack() {
    if (this.#readyState === CLOSED || this.#own) return;
    hub.subs.delete(this.#sub);
    this.#own = new hub.Native(this.#url, { withCredentials: this.#withCredentials });
    this.#own.addEventListener('open', () => this.receive({ type: 'open' }));
    this.#own.addEventListener('error', (e) => {
      if (e instanceof MessageEvent) this.#pass('error', e);
      else this.receive({ type: 'error', closed: this.#own.readyState === CLOSED });
    });
    for (const name of this.#names) this.#relay(name);
  }

  #relay(name) {
    if (name !== 'open' && name !== 'error') this.#own.addEventListener(name, (e) => this.#pass(name, e));
  }

  #pass(name, e) {
    this.receive({ type: 'event', name, data: e.data, lastEventId: e.lastEventId, origin: e.origin });
  }

  /* A message from the worker for this subscription. */
  receive(msg) {
    if (this.#readyState === CLOSED) return;
    if (msg.type === 'open') {
      if (this.#readyState === OPEN) return;
      this.#readyState = OPEN;
      this.dispatchEvent(new Event('open'));
    } else if (msg.type === 'event') {
      const { data, lastEventId, origin } = msg;
      this.dispatchEvent(new MessageEvent(msg.name, { data, lastEventId, origin }));
    } else if (msg.type === 'error') {
      this.#readyState = msg.closed ? CLOSED : CONNECTING;
      if (msg.closed) hub.subs.delete(this.#sub);
      this.dispatchEvent(new Event('error'));
    }
  }
}

/* The tab's port to the worker; throws where a SharedWorker cannot start. */
function connectWorker() {
  // A module worker: vite's dev server serves it as it is, with its import.
  const worker = new SharedWorker(new URL('./sse-worker.js', import.meta.url),
    { type: 'module', name: 'backstream-sse' });
  const h = { port: worker.port, subs: new Map(), next: 1, failed: false, Native: EventSource };
  h.port.onmessage = (m) => h.subs.get(m.data.sub)?.receive(m.data);
  // Its script did not load or run: streams opened from now on are the
  // browser's own, and those waiting for the worker open their own.
  worker.addEventListener('error', (e) => {
    console.error('streams not shared between tabs: the worker failed to start', e.message ?? '');
    h.failed = true;
    globalThis.EventSource = h.Native;
    for (const es of [...h.subs.values()]) es.fallBack();
  });
  // The worker learns that the tab is gone from a lock the tab holds for
  // its life (Web Locks: secure contexts only), or from pagehide.
  if (navigator.locks) {
    const lock = `backstream-sse-tab-${Date.now()}-${Math.random()}`;
    navigator.locks.request(lock, () => {
      h.port.postMessage({ op: 'hello', lock });
      return new Promise(() => {});
    });
  }
  window.addEventListener('pagehide', () => h.port.postMessage({ op: 'bye' }));
  // A page back from the back-forward cache has lost its subscriptions.
  window.addEventListener('pageshow', (e) => { if (e.persisted) window.location.reload(); });
  return h;
}

/*
 * Makes globalThis.EventSource the shared one; returns whether it did.  It
 * does not where SharedWorker is missing (Chrome on Android, older Safari)
 * or cannot start: each tab then opens its own streams, as before.
 */
export function installSharedEventSource() {
  if (hub) return true;
  if (typeof SharedWorker !== 'function' || typeof EventSource !== 'function') return false;
  try {
    hub = connectWorker();
  } catch (err) {
    console.warn('streams not shared between tabs:', err);
    return false;
  }
  globalThis.EventSource = SharedEventSource;
  return true;
}
