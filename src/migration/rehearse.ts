/**
 * A migration rehearsal: clone a StatefulSet's volumes from fresh snapshots into a scratch namespace,
 * migrate the clone to the target zones with the real zone-migrate operation, verify it, report the
 * measured downtime and the plan, and delete everything the rehearsal created.
 *
 * Production objects are never modified. The one write in the production namespace is one labelled
 * VolumeSnapshot per source PVC (a VolumeSnapshot must live beside its PVC); they are deleted at the
 * end together with their contents and storage snapshots. The scratch namespace gets pre-provisioned
 * VolumeSnapshotContents that point at the same snapshot handles (deletionPolicy Retain, so removing
 * them never removes the storage snapshot that production's VolumeSnapshot owns).
 */
import { InputError } from '../errors.js';
import type { k8s } from '../kube/client.js';
import type { RehearsalAccess, VolumeSnapshotContentObject } from '../kube/rehearsal.js';
import type { InputSource } from '../inputs.js';
import type { Progress, Reporter, RunContext } from '../report.js';
import type { VerifyReport } from '../verify/verify.js';

export const LABEL_REHEARSAL = 'kubesafe.dev/rehearsal';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface RehearseSettings {
  namespace: string;
  statefulset: string;
  targetZones: string[];
  zoneKey: string;
  snapshotClass: string;
  scratchNamespace: string;
  kubeconfig: string;
  context: string;
  stepTimeoutMs: number;
  /** Inputs handed to zone-migrate as they are (check-interval, health-window, allow-controllers, ...). */
  migrateInputs: Record<string, string>;
  verifyTimeoutMs: number;
}

export interface SourceVolume {
  ordinal: number;
  /** The PVC name, the same in production and in the clone. */
  pvc: string;
  pv: string;
  zone: string;
  zoneKey: string;
  storageClass: string;
  accessModes: string[];
  request: string;
  volumeMode: string;
}

/** Live ordinals of a StatefulSet (`spec.ordinals.start` included) and the PVC names they use. */
export function pvcNamesOf(sts: k8s.V1StatefulSet): { ordinal: number; pvc: string }[] {
  const name = sts.metadata!.name!;
  const start = sts.spec?.ordinals?.start ?? 0;
  const replicas = sts.spec?.replicas ?? 1;
  const out: { ordinal: number; pvc: string }[] = [];
  for (let o = start; o < start + replicas; o++)
    for (const t of sts.spec?.volumeClaimTemplates ?? [])
      out.push({ ordinal: o, pvc: `${t.metadata!.name!}-${name}-${o}` });
  return out;
}

/** The zone a PV is pinned to, and by which key: the given key, else topology.kubernetes.io/zone or a driver's `.../zone`. */
export function pvZone(
  pv: k8s.V1PersistentVolume,
  zoneKey: string,
): { key: string; zone: string } | undefined {
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [])
    for (const e of term.matchExpressions ?? []) {
      const fits = zoneKey !== '' ? e.key === zoneKey : e.key === ZONE_LABEL || e.key.endsWith('/zone');
      if (fits && e.operator === 'In' && e.values?.length === 1) return { key: e.key, zone: e.values[0]! };
    }
  return undefined;
}

/** DNS-1123 names of at most 63 characters: the prefix, then as much of the rest as fits. */
export function objectName(prefix: string, rest: string): string {
  return `${prefix}-${rest}`.slice(0, 63).replace(/[-.]+$/, '');
}

export function rehearsalId(now = Date.now(), random = Math.random()): string {
  return `${now.toString(36)}${Math.floor(random * 1296)
    .toString(36)
    .padStart(2, '0')}`;
}

/**
 * The clone: the same name (so the claim templates give the same PVC names), spec and template, in the
 * scratch namespace. What would tie it to production or block it there is changed: the service
 * account becomes `default`, Secret references become optional (Secrets are not copied), and the
 * PVC retention policy is Retain so the migration may scale it.
 */
