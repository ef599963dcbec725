/**
 * The precheck's checks: each a pure function over the cluster view (read once) and the facts derived
 * from it, returning pass, warn or fail with its reason. `evaluatePrecheck` runs them all.
 */
import { describeVerb } from './permissions.js';
import { deriveFacts, ordinalFacts, type Facts } from './facts.js';
import { podOrdinal, reservedOrdinals } from './ordinals.js';
import { DOWNTIME_ASSUMPTIONS, ordinalZone, planMigration } from './plan.js';
import { formatBytes, formatCpu, parseQuantity } from './quantity.js';
import {
  nodeRejection,
  nodeRoom,
  nodeZone,
  perNodeLimit,
  podRequests,
  zonePinning,
  zoneRuleViolations,
  isZoneKey,
} from './scheduling.js';
import { matchesLabelSelector, selectorString } from './selectors.js';
import type { CheckResult, ClusterView, MigrationPlan, PrecheckResult, PrecheckSettings } from './types.js';

export interface CheckInput {
  view: ClusterView;
  settings: PrecheckSettings;
  facts: Facts;
  plan: MigrationPlan;
}

const pass = (check: string, reason: string): CheckResult => ({ check, status: 'pass', reason });
const warn = (check: string, reason: string): CheckResult => ({ check, status: 'warn', reason });
const fail = (check: string, reason: string): CheckResult => ({ check, status: 'fail', reason });

function list(items: string[], max = 12): string {
  return items.length > max
    ? `${items.slice(0, max).join(', ')} and ${items.length - max} more`
    : items.join(', ');
}

function unreadable(view: ClusterView, ...names: string[]): string | undefined {
  const found = names.filter((n) => view.unreadable[n] !== undefined);
  return found.length > 0
    ? found.map((n) => `cannot read ${n} (${view.unreadable[n]})`).join('; ')
    : undefined;
}

