#!/usr/bin/env node
// libuv's pool size is fixed at its first use: set it before anything else loads, so that
// many concurrent file flushes can share journal commits (see docs/benchmarks.md).
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '64';
// Node 22.1+ can keep V8's compiled code of the bundle between runs (in the OS temp folder unless
// NODE_COMPILE_CACHE says otherwise; NODE_DISABLE_COMPILE_CACHE=1 turns it off). Older Node lacks it.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/cli/ferry.js');
