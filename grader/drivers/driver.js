// onsite's function-mode driver for Node.js. It reads one JSON request from
// stdin: {"nonce", "names", "file", "limit_ms", "out_limit", "tests": [[arg, ...], ...]},
// loads the candidate's file as a script of this context (so that a
// top-level `function name` is callable), calls the function once per test
// under a vm timeout and writes one line per test, "<nonce> <json>", to fd 1
// with fs.writeSync. process.stdout and console are replaced before the
// candidate's code runs, so its output goes to a per-test buffer (or to
// stderr while loading); a line it wrote to fd 1 itself would still lack the
// nonce, which only this process's stdin carried.
'use strict';
const fs = require('fs');
const vm = require('vm');
const { Console } = require('console');
const EventEmitter = require('events');

const writeSync = fs.writeSync;
const exit = process.reallyExit ? process.reallyExit.bind(process) : process.exit.bind(process);
const stringify = JSON.stringify;
const hrtime = process.hrtime.bigint;
const ERR_CAP = 2048;

const req = JSON.parse(fs.readFileSync(0, 'utf8'));
const nonce = req.nonce;

function writeAll(fd, s) {
  let buf = Buffer.from(s, 'utf8');
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

function emit(obj) {
  let data;
  try {
    data = stringify(obj);
  } catch (e) {
    obj.value = null;
    obj.kind = 'unencodable';
    obj.error = cap(String(e));
    data = stringify(obj);
  }
  writeAll(1, nonce + ' ' + data + '\n');
}

function cap(s) {
  return s.length <= ERR_CAP ? s : '...' + s.slice(-ERR_CAP);
}

function format(e) {
  if (e instanceof Error && typeof e.stack === 'string') {
    return e.stack.split('\n').filter((l) => !l.includes(__filename) && !l.includes('node:vm')).join('\n');
  }
  try {
    return 'Uncaught ' + String(e);
  } catch (_) {
    return 'Uncaught exception';
  }
}

// Where the candidate's output goes: stderr while loading, a capture
// during a call.
let sink = { write: (s) => writeAll(2, String(s)) };
const fakeStdout = Object.assign(new EventEmitter(), {
  write(chunk, encoding, cb) {
    sink.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    if (typeof encoding === 'function') encoding();
    else if (typeof cb === 'function') cb();
    return true;
  },
  isTTY: false,
  writable: true,
  fd: 2,
  end() {},
});
Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, get: () => fakeStdout });
const fakeConsole = new Console({ stdout: fakeStdout, stderr: fakeStdout });
Object.defineProperty(globalThis, 'console', { configurable: true, writable: true, value: fakeConsole });

emit({ kind: 'ready' });

let current = 0;
let start = 0n;

class Capture {
  constructor(i) { this.i = i; this.n = 0; this.parts = []; }
  write(s) {
    if (this.n < 4096) this.parts.push(s.slice(0, 4096 - this.n));
    this.n += s.length;
    if (this.n > req.out_limit) {
      emit({ i: this.i, kind: 'output_limit', ms: Number(hrtime() - start) / 1e6 });
      exit(0);
    }
  }
  text() { return this.parts.join('').slice(0, 4096); }
}

let script;
try {
  script = new vm.Script(fs.readFileSync(req.file, 'utf8'), { filename: req.file });
} catch (e) {
  emit({ kind: 'compile', error: cap(format(e)) });
  exit(0);
}
globalThis.module = { exports: {} };
globalThis.exports = globalThis.module.exports;
globalThis.require = require;
try {
  script.runInThisContext();
} catch (e) {
  emit({ kind: 'load', error: cap(format(e)) });
  exit(0);
}
let fn;
for (const name of req.names) {
  const exported = globalThis.module.exports && globalThis.module.exports[name];
  if (typeof exported === 'function') {
    fn = exported;
    break;
  }
  if (/^[A-Za-z_$][\w$]*$/.test(name)) {
    const v = vm.runInThisContext(`typeof ${name} === 'function' ? ${name} : undefined`);
    if (typeof v === 'function') {
      fn = v;
      break;
    }
  }
}
if (!fn) {
  emit({ kind: 'missing', error: 'no function named ' + req.names.join(' or ') });
  exit(0);
}

// The call runs as a script so that vm's timeout can stop an endless loop:
// termination cannot be caught by the candidate's own try/catch.
globalThis.__onsiteCall = (args) => fn(...args);
const call = new vm.Script('__onsiteCall(__onsiteArgs)', { filename: 'onsite-call' });
const limit = Math.max(1, Math.ceil(req.limit_ms));

req.tests.forEach((args, i) => {
  current = i;
  const capture = new Capture(i);
  const result = { i };
  sink = capture;
  globalThis.__onsiteArgs = args;
  start = hrtime();
  try {
    const value = call.runInThisContext({ timeout: limit });
    result.ms = Number(hrtime() - start) / 1e6;
    result.value = value === undefined ? null : value;
  } catch (e) {
    result.ms = Number(hrtime() - start) / 1e6;
    if (e && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      emit({ i, kind: 'timeout', ms: result.ms });
      exit(0);
    }
    // A buffer the engine could not allocate is the memory limit, not a
    // crash.
    result.kind = e instanceof RangeError && /allocation failed/i.test(e.message) ? 'memory' : 'exception';
    result.error = cap(format(e));
  }
  sink = { write: (s) => writeAll(2, s) };
  result.out = capture.text();
  emit(result);
});
emit({ kind: 'done' });
exit(0);