export function checkReadiness({ view, facts }: CheckInput): CheckResult {
  const why = unreadable(view, 'pods');
  if (why) return fail('readiness', why);
  const want = facts.sts.spec?.replicas ?? 1;
  const ready = facts.sts.status?.readyReplicas ?? 0;
  const notReady = view.pods
    .filter((p) => !(p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.metadata.name ?? '')
    .sort();
  if (want === 0)
    return fail('readiness', 'the StatefulSet has 0 replicas: there is nothing running to move');
  if (ready < want || notReady.length > 0) {
    return fail(
      'readiness',
      `${ready} of ${want} replicas are ready${notReady.length ? `; not ready: ${list(notReady)}` : ''}`,
    );
  }
  return pass('readiness', `${ready} of ${want} replicas are ready`);
}

export function checkRollout({ facts }: CheckInput): CheckResult {
  const { sts } = facts;
  const problems: string[] = [];
  const gen = sts.metadata.generation ?? 0;
  const observed = sts.status?.observedGeneration ?? 0;
  if (observed < gen)
    problems.push(`the controller has not observed generation ${gen} yet (observed ${observed})`);
  const cur = sts.status?.currentRevision;
  const upd = sts.status?.updateRevision;
  if (cur && upd && cur !== upd)
    problems.push(`a rollout is in progress (currentRevision ${cur}, updateRevision ${upd})`);
  const want = sts.spec?.replicas ?? 1;
  if (sts.status?.updatedReplicas !== undefined && sts.status.updatedReplicas < want) {
    problems.push(`${sts.status.updatedReplicas} of ${want} replicas run the update revision`);
  }
  if (sts.spec?.updateStrategy?.rollingUpdate?.paused)
    problems.push('the rolling update is paused (spec.updateStrategy.rollingUpdate.paused)');
  return problems.length
    ? fail('rollout', problems.join('; '))
    : pass('rollout', `no rollout in progress (revision ${cur ?? 'unknown'})`);
}

export function checkOrdinals({ view, facts, settings }: CheckInput): CheckResult {
  const { sts } = facts;
  const name = sts.metadata.name ?? settings.workload.name;
  const { invalid } = reservedOrdinals(sts.spec?.reserveOrdinals);
  if (invalid.length)
    return fail(
      'ordinals',
      `spec.reserveOrdinals has entries that are neither ordinals nor ranges: ${invalid.join(', ')}`,
    );
  if (facts.volumes.length === 0) {
    return fail('ordinals', 'the StatefulSet has no volumeClaimTemplates: there is no volume to move');
  }
  const live = new Set(facts.ordinals);
  const stray = view.pods
    .map((p) => podOrdinal(name, p.metadata.name ?? ''))
    .filter((o): o is number => o !== undefined && !live.has(o));
  const pvcs = facts.volumes.map((v) => v.pvc);
  const reason = `ordinals ${list(facts.ordinals.map(String))}; PVCs ${list(pvcs)}`;
  if (stray.length)
    return warn(
      'ordinals',
      `${reason}; pods outside the live ordinals: ${list(stray.map((o) => `${name}-${o}`))}`,
    );
  return pass('ordinals', reason);
}

export function checkVolumes({ view, facts }: CheckInput): CheckResult {
  const why = unreadable(view, 'persistentvolumeclaims', 'persistentvolumes');
  if (why) return fail('volumes', why);
  const problems: string[] = [];
  for (const v of facts.volumes) {
    if (!v.claim) problems.push(`PVC ${v.pvc} does not exist`);
    else if (v.claim.status?.phase !== 'Bound')
      problems.push(`PVC ${v.pvc} is ${v.claim.status?.phase ?? 'not Bound'}`);
    else if (!v.volume) problems.push(`PV ${v.pv || '?'} of PVC ${v.pvc} does not exist`);
    else if (!v.volume.spec?.csi) problems.push(`PV ${v.pv} of PVC ${v.pvc} is not a CSI volume`);
  }
  if (problems.length) return fail('volumes', problems.join('; '));
  const drivers = [...new Set(facts.volumes.map((v) => v.driver))];
  const total = facts.volumes.reduce((s, v) => s + v.sizeBytes, 0);
  return pass(
    'volumes',
    `${facts.volumes.length} PVCs Bound to CSI volumes (${drivers.join(', ')}), ${formatBytes(total)} in all`,
  );
}

export function checkSnapshotApi({ view }: CheckInput): CheckResult {
  return view.snapshotApiServed
    ? pass('snapshot-api', 'snapshot.storage.k8s.io/v1 is served')
    : fail(
        'snapshot-api',
        'snapshot.storage.k8s.io/v1 is not served: install the external-snapshotter CRDs and controller',
      );
}

export function checkSnapshotClasses({ view, facts, settings }: CheckInput): CheckResult {
  // One cause, one failure: without the API there are no classes to look at.
  if (!view.snapshotApiServed) return warn('snapshot-class', 'not checked: the snapshot API is not served');
  const why = unreadable(view, 'volumesnapshotclasses');
  if (why) return fail('snapshot-class', why);
  const drivers = [...new Set(facts.volumes.map((v) => v.driver).filter((d) => d))];
  const problems: string[] = [];
  const chosen: string[] = [];
  for (const d of drivers) {
    const cls = facts.volumes.find((v) => v.driver === d)!.snapshotClass;
    if (cls) chosen.push(`${d}: ${cls}`);
    else if (settings.snapshotClass) {
      const named = view.snapshotClasses.find((c) => c.metadata.name === settings.snapshotClass);
      problems.push(
        named
          ? `snapshot class ${settings.snapshotClass} is for driver ${named.driver}, not ${d}`
          : `snapshot class ${settings.snapshotClass} does not exist (classes: ${list(view.snapshotClasses.map((c) => c.metadata.name ?? '')) || 'none'})`,
      );
    } else problems.push(`no VolumeSnapshotClass for driver ${d}`);
  }
  if (problems.length) return fail('snapshot-class', problems.join('; '));
  if (drivers.length === 0) return warn('snapshot-class', 'no CSI driver found on the volumes');
  return pass('snapshot-class', chosen.join('; '));
}

export function checkZones({ view, settings, facts, plan }: CheckInput): CheckResult {
  const problems: string[] = [];
  const known = [...facts.nodesByZone.keys()].sort();
  const unknown = settings.targetZones.filter((z) => !facts.nodesByZone.has(z));
  if (unknown.length) {
    problems.push(
      `target-zones: ${unknown.map((z) => `"${z}"`).join(', ')} ${unknown.length > 1 ? 'have' : 'has'} no node; zones with nodes: ${known.join(', ') || 'none'}`,
    );
  }
  for (const v of facts.volumes) {
    if (v.volume && !v.sourceZone)
      problems.push(
        `PV ${v.pv} has no ${settings.zoneKey || 'zone key (any key ending in /zone)'} in its required nodeAffinity`,
      );
  }
  for (const o of ordinalFacts(facts)) {
    if (o.volumes.length > 0 && o.volumes.every((v) => v.sourceZone) && ordinalZone(o) === undefined) {
      problems.push(
        `the volumes of ordinal ${o.ordinal} are in different zones (${o.volumes.map((v) => `${v.pvc}: ${v.sourceZone}`).join(', ')})`,
      );
    }
  }
  const keys = [...new Set(facts.volumes.map((v) => v.zoneKeyFound).filter((k) => k))];
  if (keys.length > 1) problems.push(`the PVs use several zone keys (${keys.join(', ')}); set zone-key`);
  void view;
  if (problems.length) return fail('zones', problems.join('; '));
  const staying = plan.volumes.filter((v) => !v.moves).map((v) => `${v.pvc} (${v.sourceZone})`);
  const moving = plan.volumes
    .filter((v) => v.moves)
    .map((v) => `${v.pvc} ${v.sourceZone} -> ${v.targetZone}`);
  const parts = [`zone key ${facts.zoneKey}`];
  if (moving.length) parts.push(`moving: ${list(moving)}`);
  if (staying.length) parts.push(`already in a target zone, staying: ${list(staying)}`);
  if (!moving.length) return warn('zones', `${parts.join('; ')}; nothing to move`);
  return pass('zones', parts.join('; '));
}

export function checkZonePinning({ settings, facts }: CheckInput): CheckResult {
  const spec = facts.sts.spec?.template?.spec;
  const blocked: string[] = [];
  for (const z of settings.targetZones) {
    const terms = zonePinning(spec, z, facts.zoneKey);
    if (terms.length)
      blocked.push(`${list(terms)} ${terms.length > 1 ? 'block' : 'blocks'} target zone ${z}`);
  }
  return blocked.length
    ? fail(
        'zone-pinning',
        `the pod template pins the workload by zone: ${blocked.join('; ')}; change the template first`,
      )
    : pass('zone-pinning', 'the pod template does not pin the workload to a zone');
}

export function checkTargetNodes({ view, settings, facts, plan }: CheckInput): CheckResult {
  const why = unreadable(view, 'nodes');
  if (why) return fail('target-nodes', why);
  const spec = facts.sts.spec?.template?.spec;
  const ns = settings.workload.namespace;
  const nodesByName = new Map(view.nodes.map((n) => [n.metadata.name ?? '', n]));
  const req = podRequests(spec);
  const limit = perNodeLimit(spec, facts.podLabels);
  const countsByZone = new Map<string, number>();
  for (const o of new Set(plan.volumes.map((v) => `${v.ordinal}\u0000${v.targetZone}`))) {
    const zone = o.split('\u0000')[1]!;
    if (zone) countsByZone.set(zone, (countsByZone.get(zone) ?? 0) + 1);
  }
  const eligibleZones = new Set<string>();
  const problems: string[] = [];
  const notes: string[] = [];
  for (const n of view.nodes) {
    const z = nodeZone(n, facts.zoneKey);
    if (z && !nodeRejection(n, spec, ns, view.otherPods, nodesByName)) eligibleZones.add(z);
  }
  for (const zone of settings.targetZones) {
    const nodes = view.nodes.filter((n) => nodeZone(n, facts.zoneKey) === zone);
    if (nodes.length === 0) continue; // reported by the zones check
    const need = countsByZone.get(zone) ?? 0;
    const rejected: string[] = [];
    let room = 0;
    const fitting: string[] = [];
    for (const n of nodes) {
      const reason = nodeRejection(n, spec, ns, view.otherPods, nodesByName);
      if (reason) {
        rejected.push(`${n.metadata.name}: ${reason}`);
        continue;
      }
      const r = nodeRoom(
        n,
        view.otherPods.filter((p) => p.spec?.nodeName === n.metadata.name),
        req,
      );
      const fits = Math.min(r.fits, limit);
      room += fits;
      fitting.push(`${n.metadata.name} (${fits === Number.POSITIVE_INFINITY ? 'room' : `room for ${fits}`})`);
    }
    if (fitting.length === 0) {
      problems.push(
        `zone ${zone} has no Ready, schedulable node the pod template allows (${list(rejected)})`,
      );
    } else if (room < need) {
      problems.push(
        `zone ${zone} has room for ${room} of the ${need} pods planned there (each requests ${formatCpu(req.cpu)} CPU, ${formatBytes(req.memory)} memory${
          limit !== Number.POSITIVE_INFINITY ? `, at most ${limit} per node` : ''
        })`,
      );
    } else notes.push(`${zone}: ${need} pod${need === 1 ? '' : 's'} on ${list(fitting, 6)}`);
  }
  problems.push(
    ...zoneRuleViolations(spec, facts.podLabels, facts.zoneKey, countsByZone, [...eligibleZones].sort()),
  );
  if (spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length) {
    notes.push('required pod affinity is not evaluated');
  }
  const other = unreadable(view, 'pods on nodes');
  if (problems.length) return fail('target-nodes', problems.join('; '));
  if (other) return warn('target-nodes', `${notes.join('; ')}; ${other}: room ignores other pods' requests`);
  return notes.some((n) => n.includes('not evaluated'))
    ? warn('target-nodes', notes.join('; '))
    : pass('target-nodes', notes.join('; '));
}

/** Zones a StorageClass's allowedTopologies permit for the zone keys; undefined means any. */
export function allowedZones(
  sc: { allowedTopologies?: { matchLabelExpressions?: { key: string; values: string[] }[] }[] },
  zoneKey: string,
): Set<string> | undefined {
  const terms = sc.allowedTopologies ?? [];
  if (terms.length === 0) return undefined;
  const zones = new Set<string>();
  for (const t of terms) {
    const zoneExprs = (t.matchLabelExpressions ?? []).filter((e) => isZoneKey(e.key, zoneKey));
    if (zoneExprs.length === 0) return undefined;
    for (const e of zoneExprs) for (const v of e.values) zones.add(v);
  }
  return zones;
}

export function checkStorageClasses({ view, plan, facts }: CheckInput): CheckResult {
  const why = unreadable(view, 'storageclasses');
  if (why) return fail('storage-class', why);
  const problems: string[] = [];
  const notes = new Set<string>();
  for (const v of plan.volumes.filter((x) => x.moves)) {
    const cls = facts.volumes.find((f) => f.pvc === v.pvc)?.storageClass ?? '';
    const sc = view.storageClasses.find((s) => s.metadata.name === cls);
    if (!cls) problems.push(`PVC ${v.pvc} has no storageClassName`);
    else if (!sc) problems.push(`StorageClass ${cls} of PVC ${v.pvc} does not exist`);
    else {
      if (sc.provisioner !== v.driver && v.driver)
        problems.push(
          `StorageClass ${cls} provisions with ${sc.provisioner}, but PV ${v.pv} is from ${v.driver}`,
        );
      const zones = allowedZones(sc, facts.zoneKey);
      if (zones && !zones.has(v.targetZone))
        problems.push(
          `StorageClass ${cls} does not allow zone ${v.targetZone} (allowedTopologies: ${[...zones].join(', ')})`,
        );
      else notes.add(`${cls} (${sc.volumeBindingMode ?? 'Immediate'})`);
    }
  }
  if (problems.length) return fail('storage-class', [...new Set(problems)].join('; '));
  return pass(
    'storage-class',
    notes.size ? `the target zones are allowed by ${[...notes].join(', ')}` : 'no volume moves',
  );
}

/** What the staging PVCs add: count and storage, overall and per class. */
export function stagingDemand(input: CheckInput): {
  pvcs: number;
  storage: number;
  byClass: Map<string, { pvcs: number; storage: number }>;
} {
  const byClass = new Map<string, { pvcs: number; storage: number }>();
  let pvcs = 0;
  let storage = 0;
  for (const v of input.plan.volumes.filter((x) => x.moves)) {
    const info = input.facts.volumes.find((f) => f.pvc === v.pvc);
    // The staging PVC requests what the original requests (the restore is at least that big).
    const size = parseQuantity(info?.claim?.spec?.resources?.requests?.storage) ?? v.sizeBytes;
    pvcs += 1;
    storage += size;
    const cls = info?.storageClass ?? '';
    const c = byClass.get(cls) ?? { pvcs: 0, storage: 0 };
    byClass.set(cls, { pvcs: c.pvcs + 1, storage: c.storage + size });
  }
  return { pvcs, storage, byClass };
}

export function checkQuota(input: CheckInput): CheckResult {
  const why = unreadable(input.view, 'resourcequotas');
  if (why) return fail('quota', why);
  const demand = stagingDemand(input);
  const wanted = new Map<string, number>([
    ['persistentvolumeclaims', demand.pvcs],
    ['requests.storage', demand.storage],
  ]);
  for (const [cls, d] of demand.byClass) {
    wanted.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, d.storage);
    wanted.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, d.pvcs);
  }
  const problems: string[] = [];
  let limits = 0;
  for (const q of input.view.resourceQuotas) {
    const hard = q.status?.hard ?? q.spec?.hard ?? {};
    const used = q.status?.used ?? {};
    for (const [key, need] of wanted) {
      if (need === 0 || hard[key] === undefined) continue;
      limits++;
      const free = (parseQuantity(hard[key]) ?? 0) - (parseQuantity(used[key]) ?? 0);
      if (free < need) {
        const fmt = (n: number) => (key.endsWith('persistentvolumeclaims') ? String(n) : formatBytes(n));
        problems.push(
          `ResourceQuota ${q.metadata.name}: ${key} has ${fmt(Math.max(0, free))} free, the staging PVCs need ${fmt(need)} (hard ${hard[key]}, used ${used[key] ?? 0})`,
        );
      }
    }
  }
  if (problems.length) return fail('quota', problems.join('; '));
  const summary = `${demand.pvcs} staging PVCs, ${formatBytes(demand.storage)}`;
  return pass('quota', limits ? `the quotas have room for ${summary}` : `no quota limits ${summary}`);
}

