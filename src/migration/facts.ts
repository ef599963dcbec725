/** Facts derived once from the cluster view: ordinals, PVC -> PV -> driver, zone, size, snapshot class. Pure. */
import { liveOrdinals, pvcName } from './ordinals.js';
import type { OrdinalFacts, VolumeFacts } from './plan.js';
import { parseQuantity } from './quantity.js';
import { isZoneKey, nodeZone } from './scheduling.js';
import type {
  ClusterView,
  PrecheckSettings,
  PvcView,
  PvView,
  SnapshotClassView,
  StatefulSetView,
} from './types.js';

export interface VolumeInfo extends VolumeFacts {
  ordinal: number;
  template: string;
  claim?: PvcView;
  volume?: PvView;
  storageClass: string;
  /** The nodeAffinity key the zone was read from. */
  zoneKeyFound?: string;
}

export interface Facts {
  sts: StatefulSetView;
  ordinals: number[];
  volumes: VolumeInfo[];
  /** The key the plan uses: the input, else the one found on the PVs. */
  zoneKey: string;
  /** Zone -> names of its nodes (any state). */
  nodesByZone: Map<string, string[]>;
  podLabels: Record<string, string>;
}

/** The zone of a PV from its required nodeAffinity: the given key, else the first zone-like key. */
export function pvZone(pv: PvView, zoneKey: string): { zone?: string; key?: string } {
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      const wanted = zoneKey ? e.key === zoneKey : isZoneKey(e.key);
      if (wanted && e.operator === 'In' && e.values?.length === 1) return { zone: e.values[0], key: e.key };
    }
  }
  return {};
}

const DEFAULT_SNAPSHOT_CLASS = 'snapshot.storage.kubernetes.io/is-default-class';

/** The snapshot class for a driver: the one named by the input (when its driver matches), else the default-annotated one, else the first by name. */
export function snapshotClassFor(driver: string, classes: SnapshotClassView[], wanted: string): string {
  if (wanted) return classes.some((c) => c.metadata.name === wanted && c.driver === driver) ? wanted : '';
  const mine = classes
    .filter((c) => c.driver === driver)
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const byDefault = mine.find((c) => c.metadata.annotations?.[DEFAULT_SNAPSHOT_CLASS] === 'true');
  return (byDefault ?? mine[0])?.metadata.name ?? '';
}

export function volumeSize(pvc: PvcView | undefined, pv: PvView | undefined): number {
  return (
    parseQuantity(pv?.spec?.capacity?.storage) ??
    parseQuantity(pvc?.status?.capacity?.storage) ??
    parseQuantity(pvc?.spec?.resources?.requests?.storage) ??
    0
  );
}

export function deriveFacts(view: ClusterView, settings: PrecheckSettings, sts: StatefulSetView): Facts {
  const name = sts.metadata.name ?? settings.workload.name;
  const ordinals = liveOrdinals(sts);
  const pvcs = new Map(view.pvcs.map((c) => [c.metadata.name ?? '', c]));
  const pvs = new Map(view.pvs.map((v) => [v.metadata.name ?? '', v]));
  const volumes: VolumeInfo[] = [];
  for (const ordinal of ordinals) {
    for (const t of sts.spec?.volumeClaimTemplates ?? []) {
      const template = t.metadata?.name ?? '';
      if (!template) continue;
      const pvc = pvcName(template, name, ordinal);
      const claim = pvcs.get(pvc);
      const volume = claim?.spec?.volumeName ? pvs.get(claim.spec.volumeName) : undefined;
      const driver = volume?.spec?.csi?.driver ?? '';
      const { zone, key } = volume ? pvZone(volume, settings.zoneKey) : {};
      volumes.push({
        ordinal,
        template,
        pvc,
        claim,
        volume,
        pv: volume?.metadata.name ?? claim?.spec?.volumeName ?? '',
        sizeBytes: volumeSize(claim, volume),
        driver,
        sourceZone: zone ?? '',
        zoneKeyFound: key,
        snapshotClass: driver ? snapshotClassFor(driver, view.snapshotClasses, settings.snapshotClass) : '',
        storageClass:
          claim?.spec?.storageClassName ?? volume?.spec?.storageClassName ?? t.spec?.storageClassName ?? '',
      });
    }
  }
  const found = volumes.map((v) => v.zoneKeyFound).filter((k): k is string => k !== undefined);
  const zoneKey = settings.zoneKey || found[0] || 'topology.kubernetes.io/zone';
  const nodesByZone = new Map<string, string[]>();
  for (const n of view.nodes) {
    const z = nodeZone(n, zoneKey);
    if (z !== undefined) nodesByZone.set(z, [...(nodesByZone.get(z) ?? []), n.metadata.name ?? '']);
  }
  return {
    sts,
    ordinals,
    volumes,
    zoneKey,
    nodesByZone,
    podLabels: sts.spec?.template?.metadata?.labels ?? {},
  };
}

/** Volumes grouped per ordinal, for the planner. */
export function ordinalFacts(facts: Facts): OrdinalFacts[] {
  return facts.ordinals.map((ordinal) => ({
    ordinal,
    volumes: facts.volumes
      .filter((v) => v.ordinal === ordinal)
      .map(({ pvc, pv, sizeBytes, driver, sourceZone, snapshotClass }) => ({
        pvc,
        pv,
        sizeBytes,
        driver,
        sourceZone,
        snapshotClass,
      })),
  }));
}
