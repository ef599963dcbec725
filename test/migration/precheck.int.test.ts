/**
 * The precheck against the real test cluster (test/cluster): real API server, scheduler, StatefulSet
 * controller, CSI provisioner and snapshot CRDs; KWOK nodes in zone-a/b/c. Each StatefulSet's PVCs are
 * created first, pinned to zone-a by the selected-node annotation, so the plan is known in advance.
 */
import { jest } from '@jest/globals';
import { PreconditionFailed } from '../../src/errors.js';
import { inputsFrom } from '../../src/inputs.js';
import { createKubeAccess, type KubeAccess } from '../../src/kube/access.js';
import { k8s } from '../../src/kube/client.js';
import { LABEL_MIGRATION } from '../../src/migration/journal.js';
import { runPrecheck } from '../../src/migration/precheck.js';
import type { PrecheckResult, PrecheckSettings } from '../../src/migration/types.js';
import { RecordingReporter } from '../../src/report.js';
import { run as runAction } from '../../src/actions/migration-precheck.js';
import {
  CSI_DRIVER,
  CSI_TOPOLOGY_KEY,
  createTestNamespace,
  deleteTestNamespace,
  ensureCluster,
  kubeConfig,
  NEVER_READY_LABEL,
  waitFor,
  type ClusterInfo,
} from '../cluster/harness.js';

// Cluster calls and waits: generous per-test limit.
jest.setTimeout(300_000);

let cluster: ClusterInfo;
let admin: KubeAccess;
let ns: string;
const RESTRICTED_NS = 'kubesafe-restricted';

function settingsFor(
  namespace: string,
  name: string,
  targetZones: string[],
  extra: Partial<PrecheckSettings> = {},
): PrecheckSettings {
  return {
    workload: { namespace, name, kind: 'kube' },
    targetZones,
    zoneKey: '',
    snapshotClass: '',
    allowControllers: [],
    ...extra,
  };
}

interface StsOptions {
  replicas?: number;
  whenScaled?: 'Retain' | 'Delete';
  podLabels?: Record<string, string>;
}

/** PVCs first (in zone-a), then the StatefulSet that adopts them; waits for `ready` replicas. */
async function createStatefulSet(
  namespace: string,
  name: string,
  o: StsOptions = {},
  ready = o.replicas ?? 1,
): Promise<void> {
  const replicas = o.replicas ?? 1;
  for (let i = 0; i < replicas; i++) {
    await admin.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: {
          name: `data-${name}-${i}`,
          labels: { app: name },
          annotations: { 'volume.kubernetes.io/selected-node': `kwok-zone-a-${i % 2}` },
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'fake-wffc',
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
  }
  await admin.apps.createNamespacedStatefulSet({
    namespace,
    body: {
      metadata: { name },
      spec: {
        replicas,
        serviceName: name,
        selector: { matchLabels: { app: name } },
        persistentVolumeClaimRetentionPolicy: { whenScaled: o.whenScaled ?? 'Retain', whenDeleted: 'Retain' },
        template: {
          metadata: { labels: { app: name, ...o.podLabels } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'registry.invalid/app:1',
                resources: { requests: { cpu: '100m', memory: '128Mi' } },
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: 'fake-wffc',
              resources: { requests: { storage: '1Gi' } },
            },
          },
        ],
      },
    },
  });
  await waitFor(
    `StatefulSet ${namespace}/${name} with ${ready} ready of ${replicas}`,
    async () => {
      const s = await admin.apps.readNamespacedStatefulSet({ name, namespace });
      const pods = (await admin.core.listNamespacedPod({ namespace, labelSelector: `app=${name}` })).items;
      return (
        s.status?.observedGeneration === s.metadata?.generation &&
        (s.status?.readyReplicas ?? 0) === ready &&
        pods.filter((p) => p.spec?.nodeName).length === replicas
      );
    },
    120_000,
  );
}

/**
 * resourceVersion of every object the precheck could touch: the namespace's kinds, the PVs its
 * claims name, and the storage classes. PVs of other namespaces and the zonal classes of migrations
 * are left out: the other test files create and delete theirs while this one runs.
 */
async function versions(namespace: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const add = (kind: string, items: { metadata?: { name?: string; resourceVersion?: string } }[]) => {
    for (const i of items) out[`${kind}/${i.metadata?.name}`] = i.metadata?.resourceVersion ?? '';
  };
  add('statefulset', (await admin.apps.listNamespacedStatefulSet({ namespace })).items);
  add('pod', (await admin.core.listNamespacedPod({ namespace })).items);
  add('pvc', (await admin.core.listNamespacedPersistentVolumeClaim({ namespace })).items);
  add('configmap', (await admin.core.listNamespacedConfigMap({ namespace })).items);
  add('hpa', (await admin.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace })).items);
  add(
    'pv',
    (await admin.core.listPersistentVolume()).items.filter(
      (pv) => pv.spec?.claimRef?.namespace === namespace,
    ),
  );
  add(
    'storageclass',
    (await admin.storage.listStorageClass()).items.filter((c) => !c.metadata?.labels?.[LABEL_MIGRATION]),
  );
  const snaps = (await admin.custom.listNamespacedCustomObject({
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    namespace,
    plural: 'volumesnapshots',
  })) as { items: { metadata?: { name?: string; resourceVersion?: string } }[] };
  add('volumesnapshot', snaps.items);
  return out;
}

