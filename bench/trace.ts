/**
 * A bench-only observer (BENCH_TRACE=1): watches a namespace's PVCs, VolumeSnapshots and pods and
 * the PVs that name its claims, and records when each object's state changed, so that a migration's
 * downtime window can be split into what the controllers did and when. Nothing here writes.
 */
import * as k8s from '@kubernetes/client-node';

export interface TraceEntry {
  t: number;
  kind: string;
  name: string;
  state: string;
}

type Obj = k8s.KubernetesObject & {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

function summary(kind: string, type: string, o: Obj): string {
  if (type === 'DELETED') return 'deleted';
  const del = o.metadata?.deletionTimestamp ? ' deleting' : '';
  const fin = (o.metadata?.finalizers ?? []).length;
  if (kind === 'PersistentVolumeClaim') {
    const s = o.spec as k8s.V1PersistentVolumeClaimSpec;
    const extra =
      process.env.BENCH_TRACE === 'all'
        ? ` rv=${o.metadata?.resourceVersion} ann=${Object.keys(o.metadata?.annotations ?? {}).join('|')} by=${(o.metadata?.managedFields ?? []).map((m) => `${m.manager}:${m.operation}`).join('|')}`
        : '';
    return `${String(o.status?.phase ?? '-')} vol=${s.volumeName ?? ''} fin=${fin}${del}${extra}`;
  }
  if (kind === 'PersistentVolume') {
    const s = o.spec as k8s.V1PersistentVolumeSpec;
    const ref = s.claimRef ? `${s.claimRef.name}${s.claimRef.uid ? '' : '(no uid)'}` : '-';
    const extra =
      process.env.BENCH_TRACE === 'all'
        ? ` rv=${o.metadata?.resourceVersion} fin=${(o.metadata?.finalizers ?? []).join('|')} by=${(o.metadata?.managedFields ?? []).map((m) => `${m.manager}:${m.operation}:${m.subresource ?? ''}@${String(m.time)}`).join('|')}`
        : '';
    return `${String(o.status?.phase ?? '-')} claim=${ref} ${s.persistentVolumeReclaimPolicy}${del}${extra}`;
  }
  if (kind === 'VolumeSnapshot') return `ready=${String(o.status?.readyToUse ?? false)}${del}`;
  if (kind === 'Pod') {
    const conds = (o.status?.conditions ?? []) as k8s.V1PodCondition[];
    const ready = conds.some((c) => c.type === 'Ready' && c.status === 'True');
    return `${String(o.status?.phase ?? '-')} ready=${ready}${del}`;
  }
  return type;
}

export class Tracer {
  readonly entries: TraceEntry[] = [];
  private readonly last = new Map<string, string>();
  private aborts: AbortController[] = [];
  readonly t0 = Date.now();

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly ns: string,
  ) {}

  private add(kind: string, type: string, o: Obj): void {
    const name = o.metadata?.name ?? '';
    if (kind === 'PersistentVolume') {
      const ref = (o.spec as k8s.V1PersistentVolumeSpec | undefined)?.claimRef;
      if (ref?.namespace !== this.ns && !this.last.has(`${kind}/${name}`)) return;
    }
    const state = summary(kind, type, o);
    const key = `${kind}/${name}`;
    if (this.last.get(key) === state) return;
    this.last.set(key, state);
    this.entries.push({ t: Date.now(), kind, name, state });
  }

  async start(): Promise<void> {
    const w = new k8s.Watch(this.kc);
    const paths: [string, string][] = [
      ['PersistentVolumeClaim', `/api/v1/namespaces/${this.ns}/persistentvolumeclaims`],
      ['PersistentVolume', '/api/v1/persistentvolumes'],
      ['Pod', `/api/v1/namespaces/${this.ns}/pods`],
      ['VolumeSnapshot', `/apis/snapshot.storage.k8s.io/v1/namespaces/${this.ns}/volumesnapshots`],
    ];
    for (const [kind, p] of paths) {
      this.aborts.push(
        await w.watch(
          p,
          {},
          (type: string, o: Obj) => this.add(kind, type, o),
          () => undefined,
        ),
      );
    }
  }

  stop(): void {
    for (const a of this.aborts) a.abort();
    this.aborts = [];
  }

  /**
   * When each object first reached a state matching `re` (ms since `from`), per name; only changes
   * at or after `from`, and for names that were deleted before, only after that deletion.
   */
  firstMatch(kind: string, re: RegExp, from: number, afterDeletion = false): Map<string, number> {
    const out = new Map<string, number>();
    const gone = new Set<string>();
    for (const e of this.entries) {
      if (e.kind !== kind || e.t < from) continue;
      if (e.state === 'deleted') gone.add(e.name);
      if (afterDeletion && !gone.has(e.name)) continue;
      if (re.test(e.state) && !out.has(e.name)) out.set(e.name, e.t - from);
    }
    return out;
  }
}

function stats(xs: number[]): string {
  if (xs.length === 0) return '-';
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s[Math.min(s.length - 1, Math.floor(p * s.length))]! / 1000).toFixed(1);
  return `min ${q(0)} med ${q(0.5)} max ${q(1)}`;
}

/** One line per milestone: when (seconds after `from`) the volumes reached it, min/median/max. */
export function milestones(tr: Tracer, from: number): string[] {
  const byPrefix = (m: Map<string, number>, f: (name: string) => boolean) =>
    [...m.entries()].filter(([n]) => f(n)).map(([, t]) => t);
  const staging = (n: string) => n.includes('-ks-stage-');
  const original = (n: string) => /^data-db-\d+$/.test(n);
  const pvc = (re: RegExp) => tr.firstMatch('PersistentVolumeClaim', re, from);
  const rows: [string, number[]][] = [
    ['pods gone', [...tr.firstMatch('Pod', /^deleted/, from).values()]],
    ['snapshot created', [...tr.firstMatch('VolumeSnapshot', /./, from).values()]],
    ['snapshot ready', [...tr.firstMatch('VolumeSnapshot', /ready=true/, from).values()]],
    ['staging PVC created', byPrefix(pvc(/./), staging)],
    ['staging PV created', [...tr.firstMatch('PersistentVolume', /claim=\S*-ks-stage-/, from).values()]],
    ['staging PVC Bound', byPrefix(pvc(/^Bound/), staging)],
    ['staging PVC deleting', byPrefix(pvc(/deleting/), staging)],
    ['staging PVC gone', byPrefix(pvc(/^deleted/), staging)],
    ['original PVC deleting', byPrefix(pvc(/deleting/), original)],
    ['original PVC gone', byPrefix(pvc(/^deleted/), original)],
    ['new PV pointed (no uid)', [...tr.firstMatch('PersistentVolume', /no uid/, from).values()]],
    [
      'new PV Available',
      [...tr.firstMatch('PersistentVolume', /^Available claim=data-db-\d+\(no uid\)/, from).values()],
    ],
    [
      'original name Bound again',
      byPrefix(tr.firstMatch('PersistentVolumeClaim', /^Bound/, from, true), original),
    ],
    ['pods Ready', [...tr.firstMatch('Pod', /ready=true$/, from, true).values()]],
  ];
  return rows.map(([what, xs]) => `    ${what.padEnd(26)} ${String(xs.length).padStart(3)}  ${stats(xs)}`);
}
