/**
 * zone-migrate against the test cluster (test/cluster/): real API server, controllers, scheduler,
 * external-provisioner, csi-snapshotter and snapshot-controller; KWOK nodes; the fake zonal CSI
 * driver, whose volume files show the data. The precheck and pods/exec are stand-ins (fixtures.ts).
 */
import { jest } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { runMigration } from '../../src/actions/zone-migrate.js';
import { errorMessage } from '../../src/errors.js';
import { inputsFrom } from '../../src/inputs.js';
import type { Journal } from '../../src/migration/journal.js';
import { defaultPrecheck } from '../../src/migration/precheck-port.js';
import { RecordingReporter } from '../../src/report.js';
import {
  createTestNamespace,
  ensureCluster,
  getCsiState,
  resetCsiFaults,
  setCsiFaults,
  setZoneNeverReady,
  stateDir,
} from '../cluster/harness.js';
import {
  api,
  cleanupNamespace,
  createStatefulSet,
  podZones,
  readData,
  resourceVersions,
  standInExecReadingVolumeFiles,
  standInPrecheckFromCluster,
  volumeState,
  writeData,
  type VolumeState,
} from './fixtures.js';

jest.setTimeout(300_000);

const namespaces: string[] = [];

beforeAll(
  async () => {
    await ensureCluster();
  },
  60 * 60 * 1000,
);

afterEach(async () => {
  await resetCsiFaults();
  await setZoneNeverReady([]);
});

afterAll(async () => {
  for (const ns of namespaces) await cleanupNamespace(ns);
});

async function namespace(prefix: string): Promise<string> {
  const ns = await createTestNamespace(prefix);
  namespaces.push(ns);
  return ns;
}

/** Fast settings for the test cluster; each test overrides what it is about. */
function inputs(ns: string, name: string, extra: Record<string, string> = {}) {
  return {
    namespace: ns,
    statefulset: name,
    'target-zones': 'zone-b',
    kubeconfig: `${stateDir()}/admin.kubeconfig`,
    'check-interval': '1s',
    'max-failed-checks': '5',
    'step-timeout': '30s',
    ...extra,
  };
}

async function migrate(values: Record<string, string>, precheck: 'stand-in' | 'real' = 'stand-in') {
  const reporter = new RecordingReporter();
  let error: string | undefined;
  try {
    await runMigration(inputsFrom(values), reporter, {
      precheck: (kc) => (precheck === 'real' ? defaultPrecheck(kc) : standInPrecheckFromCluster()),
      exec: () => standInExecReadingVolumeFiles(),
    });
  } catch (err) {
    error = errorMessage(err);
  }
  const journal = reporter.outputs.journal ? (JSON.parse(reporter.outputs.journal) as Journal) : undefined;
  return { reporter, outputs: reporter.outputs, journal, error };
}

async function volumes(ns: string, name: string, replicas: number): Promise<VolumeState[]> {
  return Promise.all(Array.from({ length: replicas }, (_, i) => volumeState(ns, `data-${name}-${i}`)));
}

/** The rollback outcome every fault test checks: source volumes, source zone, same data, replicas. */
async function expectRolledBack(
  ns: string,
  name: string,
  before: VolumeState[],
  data: Record<string, string>,
  result: Awaited<ReturnType<typeof migrate>>,
) {
  expect(result.outputs.result).toBe('rolled-back');
  const { apps } = api();
  const sts = await apps.readNamespacedStatefulSet({ name, namespace: ns });
  expect(sts.spec?.replicas).toBe(before.length);
  expect(sts.status?.readyReplicas).toBe(before.length);
  const after = await volumes(ns, name, before.length);
  for (let i = 0; i < before.length; i++) {
    expect(after[i]!.pv).toBe(before[i]!.pv); // the source volume, under the same PVC name
    expect(after[i]!.zone).toBe(before[i]!.zone);
    expect(after[i]!.reclaimPolicy).toBe(before[i]!.reclaimPolicy);
    expect(await readData(ns, after[i]!.pvc)).toBe(data[after[i]!.pvc]);
  }
  const zones = await podZones(ns, name);
  for (let i = 0; i < before.length; i++) expect(zones[`${name}-${i}`]).toBe(before[i]!.zone);
  expect(result.journal?.status).toBe('rolled-back');
  expect(result.journal?.rollback?.reason).toBeTruthy();
  // Staging objects removed; snapshots kept for inspection.
  const { core } = api();
  const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace: ns })).items.map(
    (c) => c.metadata!.name,
  );
  expect(claims.sort()).toEqual(before.map((v) => v.pvc).sort());
}

