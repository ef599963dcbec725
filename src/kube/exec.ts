import { Writable } from 'node:stream';
import { KubesafeError } from '../errors.js';
import { k8s } from './client.js';
import type { MigrationClients } from './clients.js';

/** Runs a command in a pod and returns its stdout; for verify-command. */
export type PodExec = (
  namespace: string,
  pod: string,
  container: string,
  command: string[],
) => Promise<string>;

/** A PodExec through the API server's pods/exec (a WebSocket to the kubelet). */
export function kubeExec(c: MigrationClients, timeoutMs: number): PodExec {
  return async (namespace, pod, container, command) => {
    const chunks: Buffer[] = [];
    const errChunks: Buffer[] = [];
    const sink = (into: Buffer[]) =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          into.push(Buffer.from(chunk));
          cb();
        },
      });
    const exec = new k8s.Exec(c.kc);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new KubesafeError(`verify-command in ${pod} did not finish within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      exec
        .exec(namespace, pod, container, command, sink(chunks), sink(errChunks), null, false, (status) => {
          clearTimeout(timer);
          const out = Buffer.concat(chunks).toString('utf8');
          if (status.status === 'Success') resolve(out);
          else
            reject(
              new KubesafeError(
                `verify-command in ${pod} failed: ${status.message ?? status.reason ?? 'unknown'}; stderr: ${Buffer.concat(errChunks).toString('utf8').slice(0, 500)}`,
              ),
            );
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(new KubesafeError(`verify-command in ${pod}: exec failed: ${(err as Error).message}`));
        });
    });
  };
}