export function checkRetentionPolicy({ facts }: CheckInput): CheckResult {
  const policy = facts.sts.spec?.persistentVolumeClaimRetentionPolicy;
  if (policy?.whenScaled === 'Delete') {
    return fail(
      'retention-policy',
      'persistentVolumeClaimRetentionPolicy.whenScaled is Delete: scaling to zero would delete the PVCs; set it to Retain first',
    );
  }
  return pass(
    'retention-policy',
    `whenScaled ${policy?.whenScaled ?? 'Retain'}, whenDeleted ${policy?.whenDeleted ?? 'Retain'}`,
  );
}

interface Controller {
  what: string;
  /** Names that accept it in allow-controllers (compared case-insensitively). */
  names: string[];
}

/** Everything else that owns, scales or syncs the workload. */
export function findControllers(view: ClusterView, facts: Facts): Controller[] {
  const out: Controller[] = [];
  const { sts } = facts;
  const name = sts.metadata.name ?? '';
  const kinds = new Set(['StatefulSet']);
  for (const s of view.scalers) {
    if (s.targetName !== name || !kinds.has(s.targetKind)) continue;
    const short = s.kind === 'HorizontalPodAutoscaler' ? 'hpa' : 'scaledobject';
    out.push({
      what: `${s.kind} ${s.name}`,
      names: [short, `${short}/${s.name}`, `${s.kind}/${s.name}`, s.name],
    });
  }
  for (const o of sts.metadata.ownerReferences ?? []) {
    out.push({ what: `owner ${o.kind} ${o.name}`, names: [`${o.kind}/${o.name}`, o.kind, o.name] });
  }
  const labels = sts.metadata.labels ?? {};
  const annotations = sts.metadata.annotations ?? {};
  const argo =
    labels['argocd.argoproj.io/instance'] ?? annotations['argocd.argoproj.io/tracking-id']?.split(':')[0];
  if (argo !== undefined)
    out.push({ what: `Argo CD application ${argo}`, names: ['argocd', `argocd/${argo}`] });
  for (const key of ['kustomize.toolkit.fluxcd.io/name', 'helm.toolkit.fluxcd.io/name']) {
    if (labels[key] !== undefined) {
      const kind = key.startsWith('kustomize') ? 'Kustomization' : 'HelmRelease';
      out.push({
        what: `Flux ${kind} ${labels[key]}`,
        names: ['flux', `flux/${labels[key]}`, `${kind}/${labels[key]}`],
      });
    }
  }
  return out;
}

