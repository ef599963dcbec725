/**
 * A migration process killed (SIGKILL) at every step boundary, then continued by a new process with
 * `mode: resume` (first series) or undone with `mode: rollback` (second series). The child runs
 * test/migration/runner.ts with the test-only knob KUBESAFE_TEST_KILL_AFTER_STEP.
 */
import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parseJournal, type Journal } from '../../src/migration/journal.js';
import { createTestNamespace, ensureCluster, stateDir } from '../cluster/harness.js';
import {
  api,
  cleanupNamespace,
  createStatefulSet,
  podZones,
  readData,
  volumeState,
  writeData,
} from './fixtures.js';

jest.setTimeout(600_000);

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runner = path.join(repo, 'tmp', 'migrate-runner.mjs');
const namespaces: string[] = [];

beforeAll(
  async () => {
    await ensureCluster();
    mkdirSync(path.dirname(runner), { recursive: true });
    await build({
      entryPoints: [path.join(repo, 'test/migration/runner.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: runner,
      logLevel: 'error',
    });
  },
  60 * 60 * 1000,
);

afterAll(async () => {
  for (const ns of namespaces) await cleanupNamespace(ns);
});

interface ChildResult {
  signal: NodeJS.Signals | null;
  code: number | null;
  outputs: Record<string, string>;
  stderr: string;
}

function runChild(values: Record<string, string>, killAfter?: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, KUBESAFE_CLUSTER_DIR: stateDir() };
    delete env.KUBESAFE_TEST_KILL_AFTER_STEP;
    if (killAfter) env.KUBESAFE_TEST_KILL_AFTER_STEP = killAfter;
    const child = spawn(process.execPath, [runner, JSON.stringify(values)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let outputs: Record<string, string> = {};
      try {
        outputs = out ? (JSON.parse(out) as Record<string, string>) : {};
      } catch {
        outputs = { unparsed: out };
      }
      resolve({ code, signal, outputs, stderr: err });
    });
  });
}

function inputs(ns: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    namespace: ns,
    statefulset: 'db',
    'target-zones': 'zone-b',
    kubeconfig: path.join(stateDir(), 'admin.kubeconfig'),
    'check-interval': '1s',
    'max-failed-checks': '5',
    'step-timeout': '30s',
    ...extra,
  };
}

async function storedJournal(ns: string): Promise<Journal> {
  const cm = await api().core.readNamespacedConfigMap({ name: 'kubesafe-migration-db', namespace: ns });
  return parseJournal(cm.data!['journal.json']!);
}

interface Fixture {
  ns: string;
  sourcePvs: string[];
  data: Record<string, string>;
}

async function fixture(): Promise<Fixture> {
  const ns = await createTestNamespace('mig-kill');
  namespaces.push(ns);
  await createStatefulSet(ns, 'db', { replicas: 2, zones: ['zone-a', 'zone-a'] });
  const sourcePvs = [(await volumeState(ns, 'data-db-0')).pv, (await volumeState(ns, 'data-db-1')).pv];
  return { ns, sourcePvs, data: await writeData(ns, 'db', 2) };
}

async function killAt(f: Fixture, boundary: string): Promise<void> {
  const killed = await runChild(inputs(f.ns), boundary);
  expect({ signal: killed.signal, stderr: killed.signal ? '' : killed.stderr }).toEqual({
    signal: 'SIGKILL',
    stderr: '',
  });
  const [step, inside] = boundary.split(':');
  expect((await storedJournal(f.ns)).steps[step as keyof Journal['steps']].state).toBe(
    inside ? 'started' : 'done',
  );
}

async function expectOnVolumes(f: Fixture, zone: string, source: boolean): Promise<void> {
  const { apps } = api();
  const sts = await apps.readNamespacedStatefulSet({ name: 'db', namespace: f.ns });
  expect(sts.spec?.replicas).toBe(2);
  expect(sts.status?.readyReplicas).toBe(2);
  for (let i = 0; i < 2; i++) {
    const v = await volumeState(f.ns, `data-db-${i}`);
    expect(v.zone).toBe(zone);
    if (source) expect(v.pv).toBe(f.sourcePvs[i]);
    else expect(v.pv).not.toBe(f.sourcePvs[i]);
    expect(await readData(f.ns, `data-db-${i}`)).toBe(f.data[`data-db-${i}`]);
  }
  expect(Object.values(await podZones(f.ns, 'db'))).toEqual([zone, zone]);
}

const BOUNDARIES = [
  'retain',
  'scale-down',
  'snapshot:started',
  'snapshot',
  'stage',
  'swap:started',
  'swap:original-deleted',
  'swap',
  'scale-up',
  'verify',
  'finalize',
];

describe('a migration killed at a step boundary', () => {
  test.each(BOUNDARIES)('after %s is completed by mode: resume', async (boundary) => {
    const f = await fixture();
    await killAt(f, boundary);
    const resumed = await runChild(inputs(f.ns, { mode: 'resume' }));
    expect(resumed.outputs.result).toBe('migrated');
    await expectOnVolumes(f, 'zone-b', false);
    expect((await storedJournal(f.ns)).status).toBe('migrated');
  });

  test.each(BOUNDARIES)('after %s is undone by mode: rollback', async (boundary) => {
    const f = await fixture();
    await killAt(f, boundary);
    const rolled = await runChild(inputs(f.ns, { mode: 'rollback' }));
    expect({
      result: rolled.outputs.result,
      stderr: rolled.outputs.result === 'rolled-back' ? '' : rolled.stderr.slice(-3000),
    }).toEqual({ result: 'rolled-back', stderr: '' });
    await expectOnVolumes(f, 'zone-a', true);
    const j = await storedJournal(f.ns);
    expect(j.status).toBe('rolled-back');
    const { core } = api();
    for (const pv of f.sourcePvs)
      expect((await core.readPersistentVolume({ name: pv })).spec?.persistentVolumeReclaimPolicy).toBe(
        'Delete',
      );
  });

  test('a rollback killed in the middle is finished by mode: resume', async () => {
    const f = await fixture();
    await killAt(f, 'scale-up');
    const killed = await runChild(inputs(f.ns, { mode: 'rollback' }), 'rollback-claims');
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await runChild(inputs(f.ns, { mode: 'resume' }));
    expect(resumed.outputs.result).toBe('rolled-back');
    await expectOnVolumes(f, 'zone-a', true);
  });

  test('a second run refuses while the journal is open, and resume refuses without one', async () => {
    const f = await fixture();
    await killAt(f, 'snapshot');
    const second = await runChild(inputs(f.ns));
    expect(second.outputs.error).toMatch(/already open/);
    const resumed = await runChild(inputs(f.ns, { mode: 'resume' }));
    expect(resumed.outputs.result).toBe('migrated');
    const again = await runChild(inputs(f.ns, { mode: 'resume' }));
    expect(again.outputs.error).toMatch(/no open migration journal/);
  });
});
