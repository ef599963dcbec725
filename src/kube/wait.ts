import { Cancelled, TimeoutError } from '../errors.js';
import { k8s } from './client.js';
import type { MigrationClients } from './clients.js';
import { singleName } from './shared-watch.js';

/** A collection to watch: the list call and the matching watch path. */
export interface WatchTarget {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** What a condition says about the current objects: satisfied (with a value) or why not yet. */
export type Verdict<T> = { done: true; value: T } | { done: false; why: string };

/**
 * Waits until `condition` holds over the objects of `target` (the one object its field selector
 * `metadata.name=X` names, or every object the label selector takes), as the run's shared feed of
 * the collection sees them: one list, then a watch from that list's resourceVersion, re-listing
 * when the watch drops and every 15 s as a safety net (src/kube/shared-watch.ts). Bounded by
 * `timeoutMs`; the timeout error says what was awaited and why it never held. An abort of `signal`
 * ends the wait at once with `Cancelled`.
 */
export function waitFor<T>(
  clients: MigrationClients,
  target: WatchTarget,
  what: string,
  timeoutMs: number,
  condition: (objects: k8s.KubernetesObject[]) => Verdict<T>,
  signal?: AbortSignal,
): Promise<T> {
  const name = singleName(target.fieldSelector);
  if (target.fieldSelector !== undefined && name === undefined)
    return Promise.reject(
      new Error(`waitFor: field selector ${target.fieldSelector} is not metadata.name=<name>`),
    );
  return new Promise<T>((resolve, reject) => {
    let finished = false;
    let lastWhy = 'nothing observed yet';
    let unsubscribe: () => void = () => undefined;
    const onAbort = () => finish(new Cancelled(`stopped waiting for ${what}`));
    const finish = (err: unknown, value?: T) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
      if (err) reject(err);
      else resolve(value as T);
    };
    const deadline = setTimeout(
      () =>
        finish(
          new TimeoutError(
            `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}: ${lastWhy}`,
          ),
        ),
      timeoutMs,
    );
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const { apiVersion, kind, namespace, labelSelector } = target;
    unsubscribe = clients.watches.subscribe({ apiVersion, kind, namespace, labelSelector }, name, {
      changed: (objects) => {
        if (finished) return;
        try {
          const v = condition(objects);
          if (v.done) finish(undefined, v.value);
          else lastWhy = v.why;
        } catch (err) {
          finish(err);
        }
      },
      failed: (err) => finish(err),
    });
    // The feed may have answered at once, before `unsubscribe` was assigned.
    if (finished) unsubscribe();
  });
}
