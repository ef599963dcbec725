/**
 * The one table of what each action may do in the cluster. The precheck asks a SelfSubjectAccessReview for
 * every entry of `zone-migrate`; `deploy/rbac/` is generated from it (src/migration/rbac.ts).
 */
import type { WorkloadKind } from './types.js';

export interface Permission {
  group: string;
  resource: string;
  subresource?: string;
  verbs: string[];
  /** Namespaced rules go into the Role, the others into the ClusterRole. */
  namespaced: boolean;
  /** Needed only for this workload kind. */
  kind?: WorkloadKind;
  /** Needed only when this input is set: a missing verb is a warning, not a failure. */
  onlyFor?: string;
  why: string;
}

export type PermissionAction =
  'migration-precheck' | 'zone-migrate' | 'etcd-snapshot-port-forward' | 'volume-snapshots-prune';

const SNAP = 'snapshot.storage.k8s.io';

const WORKLOAD_READS: Permission[] = [
  {
    group: 'apps',
    resource: 'statefulsets',
    verbs: ['get', 'list', 'watch'],
    namespaced: true,
    kind: 'kube',
    why: 'read the workload',
  },
  {
    group: 'apps.kruise.io',
    resource: 'statefulsets',
    verbs: ['get', 'list', 'watch'],
    namespaced: true,
    kind: 'kruise',
    why: 'read the workload',
  },
];

