/**
 * The chain of guarded-change.yml, bundle by bundle as GitHub runs them: etcd-snapshot's outputs ->
 * the rollback plan (its manifest-uri, the rollback-plan.json artifact, the manifest JSON) -> rollback.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runActionBundle } from '../helpers/action-runner.js';
import { startEtcdCluster, type EtcdCluster } from '../helpers/etcd.js';
import { etcdRollbackPlan } from '../../src/rollback/plan.js';

describe('etcd-snapshot -> rollback plan -> rollback', () => {
  let cluster: EtcdCluster;
  let dir: string;
  let snap: Record<string, string>;
  beforeAll(async () => {
    cluster = await startEtcdCluster();
    const c = cluster.client();
    await c.put('/registry/configmaps/default/a').value('x');
    c.close();
    dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-chain-'));
    const run = await runActionBundle('etcd-snapshot', {
      endpoints: cluster.endpoints[0]!,
      destination: `file://${dir}/store`,
      'cluster-name': 'chain',
      labels: 'pre-change',
      compression: 'none',
    });
    expect(run.code).toBe(0);
    snap = run.outputs;
  });
  afterAll(() => cluster?.stop());

  it('the snapshot job writes a manifest URI that points at a manifest', () => {
    expect(snap['manifest-uri']).toMatch(/^file:\/\/.*\.json$/);
    expect(existsSync(new URL(snap['manifest-uri']!).pathname)).toBe(true);
  });

  it('rollback reads the job output (the manifest URI) as an etcd restore of that snapshot', async () => {
    const run = await runActionBundle('rollback', { plan: snap['manifest-uri']!, 'dry-run': 'true' });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ kind: 'etcd-restore', target: 'etcd-restore' });
    expect(run.summary).toContain(snap['manifest-uri']);
  });

  it('rollback reads the downloaded rollback-plan artifact folder', async () => {
    const folder = path.join(dir, 'artifact');
    mkdirSync(folder);
    writeFileSync(
      path.join(folder, 'rollback-plan.json'),
      JSON.stringify(
        etcdRollbackPlan(snap['manifest-uri']!, { cluster: 'chain', revision: Number(snap.revision) }),
      ),
    );
    const run = await runActionBundle('rollback', { plan: folder, 'dry-run': 'true' });
    expect(run.code).toBe(0);
    expect(run.outputs.kind).toBe('etcd-restore');
    expect(run.summary).toContain(`| revision | ${snap.revision} |`);
  });

  it('rollback finds the manifest given as JSON under its store', async () => {
    const manifest = readFileSync(new URL(snap['manifest-uri']!).pathname, 'utf8');
    const run = await runActionBundle('rollback', {
      plan: manifest,
      destination: `file://${dir}/store`,
      'dry-run': 'true',
    });
    expect(run.code).toBe(0);
    expect(run.summary).toContain(snap['manifest-uri']);
    const without = await runActionBundle('rollback', { plan: manifest, 'dry-run': 'true' });
    expect(without.code).not.toBe(0);
    expect(without.stdout).toContain('destination: empty value is not valid');
  });

  it('a migration journal is classified as a migration rollback', async () => {
    const journal = {
      version: 1,
      runId: 'r1',
      workload: { namespace: 'db', name: 'pg', kind: 'kube', uid: 'u' },
      targetZones: ['zone-b'],
      volumes: [],
      steps: {},
    };
    const run = await runActionBundle('rollback', { plan: JSON.stringify(journal), 'dry-run': 'true' });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ kind: 'migration-rollback', target: 'zone-migrate' });
  });

  it('rollback in plan mode writes the restore plan for the snapshot', async () => {
    const planDir = path.join(dir, 'restore-plan');
    const run = await runActionBundle('rollback', {
      plan: snap['manifest-uri']!,
      mode: 'plan',
      'plan-dir': planDir,
    });
    expect(run.stdout).not.toContain('::error::');
    expect(run.code).toBe(0);
    expect(run.outputs['plan-dir']).toBe(planDir);
    expect(existsSync(path.join(planDir, `restore-${snap.member}.sh`))).toBe(true);
    expect(readFileSync(path.join(planDir, 'plan.json'), 'utf8')).toContain(snap.sha256);
  });
});
