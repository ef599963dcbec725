/**
 * One list and one watch per collection, shared by every wait on it: a migration of 32 volumes waits
 * on about 150 single claims, volumes and snapshots, and each wait listing and watching on its own
 * cost the API server (busy with the controllers doing the migration's work) some 300 requests. A
 * feed follows a collection (apiVersion, kind, namespace, label selector) from its first wait until
 * the run closes it; a wait reads the feed's copy of its object by name, or of the whole collection.
 */
import { withRetry, k8s } from './client.js';
import type { WatchTarget } from './wait.js';

/** How often a feed lists afresh even when its watch is healthy (a safety net, as in waitFor). */
const RELIST_MS = 15_000;
/** How long a feed waits before opening a dropped watch again. */
const REWATCH_MS = 200;

export interface FeedClients {
  kc: k8s.KubeConfig;
  objects: k8s.KubernetesObjectApi;
}

export interface FeedListener {
  /**
   * What the listener follows changed, or the feed listed afresh: the feed's copy of the named object
   * (none when there is none), or of every object in the collection. The array is frozen and
   * shared by every listener of that name: read it, never change it.
   */
  changed(objects: k8s.KubernetesObject[]): void;
  /** The feed could not list (after its retries): the wait fails with this. */
  failed(err: unknown): void;
}

/** The watch path of a collection (plural of the kind, lower case). */
export function collectionPath(t: WatchTarget): string {
  const [group, version] = t.apiVersion.includes('/') ? t.apiVersion.split('/') : ['', t.apiVersion];
  const plural = `${t.kind.toLowerCase()}s`.replace(/classs$/, 'classes');
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return t.namespace ? `${base}/namespaces/${t.namespace}/${plural}` : `${base}/${plural}`;
}

/** The object name a field selector asks for when it asks for nothing else (`metadata.name=X`). */
export function singleName(fieldSelector: string | undefined): string | undefined {
  const m = /^metadata\.name=([^,=!]+)$/.exec(fieldSelector ?? '');
  return m?.[1];
}

/** The listeners of a whole collection, by this key (no object has an empty name). */
const EVERY = '';

class Feed {
  private readonly objects = new Map<string, k8s.KubernetesObject>();
  /** By object name; EVERY for listeners of the whole collection. */
  private readonly listeners = new Map<string, Set<FeedListener>>();
  private synced = false;
  private starting: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private relistTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly clients: FeedClients,
    private readonly target: WatchTarget,
  ) {}

  /** What listeners of `name` see, frozen: one array is handed to all of them. */
  private view(name: string): k8s.KubernetesObject[] {
    const one = this.objects.get(name);
    const objects = name === EVERY ? [...this.objects.values()] : one ? [one] : [];
    return Object.freeze(objects) as k8s.KubernetesObject[];
  }

  private notify(name: string): void {
    const listeners = [...(this.listeners.get(name) ?? [])];
    if (listeners.length === 0) return;
    // One view for all of them: 32 waits on a collection of thousands of PVs would otherwise copy
    // it 32 times per event.
    const objects = this.view(name);
    for (const l of listeners) l.changed(objects);
  }

  subscribe(name: string, l: FeedListener): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(l);
    if (this.synced) l.changed(this.view(name));
    else this.start();
    return () => {
      set.delete(l);
      if (set.size === 0) this.listeners.delete(name);
    };
  }

  private start(): void {
    this.starting ??= this.listAndWatch()
      .catch((err: unknown) => {
        for (const set of this.listeners.values()) for (const l of set) l.failed(err);
      })
      .finally(() => {
        this.starting = undefined;
      });
  }

  private notifyAll(): void {
    for (const name of [...this.listeners.keys()]) this.notify(name);
  }

  private async listAndWatch(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.relistTimer);
    // Forgotten before it is stopped, so that its end is not taken for a dropped watch.
    const previous = this.abort;
    this.abort = undefined;
    previous?.abort();
    const t = this.target;
    const list = await withRetry(`list ${t.kind}`, () =>
      this.clients.objects.list(
        t.apiVersion,
        t.kind,
        t.namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        t.labelSelector,
      ),
    );
    if (this.closed) return;
    this.objects.clear();
    for (const o of list.items) this.objects.set(o.metadata?.name ?? '', o);
    this.synced = true;
    this.notifyAll();
    const abort = await new k8s.Watch(this.clients.kc).watch(
      collectionPath(t),
      {
        resourceVersion: list.metadata?.resourceVersion,
        labelSelector: t.labelSelector,
        allowWatchBookmarks: true,
      },
      (type: string, obj: k8s.KubernetesObject) => {
        if (type === 'BOOKMARK' || type === 'ERROR') return;
        const name = obj.metadata?.name ?? '';
        if (type === 'DELETED') this.objects.delete(name);
        else this.objects.set(name, obj);
        this.notify(name);
        this.notify(EVERY);
      },
      () => {
        if (this.closed || this.abort !== abort) return;
        // Until the list is taken again, what the feed holds may be stale: waits hold on.
        this.synced = false;
        setTimeout(() => this.start(), REWATCH_MS).unref();
      },
    );
    if (this.closed) {
      abort.abort();
      return;
    }
    this.abort = abort;
    this.relistTimer = setTimeout(() => this.start(), RELIST_MS);
    this.relistTimer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.relistTimer);
    this.abort?.abort();
  }
}

/** The feeds of one run, by collection. */
export class SharedWatches {
  private readonly feeds = new Map<string, Feed>();

  constructor(private readonly clients: FeedClients) {}

  /**
   * Calls `l.changed` with the feed's copy of the object `name` of the collection (of every object
   * when `name` is undefined) now, once the feed has listed, and whenever it changes. Returns the
   * unsubscribe function.
   */
  subscribe(collection: WatchTarget, name: string | undefined, l: FeedListener): () => void {
    const key = JSON.stringify([
      collection.apiVersion,
      collection.kind,
      collection.namespace ?? '',
      collection.labelSelector ?? '',
    ]);
    let feed = this.feeds.get(key);
    if (!feed) this.feeds.set(key, (feed = new Feed(this.clients, collection)));
    return feed.subscribe(name ?? EVERY, l);
  }

  close(): void {
    for (const f of this.feeds.values()) f.close();
    this.feeds.clear();
  }
}
