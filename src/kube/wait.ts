import { Cancelled, TimeoutError } from '../errors.js';
import { k8s } from './client.js';
import { withRetry } from './client.js';
import type { MigrationClients } from './clients.js';
import { collectionPath, singleName, type SharedWatches } from './shared-watch.js';

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

const RELIST_MS = 15_000;

/**
 * A wait on one object (`fieldSelector: metadata.name=X`) served from the run's shared feed of its
 * collection: the condition sees the feed's copy of the object (or nothing when there is none).
 */
function waitShared<T>(
  watches: SharedWatches,
  target: WatchTarget,
  name: string,
  what: string,
  timeoutMs: number,
  condition: (objects: k8s.KubernetesObject[]) => Verdict<T>,
  signal?: AbortSignal,
): Promise<T> {
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
    unsubscribe = watches.subscribe({ apiVersion, kind, namespace, labelSelector }, name, {
      changed: (obj) => {
        if (finished) return;
        try {
          const v = condition(obj ? [obj] : []);
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

/**
 * Waits until `condition` holds over the objects of `target`: lists once, then follows a watch from
 * that list's resourceVersion (re-listing when the watch drops, and every 15 s as a safety net).
 * Bounded by `timeoutMs`; the timeout error says what was awaited and why it never held. An abort
 * of `signal` ends the wait at once with `Cancelled`.
 */
export async function waitFor<T>(
  clients: MigrationClients,
  target: WatchTarget,
  what: string,
  timeoutMs: number,
  condition: (objects: k8s.KubernetesObject[]) => Verdict<T>,
  signal?: AbortSignal,
): Promise<T> {
  const name = singleName(target.fieldSelector);
  if (clients.watches && name !== undefined)
    return waitShared(clients.watches, target, name, what, timeoutMs, condition, signal);
  const objects = new Map<string, k8s.KubernetesObject>();
  const key = (o: k8s.KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  let lastWhy = 'nothing observed yet';
  let finished = false;
  let abort: AbortController | undefined;
  let relistTimer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;

  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(new Cancelled(`stopped waiting for ${what}`));
    const finish = (err: unknown, value?: T) => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      clearTimeout(relistTimer);
      signal?.removeEventListener('abort', onAbort);
      abort?.abort();
      if (err) reject(err);
      else resolve(value as T);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const evaluate = () => {
      if (finished) return;
      try {
        const v = condition([...objects.values()]);
        if (v.done) finish(undefined, v.value);
        else lastWhy = v.why;
      } catch (err) {
        finish(err);
      }
    };
    const listAndWatch = async (): Promise<void> => {
      if (finished) return;
      clearTimeout(relistTimer);
      abort?.abort();
      const list = await withRetry(`list ${target.kind}`, () =>
        clients.objects.list(
          target.apiVersion,
          target.kind,
          target.namespace,
          undefined,
          undefined,
          undefined,
          target.fieldSelector,
          target.labelSelector,
        ),
      );
      objects.clear();
      for (const o of list.items) objects.set(key(o), o);
      evaluate();
      if (finished) return;
      const watch = new k8s.Watch(clients.kc);
      abort = await watch.watch(
        collectionPath(target),
        {
          resourceVersion: list.metadata?.resourceVersion,
          labelSelector: target.labelSelector,
          fieldSelector: target.fieldSelector,
          allowWatchBookmarks: true,
        },
        (type: string, obj: k8s.KubernetesObject) => {
          if (type === 'BOOKMARK' || type === 'ERROR') return;
          if (type === 'DELETED') objects.delete(key(obj));
          else objects.set(key(obj), obj);
          evaluate();
        },
        () => {
          if (!finished) setTimeout(() => void listAndWatch().catch(finish), 200).unref();
        },
      );
      // The wait may have ended while the watch was being opened: close it again.
      if (finished) {
        abort.abort();
        return;
      }
      relistTimer = setTimeout(() => void listAndWatch().catch(finish), RELIST_MS);
      relistTimer.unref();
    };
    deadline = setTimeout(
      () =>
        finish(
          new TimeoutError(
            `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}: ${lastWhy}`,
          ),
        ),
      timeoutMs,
    );
    listAndWatch().catch(finish);
  });
}
