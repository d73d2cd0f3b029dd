// hooks.mjs: the dashboard's own hooks (www/src/hooks/*.ts), compiled by TypeScript as they are read and run on react.mjs, driven by real EventSource objects.
//
// Nothing of a hook is copied here: each file is read from the source tree,
// its types stripped by TypeScript's transpileModule (in memory: the source
// tree may be read-only, and nothing is written), and the result run as a
// CommonJS module whose 'react' is react.mjs.  Three names the hooks take
// from a browser's globals are given per mounted hook instead:
//   - EventSource is env.EventSource with env.base in front of the URL (a
//     browser resolves the hook's relative URL against the page), so that a
//     test passes its recording subclass;
//   - console goes to the hook's log;
//   - setTimeout's timers do not keep node running (a browser tab does not
//     wait for its timers; a test should not).
//
// A test calls useBacktestJobsSSE(props, env) and gets a mounted hook:
//   state		what the hook returned at its last render (jobs, loading,
//			error, …), as a component would render it
//   log		console.log / console.error lines, { level, text }
//   eventSourceRef	the hook's first useRef (its EventSource, or for the
//			multi-interval hook its Map of them)
//   renders, updates	renders so far, state changes so far
//   rerender(props)	renders it again with other props (its effect runs
//			again when one of its dependencies changed)
//   unmount()		runs its effects' cleanups; later updates are ignored
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import * as React from './react.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(`${process.env.SSE_NODE_DIR}/package.json`);
const ts = require('typescript');

// Where each hook's file is: HOOKS_DIR overrides the source tree's www/src/hooks.
export const HOOKS_DIR = process.env.HOOKS_DIR || path.join(here, '../../www/src/hooks');
const FILES = {
	useBacktestJobsSSE: path.join(HOOKS_DIR, 'useBacktestJobsSSE.ts'),
	useBacktestHistorySSE: path.join(HOOKS_DIR, 'useBacktestHistorySSE.ts'),
	useBacktestProgressSSE: path.join(HOOKS_DIR, 'useBacktestProgressSSE.ts'),
	useBacktestDataSSE: path.join(HOOKS_DIR, 'useBacktestDataSSE.ts'),
	useBacktestMultiIntervalSSE: path.join(HOOKS_DIR, 'useBacktestMultiIntervalSSE.ts'),
};

const GLOBALS = ['EventSource', 'console', 'setTimeout'];
const modules = new Map();	// file → its compiled module function

// The module function of file, compiled once: (require, module, exports,
// ...GLOBALS).  Fails on a file TypeScript cannot parse.
function compile(file) {
	let fn = modules.get(file);
	if (fn)
		return fn;
	const source = fs.readFileSync(file, 'utf8');
	const out = ts.transpileModule(source, {
		fileName: file,
		reportDiagnostics: true,
		compilerOptions: {
			module: ts.ModuleKind.CommonJS,
			target: ts.ScriptTarget.ES2022,
			jsx: ts.JsxEmit.React,
		},
	});
	if (out.diagnostics.length > 0)
		throw new Error(`${file}: ${out.diagnostics.map((d) =>
		    ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
	fn = vm.compileFunction(out.outputText,
	    ['require', 'module', 'exports', ...GLOBALS], { filename: file });
	modules.set(file, fn);
	return fn;
}

function load(name, globals) {
	const module = { exports: {} };
	const requireReact = (what) => {
		if (what !== 'react')
			throw new Error(`${FILES[name]} imports ${what}: only react is provided`);
		return React;
	};
	compile(FILES[name])(requireReact, module, module.exports,
	    ...GLOBALS.map((g) => globals[g]));
	const hook = module.exports[name];
	if (typeof hook !== 'function')
		throw new Error(`${FILES[name]} exports no function ${name}`);
	return hook;
}

// How console.error shows its arguments in the log: an Error by name and
// message, an event by its type.
function text(x) {
	if (x instanceof Error)
		return `${x.name}: ${x.message}`;
	if (x && x.type)
		return `[${x.type} event]`;
	return String(x);
}

function mountHook(short, name, props, env) {
	const log = [];
	const base = env.base ?? '';
	const globals = {
		EventSource: class extends env.EventSource {
			constructor(url, init) {
				super(base + url, init);
			}
		},
		console: {
			log: (...a) => log.push({ level: 'log', text: a.map(String).join(' ') }),
			error: (...a) => log.push({ level: 'error', text: a.map(text).join(' ') }),
		},
		setTimeout: (...a) => {
			const t = setTimeout(...a);
			t.unref?.();
			return t;
		},
	};
	const c = React.mount(load(name, globals), props);
	return {
		name: short,
		log,
		get state() { return c.result; },
		get renders() { return c.renders; },
		get updates() { return c.updates; },
		get mounted() { return c.mounted; },
		eventSourceRef: c.refs[0],
		rerender: (next) => c.rerender(next),
		unmount: () => c.unmount(),
	};
}

export const useBacktestJobsSSE = (props, env) =>
	mountHook('jobs', 'useBacktestJobsSSE', props, env);
export const useBacktestHistorySSE = (props, env) =>
	mountHook('history', 'useBacktestHistorySSE', props, env);
export const useBacktestProgressSSE = (props, env) =>
	mountHook('progress', 'useBacktestProgressSSE', props, env);
export const useBacktestDataSSE = (props, env) =>
	mountHook('data', 'useBacktestDataSSE', props, env);
export const useBacktestMultiIntervalSSE = (props, env) =>
	mountHook('multi', 'useBacktestMultiIntervalSSE', props, env);