export function checkControllers({ view, settings, facts }: CheckInput): CheckResult {
  const why = unreadable(view, 'horizontalpodautoscalers', 'scaledobjects');
  const found = findControllers(view, facts);
  const allowed = new Set(settings.allowControllers.map((a) => a.toLowerCase()));
  const blocking = found.filter((c) => !c.names.some((n) => allowed.has(n.toLowerCase())));
  const accepted = found.filter((c) => !blocking.includes(c));
  if (blocking.length) {
    return fail(
      'controllers',
      `${blocking.map((c) => `${c.what} (allow with allow-controllers: ${c.names[1] ?? c.names[0]})`).join('; ')} also manage${blocking.length === 1 ? 's' : ''} the workload and would undo the scale-down or the swap${why ? `; ${why}` : ''}`,
    );
  }
  if (why) return fail('controllers', why);
  const keda = view.kedaServed ? '' : ' (KEDA is not installed)';
  return accepted.length
    ? warn('controllers', `allowed by allow-controllers: ${accepted.map((c) => c.what).join(', ')}${keda}`)
    : pass('controllers', `no HPA, ScaledObject, owner or GitOps marker${keda}`);
}

export function checkDisruptionBudgets({ view, facts }: CheckInput): CheckResult {
  const why = unreadable(view, 'poddisruptionbudgets');
  if (why) return warn('disruption-budgets', why);
  const matching = view.pdbs.filter((p) => matchesLabelSelector(p.spec?.selector, facts.podLabels));
  if (!matching.length) return pass('disruption-budgets', 'no PodDisruptionBudget selects the pods');
  return warn(
    'disruption-budgets',
    `${matching.map((p) => `${p.metadata.name} (${selectorString(p.spec?.selector)})`).join(', ')} select${matching.length === 1 ? 's' : ''} the pods; a scale-down does not consult it, so the workload is fully down during the move`,
  );
}

