import type { ClusterView } from '../kube/cluster-view.js';
import type { Observation, ObservedWorkload } from './checks.js';
import type { CommandResult } from './commands.js';
import { parseVerifySettings } from './settings.js';
import { inputsFrom } from '../inputs.js';
import { verifyCluster, verifySummary } from './verify.js';

function obs(ready: number): Observation {
  const w: ObservedWorkload = {
    kind: 'statefulset',
    namespace: 'db',
    name: 'pg',
    found: true,
    desired: 3,
    ready,
    updated: 3,
    generation: 1,
    observedGeneration: 1,
  };
  return {
    nodes: [{ name: 'n1', ready: true, unschedulable: false }],
    systemPods: [],
    pods: [],
    workloads: [w],
  };
}

/** A scripted sequence of observations (plain data) and a clock that the sleeps advance. */
function scripted(sequence: Observation[]) {
  let t = 0;
  let i = 0;
  const view: ClusterView = { observe: async () => sequence[Math.min(i++, sequence.length - 1)]! };
  return {
    view,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    looks: () => i,
  };
}

const ok = (command: string): CommandResult => ({
  command,
  exitCode: 0,
  timedOut: false,
  durationMs: 5,
  outputTail: '',
});

const settings = (over: Record<string, string> = {}) =>
  parseVerifySettings(
    inputsFrom({ workloads: 'statefulset/db/pg', timeout: '60s', interval: '10s', ...over }),
  );

describe('verifyCluster', () => {
  it('waits for a workload to become ready and passes after two healthy looks', async () => {
    const s = scripted([obs(1), obs(2), obs(3), obs(3)]);
    const r = await verifyCluster(settings(), { ...s, runCommand: async (c) => ok(c) });
    expect(r.verdict).toBe('pass');
    expect(s.looks()).toBe(4);
  });
  it('fails at the timeout naming the workload that is not at its replicas', async () => {
    const s = scripted([obs(2)]);
    const r = await verifyCluster(settings(), { ...s, runCommand: async (c) => ok(c) });
    expect(r.verdict).toBe('fail');
    expect(r.failures).toEqual([
      { check: 'workload', target: 'statefulset/db/pg', status: 'fail', reason: '2/3 ready' },
    ]);
    expect(s.now()).toBeLessThanOrEqual(60_000);
    expect(verifySummary(r)).toContain('Unhealthy: `statefulset/db/pg`');
  });
  it('runs commands only once the cluster is healthy, and again while they fail', async () => {
    const s = scripted([obs(2), obs(3)]);
    const calls: number[] = [];
    const r = await verifyCluster(settings({ commands: 'check-app' }), {
      ...s,
      runCommand: async (c) => {
        calls.push(s.looks());
        return calls.length === 1 ? { ...ok(c), exitCode: 3, outputTail: 'first\nnot yet' } : ok(c);
      },
    });
    expect(calls).toEqual([2, 3]);
    expect(r.verdict).toBe('pass');
  });
  it('fails when a command keeps failing and reports its last output line', async () => {
    const s = scripted([obs(3)]);
    const r = await verifyCluster(settings({ commands: 'check-app', timeout: '20s' }), {
      ...s,
      runCommand: async (c) => ({ ...ok(c), exitCode: 1, outputTail: 'boom: connection refused' }),
    });
    expect(r.verdict).toBe('fail');
    expect(r.failures).toEqual([
      expect.objectContaining({
        check: 'command',
        target: 'check-app',
        reason: 'exit 1: boom: connection refused',
      }),
    ]);
  });
  it('checks once with timeout 0', async () => {
    const s = scripted([obs(3)]);
    const r = await verifyCluster(settings({ timeout: '0s' }), { ...s, runCommand: async (c) => ok(c) });
    expect([r.verdict, s.looks()]).toEqual(['pass', 1]);
  });
});
