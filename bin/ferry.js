#!/usr/bin/env node
// libuv's pool size is fixed at its first use: set it before anything else loads, so that
// many concurrent file flushes can share journal commits (see docs/benchmarks.md).
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '64';
await import('../dist/cli/ferry.js');