export function checkPermissions({ view }: CheckInput): CheckResult {
  const why = unreadable(view, 'selfsubjectaccessreviews');
  if (why) return fail('permissions', why);
  const missing = view.access.filter((a) => !a.allowed && !a.onlyFor);
  const optional = view.access.filter((a) => !a.allowed && a.onlyFor);
  const describe = (a: (typeof view.access)[number]) =>
    `${describeVerb(a)}${a.namespace ? ` in ${a.namespace}` : ' (cluster)'}`;
  if (missing.length) return fail('permissions', `the caller may not: ${missing.map(describe).join(', ')}`);
  if (optional.length)
    return warn(
      'permissions',
      `allowed except what only ${optional.map((a) => `${a.onlyFor} needs: ${describe(a)}`).join(', ')}`,
    );
  return pass('permissions', `all ${view.access.length} verbs the migration needs are allowed`);
}

export function checkDowntime({ plan }: CheckInput): CheckResult {
  const s = plan.estimatedDowntimeSeconds;
  const a = DOWNTIME_ASSUMPTIONS;
  return pass(
    'downtime-estimate',
    `estimate: about ${s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`} with every pod down (assumes ${a.snapshotSecondsPerGiB} s/GiB to snapshot, ${a.restoreSecondsPerGiB} s/GiB to restore, ${a.podStartSeconds} s per pod start); the real time depends on the storage backend`,
  );
}

export const CHECKS = [
  checkReadiness,
  checkRollout,
  checkOrdinals,
  checkVolumes,
  checkSnapshotApi,
  checkSnapshotClasses,
  checkZones,
  checkZonePinning,
  checkTargetNodes,
  checkStorageClasses,
  checkQuota,
  checkRetentionPolicy,
  checkControllers,
  checkDisruptionBudgets,
  checkPermissions,
  checkDowntime,
];

function emptyPlan(settings: PrecheckSettings): MigrationPlan {
  return {
    workload: settings.workload,
    zoneKey: settings.zoneKey,
    replicas: 0,
    volumes: [],
    estimatedDowntimeSeconds: 0,
  };
}

/** Every check over one view, the plan, and the verdict. */
export function evaluatePrecheck(view: ClusterView, settings: PrecheckSettings): PrecheckResult {
  const checks: CheckResult[] = [];
  let plan = emptyPlan(settings);
  const sts = view.workload;
  if (!sts) {
    checks.push(
      fail(
        'workload',
        view.workloadError ??
          `StatefulSet ${settings.workload.namespace}/${settings.workload.name} not found`,
      ),
    );
    // The permission check still runs: a missing verb is often why the workload could not be read.
    checks.push(checkPermissions({ view, settings, facts: undefined as unknown as Facts, plan }));
  } else {
    const facts = deriveFacts(view, settings, sts);
    plan = planMigration({
      workload: settings.workload,
      zoneKey: facts.zoneKey,
      replicas: sts.spec?.replicas ?? 1,
      targetZones: settings.targetZones,
      ordinals: ordinalFacts(facts),
      podManagementPolicy: sts.spec?.podManagementPolicy,
    });
    const kind =
      settings.workload.kind === 'kruise'
        ? 'Advanced StatefulSet (apps.kruise.io/v1beta1)'
        : 'StatefulSet (apps/v1)';
    checks.push(
      pass(
        'workload',
        `${kind} ${settings.workload.namespace}/${sts.metadata.name} with ${sts.spec?.replicas ?? 1} replicas`,
      ),
    );
    for (const check of CHECKS) checks.push(check({ view, settings, facts, plan }));
  }
  const failures = checks.filter((c) => c.status === 'fail').map(({ check, reason }) => ({ check, reason }));
  return { verdict: failures.length ? 'fail' : 'pass', checks, plan, failures };
}