export function cloneStatefulSet(sts: k8s.V1StatefulSet, scratch: string, id: string): k8s.V1StatefulSet {
  const spec = structuredClone(sts.spec!);
  const tpl = spec.template;
  tpl.metadata = { ...tpl.metadata, labels: { ...tpl.metadata?.labels, [LABEL_REHEARSAL]: id } };
  const pod = tpl.spec!;
  pod.serviceAccountName = 'default';
  delete pod.serviceAccount;
  for (const v of pod.volumes ?? []) if (v.secret) v.secret.optional = true;
  for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) e.valueFrom.secretKeyRef.optional = true;
    for (const f of c.envFrom ?? []) if (f.secretRef) f.secretRef.optional = true;
  }
  spec.volumeClaimTemplates = (spec.volumeClaimTemplates ?? []).map((t) => ({
    metadata: { name: t.metadata!.name!, labels: t.metadata?.labels },
    spec: t.spec,
  }));
  spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Retain' };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: sts.metadata!.name!,
      namespace: scratch,
      labels: { ...sts.metadata?.labels, [LABEL_REHEARSAL]: id },
    },
    spec,
  };
}

/** ConfigMaps the pod template mounts or reads; copied to the scratch namespace (Secrets are not). */
export function configMapsOf(sts: k8s.V1StatefulSet): string[] {
  const pod = sts.spec?.template.spec;
  const names = new Set<string>();
  for (const v of pod?.volumes ?? []) {
    if (v.configMap?.name) names.add(v.configMap.name);
    for (const s of v.projected?.sources ?? []) if (s.configMap?.name) names.add(s.configMap.name);
  }
  for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    for (const e of c.env ?? [])
      if (e.valueFrom?.configMapKeyRef?.name) names.add(e.valueFrom.configMapKeyRef.name);
    for (const f of c.envFrom ?? []) if (f.configMapRef?.name) names.add(f.configMapRef.name);
  }
  return [...names].sort();
}

/** A pre-provisioned content in the scratch namespace for a snapshot handle that production owns. */
export function scratchContent(
  name: string,
  source: VolumeSnapshotContentObject,
  scratch: { namespace: string; snapshot: string },
  id: string,
): VolumeSnapshotContentObject {
  const handle = source.status?.snapshotHandle;
  if (!handle) throw new Error(`VolumeSnapshotContent ${source.metadata.name} has no snapshotHandle yet`);
  return {
    metadata: { name, labels: { [LABEL_REHEARSAL]: id } },
    spec: {
      driver: source.spec.driver,
      // Retain: deleting this object must never delete the storage snapshot production's content owns.
      deletionPolicy: 'Retain',
      source: { snapshotHandle: handle },
      volumeSnapshotClassName: source.spec.volumeSnapshotClassName,
      volumeSnapshotRef: { name: scratch.snapshot, namespace: scratch.namespace },
    },
  };
}

