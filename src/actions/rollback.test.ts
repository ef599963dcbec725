import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inputsFrom } from '../inputs.js';
import { RecordingReporter } from '../report.js';
import { etcdRollbackPlan } from '../rollback/plan.js';
import { runRollback, targetInputs, type RollbackDeps } from './rollback.js';

const journal = {
  version: 1,
  runId: 'r-1',
  workload: { namespace: 'db', name: 'pg', kind: 'kube', uid: 'u' },
  targetZones: ['zone-b'],
  volumes: [],
  steps: {},
};

/** Records the calls instead of running zone-migrate / etcd-restore (tested in their own suites). */
function recordingTargets() {
  const calls: { target: string; inputs: Record<string, string> }[] = [];
  const rec = (target: string) => async (i: { get(n: string): string }) => {
    const names = [
      'snapshot',
      'mode',
      'members',
      'ssh-user',
      'namespace',
      'statefulset',
      'workload-kind',
      'target-zones',
      'kubeconfig',
      'dry-run',
      'data-dir',
    ];
    calls.push({
      target,
      inputs: Object.fromEntries(names.map((n) => [n, i.get(n)]).filter(([, v]) => v !== '')),
    });
  };
  const deps: RollbackDeps = {
    targets: { migrationRollback: rec('zone-migrate'), etcdRestore: rec('etcd-restore') },
    downloadArtifact: async () => {
      throw new Error('no artifact service here');
    },
    targetDefaults: (a): Record<string, string> =>
      a === 'etcd-restore' ? { 'data-dir': '/var/lib/etcd', 'ssh-user': 'root' } : { 'dry-run': 'false' },
  };
  return { calls, deps };
}

describe('rollback dispatch', () => {
  it('rolls a migration journal back through zone-migrate with mode rollback', async () => {
    const { calls, deps } = recordingTargets();
    const r = new RecordingReporter();
    await runRollback(inputsFrom({ plan: JSON.stringify(journal), kubeconfig: '/k' }), r, {}, deps);
    expect(calls).toEqual([
      {
        target: 'zone-migrate',
        inputs: {
          mode: 'rollback',
          namespace: 'db',
          statefulset: 'pg',
          'workload-kind': 'kube',
          'target-zones': 'zone-b',
          kubeconfig: '/k',
          'dry-run': 'false',
        },
      },
    ]);
    expect(r.outputs).toMatchObject({ kind: 'migration-rollback', target: 'zone-migrate' });
  });
  it('plans an etcd restore from a plan file, keeping etcd-restore defaults and handing on set inputs', async () => {
    const { calls, deps } = recordingTargets();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-plan-test-'));
    writeFileSync(
      path.join(dir, 'rollback-plan.json'),
      JSON.stringify(etcdRollbackPlan('file:///b/prod/x.json')),
    );
    await runRollback(inputsFrom({ plan: dir, members: 'cp1' }), new RecordingReporter(), {}, deps);
    expect(calls).toEqual([
      {
        target: 'etcd-restore',
        inputs: {
          snapshot: 'file:///b/prod/x.json',
          mode: 'plan',
          members: 'cp1',
          'ssh-user': 'root',
          'data-dir': '/var/lib/etcd',
        },
      },
    ]);
  });
  it('passes mode execute on for an etcd manifest URI', () => {
    expect(
      targetInputs({ kind: 'etcd-restore', manifestUri: 's3://b/x.json' }, inputsFrom({}), {}, 'execute'),
    ).toEqual({
      snapshot: 's3://b/x.json',
      mode: 'execute',
    });
  });
  it('a dry run says what it would do and calls nothing', async () => {
    const { calls, deps } = recordingTargets();
    const r = new RecordingReporter();
    await runRollback(inputsFrom({ plan: 's3://b/prod/x.json', 'dry-run': 'true' }), r, {}, deps);
    expect(calls).toEqual([]);
    expect(r.summaries.join('\n')).toContain('s3://b/prod/x.json');
  });
  it('refuses a bad mode before anything runs', async () => {
    const { calls, deps } = recordingTargets();
    await expect(
      runRollback(inputsFrom({ plan: 's3://b/x.json', mode: 'now' }), new RecordingReporter(), {}, deps),
    ).rejects.toThrow('mode: "now" is not valid; expected one of plan, execute');
    expect(calls).toEqual([]);
  });
  it('masks secrets it hands on', async () => {
    const { deps } = recordingTargets();
    const r = new RecordingReporter();
    await runRollback(inputsFrom({ plan: 's3://b/x.json', 'ssh-private-key': 'PRIVATE' }), r, {}, deps);
    expect(r.secrets).toContain('PRIVATE');
  });
});
