import v8 from 'node:v8';
import { SHARE_ENV, Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

/**
 * The operations run in a worker thread whose young generation is capped at 6 MB. Streaming gigabytes
 * leaves short-lived garbage; with V8's default young generation (up to 16 MB per semi-space) it grows
 * and is scanned far more than this workload needs. Measured on a 283 MiB snapshot into a folder
 * (`/usr/bin/time`, user CPU and peak RSS): 1.8-2.1 s and 192-200 MB on the main thread, 1.5 s and
 * 158-165 MB in the worker. An action's `node24` runtime takes no node flags, and V8 reads the
 * process-wide heap flags only at start-up: a worker's `resourceLimits` are the one way to set them here.
 */
export const YOUNG_GENERATION_MB = 6;

/**
 * The old generation may grow to 96 MB before V8 collects it. The pieces of a stream that wait a while
 * (parts that lib-storage gathers and uploads, 8 MiB each) are promoted, and their bytes count towards the
 * old generation: from V8's own small starting limit, that meant a full collection every 10-20 MB
 * streamed. Measured on 1.1 GiB to MinIO (zstd, age): 94-121 full collections and 10.4-10.8 s of CPU,
 * 15 and 7.0-8.0 s with this, for 20-30 MB more peak RSS; to a folder it changes nothing. `resourceLimits`
 * has no initial size, and V8 reads this flag when it makes an isolate's heap: it is set just before.
 */
export const INITIAL_OLD_GENERATION_MB = 96;

const MARK = 'kubesafeHeapWorker';
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

interface SignalMessage {
  signal: (typeof FORWARDED_SIGNALS)[number];
}

/** Exit status of a process that a signal ended and that had no handler for it (128 + number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * In the main thread: runs `entry` (this very module's entry file) in the worker, passes signals to it
 * and takes its exit status; resolves `true` when the worker has ended. In the worker, or when workers are
 * not wanted (`KUBESAFE_NO_WORKER=1`, or `keepOnMainThread`): resolves `false`, and the caller runs the
 * operation itself. Signals reach a worker only through this module: handlers it registers with
 * `process.once('SIGTERM', ...)` run as they would on the main thread, and without one it exits as node would.
 */
export async function runInHeapWorker(entry: URL, keepOnMainThread = false): Promise<boolean> {
  if (!isMainThread) {
    if ((workerData as Record<string, unknown> | undefined)?.[MARK] && parentPort) {
      parentPort.on('message', ({ signal }: SignalMessage) => {
        if (process.listenerCount(signal) > 0) process.emit(signal, signal);
        else process.exit(SIGNAL_EXIT[signal]);
      });
      parentPort.unref();
    }
    return false;
  }
  if (keepOnMainThread || process.env.KUBESAFE_NO_WORKER === '1') return false;
  // Read when the worker's heap is made, below; the main thread's heap is already configured.
  v8.setFlagsFromString(`--initial-old-space-size=${INITIAL_OLD_GENERATION_MB}`);
  const worker = new Worker(entry, {
    argv: process.argv.slice(2),
    env: SHARE_ENV,
    workerData: { [MARK]: true },
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  const forward = (signal: SignalMessage['signal']) => worker.postMessage({ signal });
  for (const s of FORWARDED_SIGNALS) process.on(s, forward);
  process.exitCode = await new Promise<number>((resolve) => {
    worker.once('error', (err) => {
      process.stderr.write(`${err.stack ?? String(err)}\n`);
    });
    worker.once('exit', resolve);
  });
  for (const s of FORWARDED_SIGNALS) process.removeListener(s, forward);
  return true;
}