describe('zone-migrate', () => {
  test('moves 3 replicas to one target zone with identical files, same PVC names, source disks kept', async () => {
    const ns = await namespace('mig-one');
    await createStatefulSet(ns, 'db', { replicas: 3, zones: ['zone-a', 'zone-a', 'zone-a'] });
    const before = await volumes(ns, 'db', 3);
    const data = await writeData(ns, 'db', 3);

    const r = await migrate(inputs(ns, 'db', { 'verify-command': 'cat /data/data.txt' }));
    expect(r.error).toBeUndefined();
    expect(r.outputs.result).toBe('migrated');
    expect(Number(r.outputs.downtime)).toBeGreaterThan(0);

    const after = await volumes(ns, 'db', 3);
    const csi = await getCsiState();
    for (let i = 0; i < 3; i++) {
      expect(after[i]!.pvc).toBe(`data-db-${i}`);
      expect(after[i]!.pv).not.toBe(before[i]!.pv);
      expect(after[i]!.zone).toBe('zone-b');
      expect(after[i]!.reclaimPolicy).toBe('Delete'); // the class's policy, restored at finalize
      expect(await readData(ns, `data-db-${i}`)).toBe(data[`data-db-${i}`]);
      // The source disk is still there, its PV kept with Retain.
      expect(csi.volumes[before[i]!.handle]?.zone).toBe('zone-a');
      const src = await api().core.readPersistentVolume({ name: before[i]!.pv });
      expect(src.spec?.persistentVolumeReclaimPolicy).toBe('Retain');
    }
    expect(Object.values(await podZones(ns, 'db'))).toEqual(['zone-b', 'zone-b', 'zone-b']);
    // Snapshots labelled with their expiry.
    const snaps = (await api().custom.listNamespacedCustomObject({
      group: 'snapshot.storage.k8s.io',
      version: 'v1',
      namespace: ns,
      plural: 'volumesnapshots',
    })) as {
      items: k8s.KubernetesObject[];
    };
    expect(snaps.items).toHaveLength(3);
    for (const s of snaps.items)
      expect(Date.parse(s.metadata!.annotations!['kubesafe.dev/expires-at']!)).toBeGreaterThan(Date.now());
    expect(r.journal?.status).toBe('migrated');
    // The rollback plan, published for a later job.
    expect(JSON.parse(r.reporter.artifacts[`kubesafe-migration-journal-${ns}-db-run`]!)).toEqual(r.journal);
    expect(r.reporter.summaries.join('\n')).toContain('```mermaid');
    // Kubernetes Events on the workload, one pair per step.
    const events = (
      await api().core.listNamespacedEvent({
        namespace: ns,
        fieldSelector: 'involvedObject.name=db,involvedObject.kind=StatefulSet',
      })
    ).items;
    const ours = events.filter((e) => e.source?.component === 'kubesafe').map((e) => e.message ?? '');
    for (const step of [
      'retain',
      'scale-down',
      'snapshot',
      'stage',
      'swap',
      'scale-up',
      'verify',
      'finalize',
    ]) {
      expect(ours.some((m) => m.startsWith(`${step}: done`))).toBe(true);
    }

    // A second migration of the same workload now finds every volume in place.
    const again = await migrate(inputs(ns, 'db'));
    expect(again.outputs.result).toBe('migrated');
    expect((await volumes(ns, 'db', 3)).map((v) => v.pv)).toEqual(after.map((v) => v.pv));
  });

  test('spreads volumes over two target zones as planned; a volume already in one stays', async () => {
    const ns = await namespace('mig-two');
    await createStatefulSet(ns, 'db', { replicas: 3, zones: ['zone-a', 'zone-c', 'zone-a'] });
    const before = await volumes(ns, 'db', 3);
    const data = await writeData(ns, 'db', 3);
    const plan = (
      await standInPrecheckFromCluster()({
        workload: { namespace: ns, name: 'db', kind: 'kube' },
        targetZones: ['zone-b', 'zone-c'],
        zoneKey: '',
        snapshotClass: '',
        allowControllers: [],
      })
    ).plan;

    const r = await migrate(inputs(ns, 'db', { 'target-zones': 'zone-b,zone-c' }));
    expect(r.outputs.result).toBe('migrated');
    const after = await volumes(ns, 'db', 3);
    for (let i = 0; i < 3; i++) {
      expect(after[i]!.zone).toBe(plan.volumes[i]!.targetZone);
      expect(await readData(ns, `data-db-${i}`)).toBe(data[`data-db-${i}`]);
    }
    expect(after.map((v) => v.zone)).toEqual(['zone-b', 'zone-c', 'zone-c']);
    expect(after[1]!.pv).toBe(before[1]!.pv); // already in zone-c: not moved
    expect(after[1]!.pvcUid).toBe(before[1]!.pvcUid);
  });

  test('an Immediate class is pinned through a zone-restricted copy, removed afterwards', async () => {
    const ns = await namespace('mig-imm');
    const { kc } = api();
    const storage = kc.makeApiClient(k8s.StorageV1Api);
    const cls = `${ns}-imm`;
    await storage.createStorageClass({
      body: {
        metadata: { name: cls },
        provisioner: 'fake.csi.kubesafe.dev',
        volumeBindingMode: 'Immediate',
        reclaimPolicy: 'Delete',
        allowedTopologies: [
          { matchLabelExpressions: [{ key: 'topology.fake.csi.kubesafe.dev/zone', values: ['zone-a'] }] },
        ],
      },
    });
    try {
      await createStatefulSet(ns, 'db', { replicas: 2, zones: ['zone-a', 'zone-a'], storageClass: cls });
      const before = await volumes(ns, 'db', 2);
      expect(before.map((v) => v.zone)).toEqual(['zone-a', 'zone-a']);
      const data = await writeData(ns, 'db', 2);
      const r = await migrate(inputs(ns, 'db'));
      expect(r.error).toBeUndefined();
      expect(r.outputs.result).toBe('migrated');
      const after = await volumes(ns, 'db', 2);
      for (let i = 0; i < 2; i++) {
        expect(after[i]!.zone).toBe('zone-b');
        expect(await readData(ns, `data-db-${i}`)).toBe(data[`data-db-${i}`]);
        const claim = await api().core.readNamespacedPersistentVolumeClaim({
          name: `data-db-${i}`,
          namespace: ns,
        });
        expect(claim.spec?.storageClassName).toBe(cls);
      }
      const classes = (await storage.listStorageClass()).items.map((c) => c.metadata!.name!);
      expect(classes.filter((c) => c.startsWith(`${cls}-zone-b`))).toEqual([]);
    } finally {
      await storage.deleteStorageClass({ name: cls }).catch(() => undefined);
    }
  });

  test('runs with the real precheck: its plan is what moves', async () => {
    const ns = await namespace('mig-real');
    await createStatefulSet(ns, 'db', { replicas: 2, zones: ['zone-a', 'zone-c'] });
    const before = await volumes(ns, 'db', 2);
    const data = await writeData(ns, 'db', 2);
    const r = await migrate(inputs(ns, 'db', { 'target-zones': 'zone-b,zone-c' }), 'real');
    expect(r.error).toBeUndefined();
    expect(r.outputs.result).toBe('migrated');
    const after = await volumes(ns, 'db', 2);
    expect(after.map((v) => v.zone)).toEqual(['zone-b', 'zone-c']);
    expect(after[1]!.pv).toBe(before[1]!.pv);
    for (let i = 0; i < 2; i++) expect(await readData(ns, `data-db-${i}`)).toBe(data[`data-db-${i}`]);
    // A real precheck failure refuses before any change.
    const rv = await resourceVersions(ns, 'db');
    const refused = await migrate(inputs(ns, 'db', { 'target-zones': 'zone-x' }), 'real');
    expect(refused.error).toMatch(/precheck failed; nothing was changed/);
    expect(await resourceVersions(ns, 'db')).toEqual(rv);
  });

  test('dry-run and a failed precheck change nothing', async () => {
    const ns = await namespace('mig-dry');
    await createStatefulSet(ns, 'db', { replicas: 2, zones: ['zone-a', 'zone-a'] });
    const rv = await resourceVersions(ns, 'db');
    const dry = await migrate(inputs(ns, 'db', { 'dry-run': 'true' }));
    expect(dry.outputs.result).toBe('planned');
    const failed = await migrate(inputs(ns, 'db', { 'target-zones': 'zone-x' }));
    expect(failed.error).toMatch(/precheck failed; nothing was changed[\s\S]*zone-x/);
    expect(await resourceVersions(ns, 'db')).toEqual(rv);
  });

  test('delete-source-volumes deletes the source disks only after verification passed', async () => {
    const ns = await namespace('mig-del');
    await createStatefulSet(ns, 'db', { replicas: 2, zones: ['zone-a', 'zone-a'] });
    const before = await volumes(ns, 'db', 2);
    const data = await writeData(ns, 'db', 2);
    const r = await migrate(inputs(ns, 'db', { 'delete-source-volumes': 'true' }));
    expect(r.outputs.result).toBe('migrated');
    const j = r.journal!;
    // Verification finished before finalize, which deleted the sources, began.
    expect(Date.parse(j.steps.verify.finishedAt!)).toBeLessThanOrEqual(
      Date.parse(j.steps.finalize.startedAt!),
    );
    const csi = await getCsiState();
    for (const v of before) {
      expect(csi.volumes[v.handle]).toBeUndefined();
      await expect(api().core.readPersistentVolume({ name: v.pv })).rejects.toMatchObject({ code: 404 });
    }
    for (let i = 0; i < 2; i++) expect(await readData(ns, `data-db-${i}`)).toBe(data[`data-db-${i}`]);

    // With a failure before verification passes, nothing is deleted.
    const ns2 = await namespace('mig-del2');
    await createStatefulSet(ns2, 'db', { replicas: 2, zones: ['zone-a', 'zone-a'] });
    const before2 = await volumes(ns2, 'db', 2);
    const data2 = await writeData(ns2, 'db', 2);
    await setZoneNeverReady(['zone-b']);
    const r2 = await migrate(
      inputs(ns2, 'db', { 'delete-source-volumes': 'true', 'max-failed-checks': '3' }),
    );
    await setZoneNeverReady([]);
    await expectRolledBack(ns2, 'db', before2, data2, r2);
    const csi2 = await getCsiState();
    for (const v of before2) expect(csi2.volumes[v.handle]).toBeDefined();
  });

  describe('rolls back to the source volumes', () => {
    const faults: [string, () => Promise<void>, Record<string, string>, RegExp][] = [
      [
        'when the snapshot fails',
        () => setCsiFaults({ snapshotFail: true }).then(() => undefined),
        { 'step-timeout': '15s' },
        /snapshot/,
      ],
      [
        'when the restore fails',
        () => setCsiFaults({ restoreFail: true }).then(() => undefined),
        { 'step-timeout': '15s' },
        /stage/,
      ],
      [
        'when the target zone is out of capacity',
        () => setCsiFaults({ zoneCapacityBytes: { 'zone-b': 0 } }).then(() => undefined),
        { 'step-timeout': '15s' },
        /stage/,
      ],
      [
        'when the pods never become Ready',
        () => setZoneNeverReady(['zone-b']),
        { 'max-failed-checks': '3' },
        /verify/,
      ],
      [
        'when the verify-command output differs (stand-in exec)',
        async () => undefined,
        { 'verify-command': 'zone' },
        /verify-command output differs/,
      ],
    ];
    test.each(faults)('%s', async (_name, inject, extra, where) => {
      const ns = await namespace('mig-fault');
      await createStatefulSet(ns, 'db', { replicas: 2, zones: ['zone-a', 'zone-a'] });
      const before = await volumes(ns, 'db', 2);
      const data = await writeData(ns, 'db', 2);
      await inject();
      const r = await migrate(inputs(ns, 'db', extra));
      await resetCsiFaults();
      await setZoneNeverReady([]);
      expect(r.error).toBeUndefined();
      expect(r.journal?.rollback?.reason).toMatch(where);
      await expectRolledBack(ns, 'db', before, data, r);
      expect(r.reporter.summaries.join('\n')).toContain('what failed');
    });
  });

  test('refuses a second migration while a journal is open', async () => {
    const ns = await namespace('mig-open');
    await createStatefulSet(ns, 'db', { replicas: 1, zones: ['zone-a'] });
    const { core } = api();
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: { name: 'kubesafe-migration-db' },
        data: {
          'journal.json': JSON.stringify({
            version: 1,
            runId: 'x',
            status: 'open',
            direction: 'forward',
            workload: { name: 'db' },
            volumes: [],
            steps: {},
          }),
        },
      },
    });
    const rv = await resourceVersions(ns, 'db');
    const r = await migrate(inputs(ns, 'db'));
    expect(r.error).toMatch(/already open/);
    expect(await resourceVersions(ns, 'db')).toEqual(rv);
  });
});
