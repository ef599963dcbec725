#!/usr/bin/env node
import { runInHeapWorker } from './heap-worker.js';

// On a terminal the CLI stays on the main thread: its progress bar needs the terminal itself.
if (!(await runInHeapWorker(new URL(import.meta.url), process.stderr.isTTY === true))) {
  const { main } = await import('./cli/main.js');
  // exit explicitly: a client library holding a socket open must not keep a finished CLI alive.
  process.exit(await main(process.argv.slice(2)));
}
