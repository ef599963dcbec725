/**
 * Test harness for kubesafe's test Kubernetes cluster (test/cluster/README.md).
 *
 * `ensureCluster()` starts the cluster with test/cluster/up.sh unless a healthy one is running
 * (up.sh itself reuses a healthy cluster and serialises concurrent callers with a lock), and
 * returns where things are. The other helpers reach the fake CSI driver's volumes and fault knobs,
 * KWOK's zone knob, and make per-test namespaces.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');

export interface ClusterInfo {
  kubeconfigAdmin: string;
  kubeconfigRestricted: string;
  stateDir: string;
  csiControlUrl: string;
  volumesDir: string;
}

/** The fake CSI driver's fault knobs (POST /faults merges, DELETE /faults resets). */
export interface CsiFaults {
  /** CreateSnapshot fails (gRPC INTERNAL) for new snapshots. */
  snapshotFail?: boolean;
  /** Snapshots stay readyToUse=false. */
  snapshotNeverReady?: boolean;
  /** CreateVolume from a snapshot fails (INTERNAL). */
  restoreFail?: boolean;
  /** Every CreateVolume of a new volume fails (INTERNAL). */
  createVolumeFail?: boolean;
  /** DeleteVolume fails (INTERNAL). */
  deleteVolumeFail?: boolean;
  /** Go duration per GiB of the source volume: time until a snapshot is ready, and a restore's duration. */
  latencyPerGiB?: string;
  /** Per-zone disk capacity override in bytes, e.g. {'zone-b': 0}; null clears all overrides. */
  zoneCapacityBytes?: Record<string, number> | null;
}

export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;
export const CSI_DRIVER = 'fake.csi.kubesafe.dev';
export const CSI_TOPOLOGY_KEY = 'topology.fake.csi.kubesafe.dev/zone';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Pod label: the pod runs but never becomes Ready. */
export const NEVER_READY_LABEL = 'fault.kubesafe.dev/never-ready';
/** Pod annotation: every container's restartCount becomes this number. */
export const RESTART_COUNT_ANNOTATION = 'fault.kubesafe.dev/restart-count';

export function stateDir(): string {
  return process.env.KUBESAFE_CLUSTER_DIR ?? path.join(repoRoot, '.kubesafe-cluster');
}

/** The cluster's env file (.kubesafe-cluster/env) as a map. */
export function clusterEnv(): Record<string, string> {
  const file = path.join(stateDir(), 'env');
  const env: Record<string, string> = {};
  if (!existsSync(file)) return env;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

let ensured: Promise<ClusterInfo> | undefined;

/**
 * Starts the cluster (test/cluster/up.sh) unless a healthy one runs, and returns its places.
 * The first call on a machine without the binaries builds them (minutes); later calls take < 1 s.
 */
export function ensureCluster(): Promise<ClusterInfo> {
  ensured ??= new Promise<ClusterInfo>((resolve, reject) => {
    execFile(
      'bash',
      [path.join(repoRoot, 'test/cluster/up.sh')],
      { cwd: repoRoot, timeout: 60 * 60 * 1000, maxBuffer: 16 << 20, env: { ...process.env } },
      (err, _stdout, stderr) => {
        if (err) {
          ensured = undefined;
          reject(new Error(`test/cluster/up.sh failed: ${err.message}\n${stderr}`));
          return;
        }
        const dir = stateDir();
        resolve({
          kubeconfigAdmin: path.join(dir, 'admin.kubeconfig'),
          kubeconfigRestricted: path.join(dir, 'restricted.kubeconfig'),
          stateDir: dir,
          csiControlUrl: readFileSync(path.join(dir, 'csi-control-url'), 'utf8').trim(),
          volumesDir: path.join(dir, 'volumes'),
        });
      },
    );
  });
  return ensured;
}

/** A KubeConfig for the admin (cluster-admin) or the restricted identity. */
export function kubeConfig(who: 'admin' | 'restricted' = 'admin'): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(path.join(stateDir(), `${who}.kubeconfig`));
  return kc;
}

function safeJoin(base: string, rel: string): string {
  const p = path.resolve(base, rel);
  if (p !== base && !p.startsWith(base + path.sep)) throw new Error(`path escapes ${base}: ${rel}`);
  return p;
}

/** The directory that holds a volume's data: .kubesafe-cluster/volumes/<handle>/. */
export function volumeDir(handle: string): string {
  return safeJoin(path.join(stateDir(), 'volumes'), handle);
}

