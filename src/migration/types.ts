/** Shared shapes of the precheck and the migration. The planner and the checks are pure over these. */

export type WorkloadKind = 'kube' | 'kruise';

export interface WorkloadRef {
  namespace: string;
  name: string;
  kind: WorkloadKind;
}

/** Inputs shared by the precheck and the migration, parsed and validated once. */
export interface PrecheckSettings {
  workload: WorkloadRef;
  /** Ordered. */
  targetZones: string[];
  /** Empty: detect from the PVs' nodeAffinity keys. */
  zoneKey: string;
  /** Empty: the class for each PVC's driver, the default-annotated one first. */
  snapshotClass: string;
  allowControllers: string[];
}

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  reason: string;
}

export interface PlannedVolume {
  ordinal: number;
  pvc: string;
  pv: string;
  sizeBytes: number;
  driver: string;
  sourceZone: string;
  targetZone: string;
  snapshotClass: string;
  /** False when the volume is already in a target zone and stays. */
  moves: boolean;
}

export interface MigrationPlan {
  workload: WorkloadRef;
  zoneKey: string;
  replicas: number;
  volumes: PlannedVolume[];
  /** Labelled as an estimate wherever it is shown. */
  estimatedDowntimeSeconds: number;
}

export interface PrecheckResult {
  verdict: 'pass' | 'fail';
  checks: CheckResult[];
  plan: MigrationPlan;
  failures: { check: string; reason: string }[];
}

// ---- The cluster view: plain data read once (src/kube/read.ts), the only input of the checks. ----
// Shapes are the subset of the Kubernetes JSON (camelCase, as client-node returns it) the checks use,
// so fixtures in tests are written like manifests.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; controller?: boolean }[];
  deletionTimestamp?: unknown;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  topologyKey: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelector;
}

export type ResourceList = Record<string, string | number>;

export interface Container {
  name: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
    };
    podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] };
    podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] };
  };
  tolerations?: Toleration[];
  topologySpreadConstraints?: TopologySpreadConstraint[];
  containers: Container[];
  initContainers?: Container[];
  overhead?: ResourceList;
}

export interface PodView {
  metadata: ObjectMeta;
  spec?: PodSpec;
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export interface ClaimTemplate {
  metadata?: { name?: string };
  spec?: { storageClassName?: string; resources?: { requests?: ResourceList } };
}

/** apps/v1 StatefulSet or apps.kruise.io/v1beta1 StatefulSet (Kruise adds reserveOrdinals and paused). */
export interface StatefulSetView {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    podManagementPolicy?: string;
    ordinals?: { start?: number };
    /** Kruise: ordinals skipped when counting replicas; ints or "a-b" ranges. */
    reserveOrdinals?: (number | string)[];
    updateStrategy?: { type?: string; rollingUpdate?: { paused?: boolean; partition?: number } };
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
    template?: { metadata?: ObjectMeta; spec?: PodSpec };
    volumeClaimTemplates?: ClaimTemplate[];
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

export interface PvcView {
  metadata: ObjectMeta;
  spec?: { storageClassName?: string; volumeName?: string; resources?: { requests?: ResourceList } };
  status?: { phase?: string; capacity?: ResourceList };
}

export interface PvView {
  metadata: ObjectMeta;
  spec?: {
    capacity?: ResourceList;
    csi?: { driver: string; volumeHandle: string };
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    claimRef?: { namespace?: string; name?: string; uid?: string };
    nodeAffinity?: { required?: { nodeSelectorTerms: NodeSelectorTerm[] } };
  };
  status?: { phase?: string };
}

export interface NodeView {
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[] };
  status?: { allocatable?: ResourceList; conditions?: { type: string; status: string }[] };
}

export interface StorageClassView {
  metadata: ObjectMeta;
  provisioner: string;
  volumeBindingMode?: string;
  allowedTopologies?: { matchLabelExpressions?: { key: string; values: string[] }[] }[];
}

export interface SnapshotClassView {
  metadata: ObjectMeta;
  driver: string;
  deletionPolicy?: string;
}

export interface ResourceQuotaView {
  metadata: ObjectMeta;
  status?: { hard?: ResourceList; used?: ResourceList };
  spec?: { hard?: ResourceList };
}

export interface ScalerView {
  kind: 'HorizontalPodAutoscaler' | 'ScaledObject';
  name: string;
  targetKind: string;
  targetName: string;
  targetApiVersion?: string;
}

export interface PdbView {
  metadata: ObjectMeta;
  spec?: { selector?: LabelSelector; minAvailable?: number | string; maxUnavailable?: number | string };
}

/** One SelfSubjectAccessReview: what was asked and whether it is allowed. */
export interface AccessCheck {
  group: string;
  resource: string;
  subresource?: string;
  verb: string;
  namespace?: string;
  allowed: boolean;
  /** Why the permission is needed when only some runs need it (e.g. `verify-command`). */
  onlyFor?: string;
}

/** Everything the precheck reads, once. A list it could not read is named in `unreadable` with the reason. */
export interface ClusterView {
  workload?: StatefulSetView;
  /** Why the workload could not be read, when it could not (not found, CRD not served, forbidden). */
  workloadError?: string;
  /** The workload's own pods (by its selector). */
  pods: PodView[];
  /** Pods on any node in the cluster that are not the workload's: they use node capacity. */
  otherPods: PodView[];
  pvcs: PvcView[];
  pvs: PvView[];
  nodes: NodeView[];
  storageClasses: StorageClassView[];
  snapshotClasses: SnapshotClassView[];
  /** snapshot.storage.k8s.io/v1 is served. */
  snapshotApiServed: boolean;
  resourceQuotas: ResourceQuotaView[];
  /** HPAs and KEDA ScaledObjects in the namespace. */
  scalers: ScalerView[];
  /** False when the KEDA CRD is absent (not an error). */
  kedaServed: boolean;
  pdbs: PdbView[];
  access: AccessCheck[];
  /** Lists that could not be read: name -> reason (e.g. "HTTP 403: forbidden"). */
  unreadable: Record<string, string>;
}
