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