export async function readVolumeFile(handle: string, relPath: string): Promise<string> {
  return readFile(safeJoin(volumeDir(handle), relPath), 'utf8');
}

export async function writeVolumeFile(handle: string, relPath: string, data: string | Uint8Array): Promise<void> {
  const dir = volumeDir(handle);
  if (!existsSync(dir)) throw new Error(`volume ${handle} does not exist (${dir})`);
  const file = safeJoin(dir, relPath);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
}

function controlUrl(): string {
  return readFileSync(path.join(stateDir(), 'csi-control-url'), 'utf8').trim();
}

async function control(method: string, p: string, body?: unknown): Promise<unknown> {
  const res = await fetch(controlUrl() + p, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`fake CSI ${method} ${p}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Merges the given knobs into the fake CSI driver's faults; returns all knobs. */
export async function setCsiFaults(faults: CsiFaults): Promise<CsiFaults> {
  return (await control('POST', '/faults', faults)) as CsiFaults;
}

export async function resetCsiFaults(): Promise<void> {
  await control('DELETE', '/faults');
}

export interface CsiState {
  volumes: Record<string, { id: string; name: string; zone: string; capacityBytes: number; sourceSnapshotId?: string }>;
  snapshots: Record<string, { id: string; name: string; sourceVolumeId: string; sourceZone: string; sizeBytes: number; readyToUse: boolean }>;
  zoneUsedBytes: Record<string, number>;
  zoneCapacity: Record<string, number>;
}

/** The fake CSI driver's volumes (with their zones) and snapshots. */
export async function getCsiState(): Promise<CsiState> {
  return (await control('GET', '/state')) as CsiState;
}

const ZONE_EXPR = /\(\[[^\]]*\]\) as \$neverReadyZones/g;

/**
 * Pods that KWOK starts from now on on the nodes of these zones never become Ready (they run with
 * Ready=False). `setZoneNeverReady([])` clears it. Pods already Ready keep their state until
 * their next change.
 */
export async function setZoneNeverReady(zones: string[]): Promise<void> {
  const api = kubeConfig().makeApiClient(k8s.CustomObjectsApi);
  const lit = `(${JSON.stringify(zones)}) as $neverReadyZones`;
  for (const name of ['pod-ready', 'pod-not-ready']) {
    const stage = (await api.getClusterCustomObject({ group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'stages', name })) as {
      spec: { selector: { matchExpressions: { key?: string }[] } };
    };
    for (const e of stage.spec.selector.matchExpressions) {
      if (e.key) e.key = e.key.replace(ZONE_EXPR, lit);
    }
    await api.replaceClusterCustomObject({ group: 'kwok.x-k8s.io', version: 'v1alpha1', plural: 'stages', name, body: stage });
  }
}

/** Polls `fn` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Creates a namespace with a unique name and waits for its default service account. */
export async function createTestNamespace(prefix: string): Promise<string> {
  const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
  const name = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`.toLowerCase().slice(0, 63);
  await core.createNamespace({ body: { metadata: { name, labels: { 'kubesafe.dev/test': 'true' } } } });
  await waitFor(`service account default in ${name}`, () => core.readNamespacedServiceAccount({ name: 'default', namespace: name }), 30_000);
  return name;
}

/**
 * Deletes a test namespace and waits until it is gone (its pods, PVCs and snapshots are removed by
 * the controllers while they run; PVs with reclaimPolicy Delete go with their volumes).
 */
export async function deleteTestNamespace(name: string, timeoutMs = 90_000): Promise<void> {
  const core = kubeConfig().makeApiClient(k8s.CoreV1Api);
  try {
    await core.deleteNamespace({ name });
  } catch (e) {
    if ((e as { code?: number }).code === 404) return;
    throw e;
  }
  await waitFor(
    `namespace ${name} to go`,
    async () => {
      try {
        await core.readNamespace({ name });
        return false;
      } catch (e) {
        return (e as { code?: number }).code === 404;
      }
    },
    timeoutMs,
    500,
  );
}

/** The zone a PV is pinned to by its node affinity (the driver's topology key). */
export function pvZone(pv: k8s.V1PersistentVolume): string | undefined {
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      if (e.key === CSI_TOPOLOGY_KEY && e.operator === 'In' && e.values?.length === 1) return e.values[0];
    }
  }
  return undefined;
}