const reasonOf = (r: PrecheckResult, check: string) => r.checks.find((c) => c.check === check)?.reason ?? '';
const failed = (r: PrecheckResult) => r.failures.map((f) => f.check).sort();

beforeAll(async () => {
  cluster = await ensureCluster();
  admin = createKubeAccess(kubeConfig('admin'));
  ns = await createTestNamespace('precheck');
  await createStatefulSet(ns, 'web', { replicas: 3 });
});

afterAll(async () => {
  if (ns) await deleteTestNamespace(ns);
});

describe('migration precheck on the test cluster', () => {
  it('passes a healthy StatefulSet with the expected plan and changes nothing', async () => {
    const before = await versions(ns);
    const result = await runPrecheck(admin, settingsFor(ns, 'web', ['zone-b', 'zone-c']));
    expect(result.failures).toEqual([]);
    expect(result.verdict).toBe('pass');
    expect(result.plan.zoneKey).toBe(CSI_TOPOLOGY_KEY);
    expect(
      result.plan.volumes.map((v) => [
        v.ordinal,
        v.pvc,
        v.sourceZone,
        v.targetZone,
        v.moves,
        v.driver,
        v.snapshotClass,
        v.sizeBytes,
      ]),
    ).toEqual([
      [0, 'data-web-0', 'zone-a', 'zone-b', true, CSI_DRIVER, 'fake-retain', 2 ** 30],
      [1, 'data-web-1', 'zone-a', 'zone-c', true, CSI_DRIVER, 'fake-retain', 2 ** 30],
      [2, 'data-web-2', 'zone-a', 'zone-b', true, CSI_DRIVER, 'fake-retain', 2 ** 30],
    ]);
    for (const v of result.plan.volumes) expect(v.pv).toMatch(/^pvc-/);
    expect(await versions(ns)).toEqual(before);
  });

  it('the action sets the outputs and the summary, from a kubeconfig given as content', async () => {
    const reporter = new RecordingReporter();
    const { readFileSync } = await import('node:fs');
    const content = readFileSync(cluster.kubeconfigAdmin, 'utf8');
    await runAction(
      inputsFrom({ namespace: ns, statefulset: 'web', 'target-zones': 'zone-c', kubeconfig: content }),
      reporter,
      {},
    );
    // Compared as a boolean so that a failure does not print the key. Inputs are trimmed.
    expect(reporter.secrets.includes(content.trim())).toBe(true);
    expect(reporter.outputs.verdict).toBe('pass');
    expect(JSON.parse(reporter.outputs.failures!)).toEqual([]);
    const plan = JSON.parse(reporter.outputs.plan!) as PrecheckResult['plan'];
    expect(plan.volumes.map((v) => v.targetZone)).toEqual(['zone-c', 'zone-c', 'zone-c']);
    expect(reporter.summaries[0]).toContain('| data-web-0 |');
  });

  it('fails a StatefulSet whose pods never become Ready', async () => {
    await createStatefulSet(ns, 'stuck', { podLabels: { [NEVER_READY_LABEL]: 'true' } }, 0);
    const result = await runPrecheck(admin, settingsFor(ns, 'stuck', ['zone-b']));
    expect(failed(result)).toEqual(['readiness']);
    expect(reasonOf(result, 'readiness')).toBe('0 of 1 replicas are ready; not ready: stuck-0');
  });

  it('fails when whenScaled is Delete', async () => {
    await createStatefulSet(ns, 'shrinks', { whenScaled: 'Delete' });
    const result = await runPrecheck(admin, settingsFor(ns, 'shrinks', ['zone-b']));
    expect(failed(result)).toEqual(['retention-policy']);
    expect(reasonOf(result, 'retention-policy')).toContain('whenScaled is Delete');
  });

  it('fails when every node of a target zone is cordoned, and passes again once they are not', async () => {
    const nodes = ['kwok-zone-c-0', 'kwok-zone-c-1'];
    const cordon = (unschedulable: boolean) =>
      Promise.all(
        nodes.map((name) =>
          admin.core.patchNode(
            { name, body: [{ op: 'replace', path: '/spec/unschedulable', value: unschedulable }] },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch),
          ),
        ),
      );
    await cordon(true);
    let result: PrecheckResult;
    try {
      result = await runPrecheck(admin, settingsFor(ns, 'web', ['zone-b', 'zone-c']));
    } finally {
      await cordon(false);
    }
    expect(failed(result)).toEqual(['target-nodes']);
    expect(reasonOf(result, 'target-nodes')).toBe(
      'zone zone-c has no Ready, schedulable node the pod template allows (kwok-zone-c-0: cordoned, kwok-zone-c-1: cordoned)',
    );
    expect((await runPrecheck(admin, settingsFor(ns, 'web', ['zone-b', 'zone-c']))).verdict).toBe('pass');
  });

  it('fails when the named snapshot class does not exist', async () => {
    const result = await runPrecheck(
      admin,
      settingsFor(ns, 'web', ['zone-b'], { snapshotClass: 'no-such-class' }),
    );
    expect(failed(result)).toEqual(['snapshot-class']);
    expect(reasonOf(result, 'snapshot-class')).toMatch(
      /^snapshot class no-such-class does not exist \(classes: .*fake-retain/,
    );
  });

  it('fails an unknown zone, listing the zones that have nodes', async () => {
    const result = await runPrecheck(admin, settingsFor(ns, 'web', ['zone-b', 'zone-x']));
    expect(failed(result)).toEqual(['zones']);
    expect(reasonOf(result, 'zones')).toBe(
      'target-zones: "zone-x" has no node; zones with nodes: zone-a, zone-b, zone-c',
    );
  });

  it('fails while an HPA scales the StatefulSet, unless allowed', async () => {
    await admin.autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web' },
          minReplicas: 3,
          maxReplicas: 3,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
            },
          ],
        },
      },
    });
    try {
      const result = await runPrecheck(admin, settingsFor(ns, 'web', ['zone-b']));
      expect(failed(result)).toEqual(['controllers']);
      expect(reasonOf(result, 'controllers')).toMatch(
        /^HorizontalPodAutoscaler web \(allow with allow-controllers: hpa\/web\)/,
      );
      expect(
        (await runPrecheck(admin, settingsFor(ns, 'web', ['zone-b'], { allowControllers: ['hpa/web'] })))
          .verdict,
      ).toBe('pass');

      // Several at once: the HPA, an unknown zone and a missing snapshot class, all in one error.
      const reporter = new RecordingReporter();
      const run = runAction(
        inputsFrom({
          namespace: ns,
          statefulset: 'web',
          'target-zones': 'zone-b,zone-x',
          'snapshot-class': 'no-such-class',
          kubeconfig: cluster.kubeconfigAdmin,
        }),
        reporter,
        {},
      );
      await expect(run).rejects.toThrow(PreconditionFailed);
      const message = await run.catch((e: Error) => e.message);
      expect(message).toContain('failed 3 checks');
      expect(message).toContain('controllers: HorizontalPodAutoscaler web');
      expect(message).toContain('zones: target-zones: "zone-x" has no node');
      expect(message).toContain('snapshot-class: snapshot class no-such-class does not exist');
      expect(reporter.outputs.verdict).toBe('fail');
      expect(
        JSON.parse(reporter.outputs.failures!)
          .map((f: { check: string }) => f.check)
          .sort(),
      ).toEqual(['controllers', 'snapshot-class', 'zones']);
    } finally {
      await admin.autoscaling.deleteNamespacedHorizontalPodAutoscaler({ name: 'web', namespace: ns });
    }
  });

  it('lists the verbs the restricted identity lacks, with their resources', async () => {
    const name = `rs-${Date.now().toString(36)}`;
    await createStatefulSet(RESTRICTED_NS, name);
    try {
      const before = await versions(RESTRICTED_NS);
      const restricted = createKubeAccess(kubeConfig('restricted'));
      const result = await runPrecheck(restricted, settingsFor(RESTRICTED_NS, name, ['zone-b']));
      expect(result.verdict).toBe('fail');
      const perms = reasonOf(result, 'permissions');
      for (const verb of [
        'patch statefulsets.apps in kubesafe-restricted',
        'update statefulsets.apps/scale in kubesafe-restricted',
        'create persistentvolumeclaims in kubesafe-restricted',
        'create volumesnapshots.snapshot.storage.k8s.io in kubesafe-restricted',
        'create configmaps in kubesafe-restricted',
        'patch persistentvolumes (cluster)',
        'create storageclasses.storage.k8s.io (cluster)',
        'list volumeattachments.storage.k8s.io (cluster)',
      ]) {
        expect(perms).toContain(verb);
      }
      expect(perms).not.toContain('get statefulsets.apps in');
      expect(perms).not.toContain('list persistentvolumes');
      // What it may not read is a failure of the check that needed it, not a crash.
      expect(reasonOf(result, 'quota')).toMatch(/cannot read resourcequotas \(HTTP 403/);
      expect(reasonOf(result, 'controllers')).toMatch(/cannot read horizontalpodautoscalers \(HTTP 403/);
      expect(result.plan.volumes.map((v) => [v.pvc, v.sourceZone, v.targetZone])).toEqual([
        [`data-${name}-0`, 'zone-a', 'zone-b'],
      ]);
      expect(await versions(RESTRICTED_NS)).toEqual(before);
    } finally {
      await admin.apps.deleteNamespacedStatefulSet({ name, namespace: RESTRICTED_NS });
      await admin.core.deleteNamespacedPersistentVolumeClaim({
        name: `data-${name}-0`,
        namespace: RESTRICTED_NS,
      });
    }
  });
});
