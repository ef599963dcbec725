/** Plain-data cluster views for the checks' tests: a healthy StatefulSet `web` in `shop`, changed per test. */
import type {
  AccessCheck,
  ClusterView,
  NodeView,
  PodView,
  PrecheckSettings,
  PvcView,
  PvView,
  StatefulSetView,
} from '../types.js';
import { permissionsFor } from '../permissions.js';

export const DRIVER = 'ebs.csi.aws.com';
export const ZONE_KEY = 'topology.ebs.csi.aws.com/zone';

export function node(
  name: string,
  zone: string,
  extra: Partial<NodeView['spec']> & {
    labels?: Record<string, string>;
    ready?: boolean;
    cpu?: string;
    memory?: string;
    pods?: string;
  } = {},
): NodeView {
  const { labels, ready, cpu, memory, pods, ...spec } = extra;
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'topology.kubernetes.io/zone': zone,
        [ZONE_KEY]: zone,
        ...labels,
      },
    },
    spec,
    status: {
      allocatable: { cpu: cpu ?? '4', memory: memory ?? '16Gi', pods: pods ?? '110' },
      conditions: [{ type: 'Ready', status: ready === false ? 'False' : 'True' }],
    },
  };
}

export function statefulSet(
  replicas: number,
  patch: (s: StatefulSetView) => void = () => undefined,
): StatefulSetView {
  const sts: StatefulSetView = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'shop', uid: 'sts-uid', generation: 3 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', resources: { requests: { cpu: '500m', memory: '1Gi' } } }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { storageClassName: 'gp3', resources: { requests: { storage: '10Gi' } } },
        },
      ],
    },
    status: {
      observedGeneration: 3,
      replicas,
      readyReplicas: replicas,
      updatedReplicas: replicas,
      currentRevision: 'web-1',
      updateRevision: 'web-1',
    },
  };
  patch(sts);
  return sts;
}

export function pod(
  name: string,
  nodeName: string,
  extra: Partial<PodView['metadata']> = {},
  requests = { cpu: '500m', memory: '1Gi' },
): PodView {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels: { app: 'web' }, ...extra },
    spec: { nodeName, containers: [{ name: 'app', resources: { requests } }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export function volume(
  pvc: string,
  zone: string,
  size = '10Gi',
  driver = DRIVER,
): { pvc: PvcView; pv: PvView } {
  const pvName = `pv-${pvc}`;
  return {
    pvc: {
      metadata: { name: pvc, namespace: 'shop' },
      spec: { storageClassName: 'gp3', volumeName: pvName, resources: { requests: { storage: size } } },
      status: { phase: 'Bound', capacity: { storage: size } },
    },
    pv: {
      metadata: { name: pvName },
      spec: {
        capacity: { storage: size },
        csi: { driver, volumeHandle: `vol-${pvc}` },
        storageClassName: 'gp3',
        claimRef: { namespace: 'shop', name: pvc },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_KEY, operator: 'In', values: [zone] }] }],
          },
        },
      },
      status: { phase: 'Bound' },
    },
  };
}

export function allowAll(settings: PrecheckSettings): AccessCheck[] {
  return permissionsFor('zone-migrate', settings.workload.kind).flatMap((p) =>
    p.verbs.map((verb) => ({
      group: p.group,
      resource: p.resource,
      subresource: p.subresource,
      verb,
      namespace: p.namespaced ? 'shop' : undefined,
      onlyFor: p.onlyFor,
      allowed: true,
    })),
  );
}

export function settings(targetZones: string[], extra: Partial<PrecheckSettings> = {}): PrecheckSettings {
  return {
    workload: { namespace: 'shop', name: 'web', kind: 'kube' },
    targetZones,
    zoneKey: '',
    snapshotClass: '',
    allowControllers: [],
    ...extra,
  };
}

/** `web` with one replica per entry of `zones` (ordinal i in zones[i]), two nodes per zone a, b, c. */
export function healthyView(zones: string[], s: PrecheckSettings = settings(['b'])): ClusterView {
  const vols = zones.map((z, i) => volume(`data-web-${i}`, z));
  const nodes = ['a', 'b', 'c'].flatMap((z) => [node(`node-${z}-0`, z), node(`node-${z}-1`, z)]);
  return {
    workload: statefulSet(zones.length),
    pods: zones.map((z, i) => pod(`web-${i}`, `node-${z}-0`)),
    otherPods: [],
    pvcs: vols.map((v) => v.pvc),
    pvs: vols.map((v) => v.pv),
    nodes,
    storageClasses: [
      { metadata: { name: 'gp3' }, provisioner: DRIVER, volumeBindingMode: 'WaitForFirstConsumer' },
    ],
    snapshotClasses: [
      { metadata: { name: 'ebs-other' }, driver: DRIVER },
      {
        metadata: {
          name: 'ebs-default',
          annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'true' },
        },
        driver: DRIVER,
      },
    ],
    snapshotApiServed: true,
    resourceQuotas: [],
    scalers: [],
    kedaServed: true,
    pdbs: [],
    access: allowAll(s),
    unreadable: {},
  };
}