export const PERMISSIONS: Record<PermissionAction, Permission[]> = {
  'migration-precheck': [
    ...WORKLOAD_READS,
    { group: '', resource: 'pods', verbs: ['list'], namespaced: true, why: "the workload's pods" },
    {
      group: '',
      resource: 'persistentvolumeclaims',
      verbs: ['list'],
      namespaced: true,
      why: 'the volumes to move',
    },
    {
      group: '',
      resource: 'resourcequotas',
      verbs: ['list'],
      namespaced: true,
      why: 'room for the staging PVCs',
    },
    {
      group: 'autoscaling',
      resource: 'horizontalpodautoscalers',
      verbs: ['list'],
      namespaced: true,
      why: 'scalers of the workload',
    },
    {
      group: 'keda.sh',
      resource: 'scaledobjects',
      verbs: ['list'],
      namespaced: true,
      why: 'scalers of the workload',
    },
    {
      group: 'policy',
      resource: 'poddisruptionbudgets',
      verbs: ['list'],
      namespaced: true,
      why: 'budgets selecting the pods',
    },
    {
      group: '',
      resource: 'pods',
      verbs: ['list'],
      namespaced: false,
      why: 'requests of pods already on the target nodes',
    },
    {
      group: '',
      resource: 'persistentvolumes',
      verbs: ['list'],
      namespaced: false,
      why: 'zones and drivers of the volumes',
    },
    {
      group: '',
      resource: 'nodes',
      verbs: ['list'],
      namespaced: false,
      why: 'Ready nodes in the target zones',
    },
    {
      group: 'storage.k8s.io',
      resource: 'storageclasses',
      verbs: ['list'],
      namespaced: false,
      why: 'allowed topologies',
    },
    {
      group: SNAP,
      resource: 'volumesnapshotclasses',
      verbs: ['list'],
      namespaced: false,
      why: 'a snapshot class per driver',
    },
    {
      group: 'authorization.k8s.io',
      resource: 'selfsubjectaccessreviews',
      verbs: ['create'],
      namespaced: false,
      why: 'check the migration verbs',
    },
  ],
  // etcd-snapshot with `connect: port-forward`, in the etcd pods' namespace (kube-system by default).
  'etcd-snapshot-port-forward': [
    { group: '', resource: 'pods', verbs: ['get', 'list'], namespaced: true, why: 'find the etcd pods' },
    {
      group: '',
      resource: 'pods',
      subresource: 'portforward',
      verbs: ['create'],
      namespaced: true,
      why: "forward to etcd's client port",
    },
    {
      group: '',
      resource: 'secrets',
      verbs: ['get'],
      namespaced: true,
      onlyFor: 'etcd-cert-secret',
      why: 'read the etcd client certificate',
    },
  ],
  // volume-snapshots prune: expired migration snapshots, with their contents. For every namespace
  // (empty `namespace` input), bind the Role's rules through a ClusterRole instead.
  'volume-snapshots-prune': [
    {
      group: SNAP,
      resource: 'volumesnapshots',
      verbs: ['list', 'delete'],
      namespaced: true,
      why: 'find and delete expired snapshots',
    },
    {
      group: SNAP,
      resource: 'volumesnapshotcontents',
      verbs: ['get', 'patch'],
      namespaced: false,
      why: 'let the storage snapshot go with it (deletionPolicy Delete)',
    },
  ],
  'zone-migrate': [
    {
      group: 'apps',
      resource: 'statefulsets',
      verbs: ['get', 'list', 'watch', 'patch'],
      namespaced: true,
      kind: 'kube',
      why: 'read and annotate the workload',
    },
    {
      group: 'apps',
      resource: 'statefulsets',
      subresource: 'scale',
      verbs: ['get', 'update', 'patch'],
      namespaced: true,
      kind: 'kube',
      why: 'scale to zero and back',
    },
    {
      group: 'apps.kruise.io',
      resource: 'statefulsets',
      verbs: ['get', 'list', 'watch', 'patch'],
      namespaced: true,
      kind: 'kruise',
      why: 'read and annotate the workload',
    },
    {
      group: 'apps.kruise.io',
      resource: 'statefulsets',
      subresource: 'scale',
      verbs: ['get', 'update', 'patch'],
      namespaced: true,
      kind: 'kruise',
      why: 'scale to zero and back',
    },
    {
      group: '',
      resource: 'persistentvolumeclaims',
      verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'],
      namespaced: true,
      why: 'staging PVCs and the swap',
    },
    {
      group: SNAP,
      resource: 'volumesnapshots',
      verbs: ['get', 'list', 'watch', 'create', 'delete', 'patch'],
      namespaced: true,
      why: 'snapshot every volume',
    },
    {
      group: '',
      resource: 'pods',
      verbs: ['get', 'list', 'watch'],
      namespaced: true,
      why: 'wait for scale-down and health',
    },
    {
      group: '',
      resource: 'pods',
      subresource: 'exec',
      verbs: ['create'],
      namespaced: true,
      onlyFor: 'verify-command',
      why: 'run the verify command',
    },
    {
      group: '',
      resource: 'configmaps',
      verbs: ['get', 'create', 'update', 'patch', 'delete'],
      namespaced: true,
      why: 'the journal',
    },
    {
      group: '',
      resource: 'events',
      verbs: ['create', 'patch'],
      namespaced: true,
      why: 'record steps as events',
    },
    {
      group: '',
      resource: 'resourcequotas',
      verbs: ['list'],
      namespaced: true,
      why: 'room for the staging PVCs',
    },
    {
      group: 'autoscaling',
      resource: 'horizontalpodautoscalers',
      verbs: ['list'],
      namespaced: true,
      why: 'scalers of the workload',
    },
    {
      group: 'policy',
      resource: 'poddisruptionbudgets',
      verbs: ['list'],
      namespaced: true,
      why: 'budgets selecting the pods',
    },
    {
      group: '',
      resource: 'persistentvolumes',
      verbs: ['get', 'list', 'watch', 'patch', 'update'],
      namespaced: false,
      why: 'Retain, claimRef and zones',
    },
    {
      group: SNAP,
      resource: 'volumesnapshotcontents',
      verbs: ['get', 'list'],
      namespaced: false,
      why: 'snapshot handles',
    },
    {
      group: SNAP,
      resource: 'volumesnapshotclasses',
      verbs: ['get', 'list'],
      namespaced: false,
      why: 'a snapshot class per driver',
    },
    {
      group: '',
      resource: 'nodes',
      verbs: ['get', 'list'],
      namespaced: false,
      why: 'pin staging volumes to a node of the zone',
    },
    {
      group: 'storage.k8s.io',
      resource: 'storageclasses',
      verbs: ['get', 'list', 'create', 'delete'],
      namespaced: false,
      why: 'zone-restricted copies of Immediate classes',
    },
    {
      group: 'storage.k8s.io',
      resource: 'volumeattachments',
      verbs: ['list', 'watch'],
      namespaced: false,
      why: 'wait until volumes are detached',
    },
    {
      group: 'authorization.k8s.io',
      resource: 'selfsubjectaccessreviews',
      verbs: ['create'],
      namespaced: false,
      why: 'check the verbs before starting',
    },
  ],
};

/** The entries that apply to this workload kind. */
export function permissionsFor(action: PermissionAction, kind: WorkloadKind): Permission[] {
  return PERMISSIONS[action].filter((p) => p.kind === undefined || p.kind === kind);
}

/** `create pods/exec`, `patch persistentvolumes`, `list volumesnapshots.snapshot.storage.k8s.io` */
export function describeVerb(p: {
  group: string;
  resource: string;
  subresource?: string;
  verb: string;
}): string {
  const res = `${p.resource}${p.group ? `.${p.group}` : ''}${p.subresource ? `/${p.subresource}` : ''}`;
  return `${p.verb} ${res}`;
}
