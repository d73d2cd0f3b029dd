// react.mjs: the part of React that the dashboard's SSE hooks use (useState, useEffect, useRef, useCallback, useMemo), enough to mount a hook, read what it returns, re-render it and unmount it, with no DOM.
//
// What is React's and matters to the hooks:
//   - a state setter takes a value or an updater of the previous value;
//     setting the same value (Object.is) does not render again;
//   - an effect runs after the render that made it, again only when one
//     of its dependencies changed (or it has none), and its cleanup runs
//     before it runs again and at unmount;
//   - a ref is the same object for the component's whole life;
//   - updates after unmount are ignored;
//   - updates made while rendering or running effects are batched into
//     one more render after them.
// What differs: an update from outside (an EventSource listener, a timer)
// renders at once, not at the next microtask, so that a test that awaited
// an event reads the state that event made.  Same final state, since the
// hooks' effects depend on props only.

let current = null;	// the component rendering now

function slot(kind, init) {
	if (current === null)
		throw new Error(`${kind} called outside a component's render`);
	const c = current;
	const i = c.index++;
	if (i === c.slots.length)
		c.slots.push({ kind, ...init() });
	else if (c.slots[i].kind !== kind)
		throw new Error(`hook ${i} was ${c.slots[i].kind}, now ${kind}: hooks called in another order`);
	return [c, c.slots[i]];
}

function depsChanged(prev, next) {
	return prev === undefined || next === undefined ||
	    prev.length !== next.length || next.some((d, i) => !Object.is(d, prev[i]));
}

export function useState(initial) {
	const [c, s] = slot('useState', () => ({
		value: typeof initial === 'function' ? initial() : initial,
	}));
	s.set ??= (v) => {
		if (!c.mounted)
			return;
		const next = typeof v === 'function' ? v(s.value) : v;
		if (Object.is(next, s.value))
			return;
		s.value = next;
		c.updates++;
		if (c.busy)
			c.dirty = true;
		else
			render(c);
	};
	return [s.value, s.set];
}

export function useRef(initial) {
	const [c, s] = slot('useRef', () => ({ ref: { current: initial } }));
	if (!c.refs.includes(s.ref))
		c.refs.push(s.ref);
	return s.ref;
}

export function useMemo(make, deps) {
	const [, s] = slot('useMemo', () => ({ deps: undefined, value: undefined }));
	if (s.deps === undefined || depsChanged(s.deps, deps)) {
		s.value = make();
		s.deps = deps;
	}
	return s.value;
}

export function useCallback(fn, deps) {
	return useMemo(() => fn, deps);
}

export function useEffect(effect, deps) {
	const [c, s] = slot('useEffect', () => ({ deps: undefined, cleanup: null, ran: false }));
	if (!s.ran || depsChanged(s.deps, deps))
		c.pending.push({ s, effect, deps });
}

// Runs the effects the last render asked for: every cleanup first, then
// every effect, as React does.
function commit(c) {
	const pending = c.pending.splice(0);
	for (const { s } of pending) {
		const f = s.cleanup;
		s.cleanup = null;
		if (typeof f === 'function')
			f();
	}
	for (const p of pending) {
		if (!c.mounted)
			return;
		p.s.ran = true;
		p.s.deps = p.deps;
		p.s.cleanup = p.effect() ?? null;
	}
}

function render(c) {
	c.busy = true;
	try {
		do {
			c.dirty = false;
			c.index = 0;
			const outer = current;
			current = c;
			try {
				c.result = c.hook(c.props);
			} finally {
				current = outer;
			}
			if (c.index !== c.slots.length)
				throw new Error(`rendered ${c.index} hooks, not ${c.slots.length}`);
			c.renders++;
			commit(c);
		} while (c.dirty && c.mounted);
	} finally {
		c.busy = false;
	}
}

/*
 * Mounts hook(props) as a component of its own and runs its effects.
 * Returns the component: result (what the hook returned at its last
 * render), refs (its useRef objects, in the order the hook made them),
 * renders, updates (state changes), mounted, rerender(props), unmount().
 */
export function mount(hook, props) {
	const c = {
		hook, props, slots: [], pending: [], refs: [], index: 0,
		result: undefined, renders: 0, updates: 0, mounted: true,
		busy: false, dirty: false,
		rerender(next) {
			if (!c.mounted)
				throw new Error('rerender of an unmounted component');
			c.props = next;
			render(c);
		},
		unmount() {
			if (!c.mounted)
				return;
			c.mounted = false;
			for (const s of c.slots) {
				if (s.kind === 'useEffect' && typeof s.cleanup === 'function') {
					const f = s.cleanup;
					s.cleanup = null;
					f();
				}
			}
		},
	};
	render(c);
	return c;
}