/** A PVC of the clone, restored from the scratch snapshot and pinned to the source volume's zone. */
export function clonePvc(
  v: SourceVolume,
  snapshot: string,
  restoreSize: string | undefined,
  node: string,
  id: string,
): k8s.V1PersistentVolumeClaim {
  return {
    metadata: {
      name: v.pvc,
      labels: { [LABEL_REHEARSAL]: id },
      annotations: { 'volume.kubernetes.io/selected-node': node },
    },
    spec: {
      accessModes: v.accessModes,
      storageClassName: v.storageClass,
      volumeMode: v.volumeMode,
      resources: { requests: { storage: largerQuantity(v.request, restoreSize) } },
      dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: snapshot },
    },
  };
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export function quantityBytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(|k|M|G|T|Ki|Mi|Gi|Ti)$/.exec(q.trim());
  if (!m) throw new Error(`unsupported quantity ${JSON.stringify(q)}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** The request for a restored volume: at least the snapshot's restoreSize. */
export function largerQuantity(request: string, restoreSize: string | undefined): string {
  if (!restoreSize) return request;
  return quantityBytes(restoreSize) > quantityBytes(request) ? restoreSize : request;
}

/** resourceVersions of every production object the rehearsal reads, to prove none was changed. */
export type Fingerprint = Record<string, string>;

export function changedObjects(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys(before)
    .filter((k) => before[k] !== after[k])
    .sort();
}

/** Records an operation's outputs and summaries while passing its log lines on. */
export class CapturingReporter implements Reporter {
  readonly outputs: Record<string, string> = {};
  readonly summaries: string[] = [];
  constructor(private readonly parent: Reporter) {}
  get inActions(): boolean {
    return this.parent.inActions;
  }
  info(m: string): void {
    this.parent.info(m);
  }
  warn(m: string): void {
    this.parent.warn(m);
  }
  secret(v: string): void {
    this.parent.secret(v);
  }
  saveState(name: string, value: string): void {
    this.parent.saveState(name, value);
  }
  group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.parent.group(name, fn);
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  summary(markdown: string): void {
    this.summaries.push(markdown);
  }
  progress(label: string, total?: number): Progress {
    return this.parent.progress(label, total);
  }
}

/** What the rehearsal needs besides the cluster: the real migration and the verification. */
export interface RehearseDeps {
  access: RehearsalAccess;
  migrate: (inputs: InputSource, reporter: Reporter, context: RunContext) => Promise<void>;
  verify: (namespace: string, statefulset: string, timeoutMs: number) => Promise<VerifyReport>;
}

export function requireTargetZones(zones: string[]): string[] {
  if (zones.length === 0) throw new InputError('target-zones', '', 'one or more zones, comma-separated');
  return zones;
}

export interface RehearsalOutcome {
  result: 'pass' | 'fail';
  scratchNamespace: string;
  /** zone-migrate's result for the clone: migrated, rolled-back, failed. */
  migration: string;
  downtimeSeconds?: number;
  plan: { pvc: string; sourceZone: string; targetZone: string; moves: boolean }[];
  verify?: VerifyReport;
  productionChanged: string[];
  cleanedUp: boolean;
  error?: string;
  migrationSummary: string[];
}

/**
 * A PVC's content rather than its resourceVersion: taking a VolumeSnapshot of a PVC makes the snapshot
 * controller add and then remove its `pvc-as-source-protection` finalizer, which bumps the
 * resourceVersion although nothing about the claim changed (measured on the test cluster). Spec,
 * labels, annotations, finalizers and phase are what a change to production would show in.
 */
export function pvcContent(pvc: k8s.V1PersistentVolumeClaim): string {
  const m = pvc.metadata ?? {};
  return JSON.stringify({
    spec: pvc.spec,
    labels: m.labels ?? {},
    annotations: m.annotations ?? {},
    finalizers: m.finalizers ?? [],
    phase: pvc.status?.phase,
  });
}

async function fingerprint(
  access: RehearsalAccess,
  s: RehearseSettings,
  pvcs: string[],
): Promise<Fingerprint> {
  const fp: Fingerprint = {};
  const sts = await access.readStatefulSet(s.namespace, s.statefulset);
  fp[`statefulset/${s.namespace}/${s.statefulset}`] = sts.metadata!.resourceVersion!;
  for (const name of pvcs) {
    const pvc = await access.readPvc(s.namespace, name);
    fp[`pvc/${s.namespace}/${name}`] = pvcContent(pvc);
    const pvName = pvc.spec?.volumeName;
    if (pvName) fp[`pv/${pvName}`] = (await access.readPv(pvName)).metadata!.resourceVersion!;
  }
  return fp;
}

async function sourceVolumes(
  access: RehearsalAccess,
  s: RehearseSettings,
  sts: k8s.V1StatefulSet,
): Promise<SourceVolume[]> {
  const out: SourceVolume[] = [];
  for (const { ordinal, pvc: name } of pvcNamesOf(sts)) {
    const pvc = await access.readPvc(s.namespace, name);
    if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName)
      throw new InputError(
        'statefulset',
        s.statefulset,
        `a StatefulSet whose PVCs are Bound; ${name} is ${pvc.status?.phase ?? 'unknown'}`,
      );
    const pv = await access.readPv(pvc.spec.volumeName);
    const z = pvZone(pv, s.zoneKey);
    if (!z)
      throw new InputError(
        'zone-key',
        s.zoneKey,
        `a key that pins PV ${pv.metadata!.name} to one zone in its nodeAffinity`,
      );
    out.push({
      ordinal,
      pvc: name,
      pv: pv.metadata!.name!,
      zone: z.zone,
      zoneKey: z.key,
      storageClass: pvc.spec.storageClassName ?? '',
      accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
      request: pvc.spec.resources?.requests?.storage ?? pv.spec?.capacity?.storage ?? '1Gi',
      volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
    });
  }
  return out;
}

/** Everything the rehearsal created, so that cleanup deletes exactly that. */
interface Created {
  namespace?: string;
  productionSnapshots: string[];
  scratchContents: string[];
}

async function cleanup(
  access: RehearsalAccess,
  s: RehearseSettings,
  made: Created,
  reporter: Reporter,
): Promise<void> {
  const t = s.stepTimeoutMs;
  if (made.namespace) {
    await access.deleteNamespace(made.namespace, t);
    // Contents left by the namespace's VolumeSnapshots: ours (Retain: the object only; production
    // owns the storage snapshot) and the clone migration's own (their storage snapshots go too).
    for (const c of await access.listContents()) {
      if (c.spec.volumeSnapshotRef.namespace !== made.namespace) continue;
      if (!made.scratchContents.includes(c.metadata.name))
        await access.setContentDeletionPolicy(c.metadata.name, 'Delete');
      await access.deleteContent(c.metadata.name);
    }
    // The clone's volumes, old and new: the migration set them to Retain.
    const pvs = await access.pvsClaimedFrom(made.namespace);
    for (const pv of pvs) await access.setPvReclaimPolicy(pv.metadata!.name!, 'Delete');
    for (const pv of pvs)
      await access.waitFor(
        `PV ${pv.metadata!.name} of the clone to be deleted`,
        async () => ((await access.pvGone(pv.metadata!.name!)) ? true : undefined),
        t,
      );
  }
  for (const name of made.productionSnapshots) {
    let content: string | undefined;
    try {
      content = (await access.readSnapshot(s.namespace, name)).status?.boundVolumeSnapshotContentName;
    } catch {
      content = undefined;
    }
    if (content) await access.setContentDeletionPolicy(content, 'Delete');
    await access.deleteSnapshot(s.namespace, name);
    await access.waitFor(
      `VolumeSnapshot ${s.namespace}/${name} to be deleted`,
      async () => ((await access.snapshotGone(s.namespace, name)) ? true : undefined),
      t,
    );
    if (content)
      await access.waitFor(
        `VolumeSnapshotContent ${content} to be deleted`,
        async () => ((await access.contentGone(content)) ? true : undefined),
        t,
      );
  }
  for (const c of made.scratchContents)
    await access.waitFor(
      `VolumeSnapshotContent ${c} to be deleted`,
      async () => ((await access.contentGone(c)) ? true : undefined),
      t,
    );
  reporter.info(
    `cleaned up: namespace ${made.namespace ?? '-'}, ${made.productionSnapshots.length} snapshot(s) in ${s.namespace}`,
  );
}

/** Runs one rehearsal; the cleanup runs whatever happens, and its own failure is reported, not hidden. */
export async function rehearse(
  s: RehearseSettings,
  deps: RehearseDeps,
  reporter: Reporter,
  context: RunContext,
): Promise<RehearsalOutcome> {
  const { access } = deps;
  const id = rehearsalId();
  const scratch = s.scratchNamespace || objectName('kubesafe-rehearse', `${s.statefulset}-${id}`);
  const labels = { [LABEL_REHEARSAL]: id };
  const sts = await access.readStatefulSet(s.namespace, s.statefulset);
  const volumes = await sourceVolumes(access, s, sts);
  const before = await fingerprint(
    access,
    s,
    volumes.map((v) => v.pvc),
  );
  const made: Created = { productionSnapshots: [], scratchContents: [] };
  const outcome: RehearsalOutcome = {
    result: 'fail',
    scratchNamespace: scratch,
    migration: 'not started',
    plan: [],
    productionChanged: [],
    cleanedUp: false,
    migrationSummary: [],
  };
  try {
    await reporter.group('Clone the volumes into the scratch namespace', async () => {
      await access.createNamespace(scratch, labels);
      made.namespace = scratch;
      for (const cm of configMapsOf(sts)) {
        const src = await access.readConfigMap(s.namespace, cm);
        if (src)
          await access.createConfigMap(scratch, {
            metadata: { name: cm, labels },
            data: src.data,
            binaryData: src.binaryData,
          });
      }
      // The one production-namespace write: a labelled snapshot per source PVC, deleted at the end.
      for (const v of volumes) {
        const name = objectName('kubesafe-rehearse', `${id}-${v.pvc}`);
        await access.createSnapshot(s.namespace, {
          metadata: { name, labels },
          spec: {
            source: { persistentVolumeClaimName: v.pvc },
            ...(s.snapshotClass ? { volumeSnapshotClassName: s.snapshotClass } : {}),
          },
        });
        made.productionSnapshots.push(name);
      }
      for (const [i, v] of volumes.entries()) {
        const snap = await access.waitSnapshotReady(
          s.namespace,
          made.productionSnapshots[i]!,
          s.stepTimeoutMs,
        );
        const content = await access.readContent(snap.status!.boundVolumeSnapshotContentName!);
        const contentName = objectName('kubesafe-rehearse', `${id}-${v.pvc}`);
        const scratchSnap = objectName('rehearse', v.pvc);
        await access.createContent(
          scratchContent(contentName, content, { namespace: scratch, snapshot: scratchSnap }, id),
        );
        made.scratchContents.push(contentName);
        await access.createSnapshot(scratch, {
          metadata: { name: scratchSnap, labels },
          spec: {
            source: { volumeSnapshotContentName: contentName },
            volumeSnapshotClassName: content.spec.volumeSnapshotClassName,
          },
        });
        const ready = await access.waitSnapshotReady(scratch, scratchSnap, s.stepTimeoutMs);
        const nodes = await access.nodesInZone(v.zoneKey, v.zone);
        if (nodes.length === 0)
          throw new Error(`no Ready node in zone ${v.zone} (${v.zoneKey}) to place the clone of ${v.pvc}`);
        await access.createPvc(
          scratch,
          clonePvc(
            v,
            scratchSnap,
            ready.status?.restoreSize ?? snap.status?.restoreSize,
            nodes[v.ordinal % nodes.length]!,
            id,
          ),
        );
      }
      for (const v of volumes) await access.waitPvcBound(scratch, v.pvc, s.stepTimeoutMs);
      await access.createStatefulSet(scratch, cloneStatefulSet(sts, scratch, id));
      await access.waitStatefulSetReady(scratch, s.statefulset, s.stepTimeoutMs);
      reporter.info(`clone ${scratch}/${s.statefulset} is ready on ${volumes.length} cloned volume(s)`);
    });
    const nested = new CapturingReporter(reporter);
    await reporter.group('Migrate the clone (zone-migrate)', async () => {
      try {
        await deps.migrate(
          {
            get: (n) =>
              ({
                ...s.migrateInputs,
                namespace: scratch,
                statefulset: s.statefulset,
                'workload-kind': 'kube',
                'target-zones': s.targetZones.join(','),
                'zone-key': s.zoneKey,
                'snapshot-class': s.snapshotClass,
                kubeconfig: s.kubeconfig,
                context: s.context,
                'step-timeout': `${Math.round(s.stepTimeoutMs / 1000)}s`,
                mode: 'run',
                'dry-run': 'false',
              })[n] ?? '',
          },
          nested,
          context,
        );
      } finally {
        outcome.migration = nested.outputs.result || 'failed';
        outcome.migrationSummary = nested.summaries;
        const d = Number(nested.outputs.downtime);
        if (nested.outputs.downtime && Number.isFinite(d)) outcome.downtimeSeconds = d;
        if (nested.outputs.journal) {
          const j = JSON.parse(nested.outputs.journal) as {
            volumes?: { pvc: string; sourceZone: string; targetZone: string; moves: boolean }[];
          };
          outcome.plan = (j.volumes ?? []).map((v) => ({
            pvc: v.pvc,
            sourceZone: v.sourceZone,
            targetZone: v.targetZone,
            moves: v.moves,
          }));
        }
      }
    });
    outcome.verify = await reporter.group('Verify the clone', () =>
      deps.verify(scratch, s.statefulset, s.verifyTimeoutMs),
    );
    outcome.result = outcome.migration === 'migrated' && outcome.verify.verdict === 'pass' ? 'pass' : 'fail';
  } catch (err) {
    outcome.error = (err as Error).message;
  } finally {
    try {
      await reporter.group('Clean up', () => cleanup(access, s, made, reporter));
      outcome.cleanedUp = true;
    } catch (err) {
      outcome.result = 'fail';
      outcome.error = [outcome.error, `cleanup: ${(err as Error).message}`].filter(Boolean).join('; ');
    }
  }
  outcome.productionChanged = changedObjects(
    before,
    await fingerprint(
      access,
      s,
      volumes.map((v) => v.pvc),
    ),
  );
  if (outcome.productionChanged.length > 0) outcome.result = 'fail';
  return outcome;
}
