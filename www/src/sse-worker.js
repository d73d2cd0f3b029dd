// sse-worker.js: the SharedWorker behind shared-event-source.js: one real EventSource per stream URL for all the dashboard's tabs of a browser, its events relayed to every subscriber, and a late subscriber brought up to date from the stream's replay log.
//
// The messages, over each tab's MessagePort:
//   tab → worker  {op: 'open', sub, url, withCredentials, names}  subscribe
//                 {op: 'listen', sub, name}   one more event name
//                 {op: 'close', sub}          unsubscribe
//                 {op: 'hello', lock}         the tab holds this Web Lock
//                                             for its life
//                 {op: 'bye'}                 the tab is going away
//   worker → tab  {sub, type: 'open'}
//                 {sub, type: 'event', name, data, lastEventId, origin}
//                 {sub, type: 'error', closed}   a connection error; closed:
//                                             the real stream gave up
import { ReplayLog } from './sse-replay.js';

/* Streams by key: withCredentials and URL. */
const streams = new Map();
/* Each tab's subscriptions: port → Map(sub → stream). */
const tabs = new Map();

const send = (s, msg) => s.port.postMessage({ sub: s.sub, ...msg });

/* Gives a subscriber the open event and what it missed (sse-replay.js). */
function admit(stream, s) {
  s.opened = true;
  send(s, { type: 'open' });
  for (const e of stream.log.entries()) send(s, { type: 'event', ...e });
}

function listen(stream, name) {
  if (name === 'open' || name === 'error' || stream.names.has(name)) return;
  stream.names.add(name);
  stream.es.addEventListener(name, (e) => {
    const entry = { name, data: e.data, lastEventId: e.lastEventId, origin: e.origin };
    stream.log.add(entry);
    for (const s of stream.subs) send(s, { type: 'event', ...entry });
    if (stream.log.overflowing()) restart(stream);
  });
}

/* The real EventSource, with a listener for every name a subscriber listens to. */
function connect(stream) {
  const names = [...stream.names];
  stream.names.clear();
  stream.es = new EventSource(stream.url, { withCredentials: stream.withCredentials });
  stream.es.addEventListener('open', () => {
    for (const s of stream.subs) {
      if (s.opened) send(s, { type: 'open' });
      else admit(stream, s);
    }
  });
  stream.es.addEventListener('error', (e) => {
    if (e instanceof MessageEvent) {
      // The server's own `event: error`: relayed, not logged.
      for (const s of stream.subs) {
        send(s, { type: 'event', name: 'error', data: e.data, lastEventId: e.lastEventId, origin: e.origin });
      }
      return;
    }
    const closed = stream.es.readyState === EventSource.CLOSED;
    for (const s of stream.subs) send(s, { type: 'error', closed });
    if (closed) drop(stream);
  });
  for (const name of names) listen(stream, name);
}

/* A new connection for a list stream whose log overflowed; the subscribers stay open. */
function restart(stream) {
  stream.es.close();
  stream.log.clear();
  connect(stream);
}

function drop(stream) {
  stream.es.close();
  streams.delete(stream.key);
  for (const s of stream.subs) tabs.get(s.port)?.delete(s.sub);
  stream.subs.clear();
}

function subscribe(port, { sub, url, withCredentials, names }) {
  const key = `${withCredentials ? 1 : 0} ${url}`;
  let stream = streams.get(key);
  if (!stream) {
    stream = {
      key, url, withCredentials, names: new Set(names), subs: new Set(), log: new ReplayLog(),
    };
    streams.set(key, stream);
    connect(stream);
  }
  for (const name of names) listen(stream, name);
  const s = { port, sub, opened: false };
  stream.subs.add(s);
  tabs.get(port).set(sub, { stream, s });
  if (stream.es.readyState === EventSource.OPEN) admit(stream, s);
}

function unsubscribe(port, sub) {
  const entry = tabs.get(port)?.get(sub);
  if (!entry) return;
  tabs.get(port).delete(sub);
  entry.stream.subs.delete(entry.s);
  if (entry.stream.subs.size === 0) drop(entry.stream);
}

/* A tab that left: its subscriptions end. */
function leave(port) {
  const subs = tabs.get(port);
  if (!subs) return;
  for (const sub of [...subs.keys()]) unsubscribe(port, sub);
  tabs.delete(port);
  port.close();
}

function handle(port, msg) {
  switch (msg.op) {
    case 'open':
      subscribe(port, msg);
      break;
    case 'listen': {
      const entry = tabs.get(port)?.get(msg.sub);
      if (entry) listen(entry.stream, msg.name);
      break;
    }
    case 'close':
      unsubscribe(port, msg.sub);
      break;
    case 'hello':
      // Granted when the tab's lock is released: when the tab is gone,
      // whether or not it said bye.
      navigator.locks?.request(msg.lock, () => leave(port));
      break;
    case 'bye':
      leave(port);
      break;
    default:
      break;
  }
}

globalThis.onconnect = (e) => {
  const port = e.ports[0];
  tabs.set(port, new Map());
  port.onmessage = (m) => { if (tabs.has(port)) handle(port, m.data); };
};
