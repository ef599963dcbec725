/**
 * The migration half of the chain: a zone migration dies mid-way (SIGKILL after its snapshots, the
 * test-only knob), the next job takes the journal it left as the rollback plan and runs
 * actions/rollback, which returns the workload to its source volumes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { journalName, JOURNAL_KEY } from '../../src/migration/journal.js';
import { projectRoot } from '../../src/actions-meta.js';
import { ensureCluster, type ClusterInfo } from '../cluster/harness.js';
import { runActionBundle } from '../helpers/action-runner.js';
import {
  api,
  cleanupNamespace,
  createStatefulSet,
  podZones,
  readData,
  volumeState,
  writeData,
} from '../migration/fixtures.js';

jest.setTimeout(300_000);
let cluster: ClusterInfo;
let ns: string;

beforeAll(async () => {
  cluster = await ensureCluster();
  ns = `chain-mig-${Date.now().toString(36)}`;
  await api().core.createNamespace({ body: { metadata: { name: ns } } });
  await createStatefulSet(ns, 'db', { replicas: 2, zones: ['zone-a', 'zone-a'] });
});

afterAll(async () => {
  if (ns) await cleanupNamespace(ns);
});

function killedMigration(): Promise<{ signal: NodeJS.Signals | null }> {
  const cli = path.join(projectRoot(), 'dist/cli/index.js');
  const args = [
    'migrate',
    '--namespace',
    ns,
    '--statefulset',
    'db',
    '--target-zones',
    'zone-b',
    '--kubeconfig',
    cluster.kubeconfigAdmin,
    '--check-interval',
    '1s',
    '--step-timeout',
    '60s',
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, KUBESAFE_TEST_KILL_AFTER_STEP: 'snapshot' },
      stdio: 'ignore',
    });
    child.on('exit', (_code, signal) => resolve({ signal }));
  });
}

describe('a killed migration, rolled back by actions/rollback from its journal', () => {
  it('returns the workload to its source volumes and zone with its data', async () => {
    const before = await Promise.all([0, 1].map((i) => volumeState(ns, `data-db-${i}`)));
    const data = await writeData(ns, 'db', 2);
    expect((await killedMigration()).signal).toBe('SIGKILL');

    const cm = await api().core.readNamespacedConfigMap({ namespace: ns, name: journalName('db') });
    const journal = cm.data![JOURNAL_KEY]!;
    const run = await runActionBundle('rollback', { plan: journal, kubeconfig: cluster.kubeconfigAdmin });
    expect(run.stdout).not.toContain('::error::');
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ kind: 'migration-rollback', target: 'zone-migrate' });

    const after = await Promise.all([0, 1].map((i) => volumeState(ns, `data-db-${i}`)));
    expect(after.map((v) => v.pv)).toEqual(before.map((v) => v.pv));
    expect(after.map((v) => v.zone)).toEqual(['zone-a', 'zone-a']);
    for (let i = 0; i < 2; i++) expect(await readData(ns, `data-db-${i}`)).toBe(data[`data-db-${i}`]);
    expect(Object.values(await podZones(ns, 'db'))).toEqual(['zone-a', 'zone-a']);
    const sts = await api().apps.readNamespacedStatefulSet({ namespace: ns, name: 'db' });
    expect(sts.spec?.replicas).toBe(2);
  });
});
