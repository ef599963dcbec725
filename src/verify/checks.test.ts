import {
  checkControlPlane,
  checkCrashLoops,
  checkNodes,
  checkWorkload,
  evaluate,
  failed,
  type ObservedPod,
  type ObservedWorkload,
} from './checks.js';

function pod(name: string, over: Partial<ObservedPod> = {}): ObservedPod {
  return {
    namespace: 'app',
    name,
    labels: {},
    phase: 'Running',
    ready: true,
    containers: [{ name: 'main', restartCount: 0 }],
    ...over,
  };
}

function sts(over: Partial<ObservedWorkload> = {}): ObservedWorkload {
  return {
    kind: 'statefulset',
    namespace: 'db',
    name: 'pg',
    found: true,
    desired: 3,
    ready: 3,
    updated: 3,
    generation: 2,
    observedGeneration: 2,
    ...over,
  };
}

describe('nodes', () => {
  it('fails a node that is not Ready and says why', () => {
    const r = checkNodes([
      { name: 'a', ready: true, unschedulable: false },
      { name: 'b', ready: false, why: 'KubeletNotReady: PLEG is not healthy', unschedulable: false },
    ]);
    expect(failed(r)).toEqual([
      {
        check: 'nodes',
        target: 'b',
        status: 'fail',
        reason: 'not Ready: KubeletNotReady: PLEG is not healthy',
      },
    ]);
  });
  it('fails a cluster without nodes', () => {
    expect(failed(checkNodes([]))).toHaveLength(1);
  });
  it('passes a cordoned Ready node and notes the cordon', () => {
    expect(checkNodes([{ name: 'a', ready: true, unschedulable: true }])[0]).toMatchObject({
      status: 'pass',
      reason: 'Ready (cordoned)',
    });
  });
});

describe('control plane', () => {
  const system = [
    pod('kube-apiserver-cp1', {
      namespace: 'kube-system',
      labels: { component: 'kube-apiserver', tier: 'control-plane' },
    }),
    pod('etcd-cp1', {
      namespace: 'kube-system',
      labels: { component: 'etcd' },
      ready: false,
      phase: 'Pending',
    }),
    pod('coredns-1', { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ready: false }),
  ];
  it('checks tier=control-plane and component pods, not the other system pods', () => {
    const r = checkControlPlane(system);
    expect(r.map((c) => c.target)).toEqual(['kube-system/kube-apiserver-cp1', 'kube-system/etcd-cp1']);
    expect(failed(r).map((c) => c.target)).toEqual(['kube-system/etcd-cp1']);
  });
  it('passes a managed control plane with no such pods', () => {
    expect(checkControlPlane([system[2]!])).toEqual([
      expect.objectContaining({ status: 'pass', target: 'kube-system' }),
    ]);
  });
});

describe('crash loops', () => {
  it('fails a container waiting in CrashLoopBackOff', () => {
    const r = checkCrashLoops(
      ['app'],
      [pod('web-0', { containers: [{ name: 'main', restartCount: 7, waitingReason: 'CrashLoopBackOff' }] })],
      undefined,
    );
    expect(r).toEqual([
      {
        check: 'crashloop',
        target: 'app/web-0',
        status: 'fail',
        reason: 'CrashLoopBackOff in main (7 restarts)',
      },
    ]);
  });
  it('fails a pod whose restarts rose since the previous look, not one with old restarts', () => {
    const before = [
      pod('a', { containers: [{ name: 'c', restartCount: 2 }] }),
      pod('b', { containers: [{ name: 'c', restartCount: 5 }] }),
    ];
    const now = [
      pod('a', { containers: [{ name: 'c', restartCount: 3 }] }),
      pod('b', { containers: [{ name: 'c', restartCount: 5 }] }),
    ];
    expect(failed(checkCrashLoops(['app'], now, before))).toEqual([
      expect.objectContaining({ target: 'app/a', reason: 'restarts rose from 2 to 3 while verifying' }),
    ]);
    expect(failed(checkCrashLoops(['app'], now, undefined))).toEqual([]);
  });
  it('gives one pass line per healthy namespace', () => {
    expect(checkCrashLoops(['app', 'empty'], [pod('a'), pod('b')], undefined)).toEqual([
      { check: 'crashloop', target: 'app', status: 'pass', reason: '2 pods, none crash-looping' },
      { check: 'crashloop', target: 'empty', status: 'pass', reason: '0 pods, none crash-looping' },
    ]);
  });
});

describe('workloads', () => {
  it('passes a StatefulSet with every replica ready', () => {
    expect(checkWorkload(sts())).toEqual({
      check: 'workload',
      target: 'statefulset/db/pg',
      status: 'pass',
      reason: '3/3 ready',
    });
  });
  it.each([
    [{ ready: 2 }, '2/3 ready'],
    [{ found: false }, 'not found'],
    [{ observedGeneration: 1 }, 'the controller has not yet observed generation 2'],
    [{ updated: 1 }, '1/3 on the current template (rollout in progress)'],
  ])('fails %j: %s', (over, reason) => {
    expect(checkWorkload(sts(over))).toMatchObject({ status: 'fail', reason });
  });
  it('passes a workload scaled to zero', () => {
    expect(checkWorkload(sts({ desired: 0, ready: 0, updated: 0 })).status).toBe('pass');
  });
});

it('evaluate leaves out the node and control-plane checks when they are off', () => {
  const obs = { nodes: [], systemPods: [], pods: [], workloads: [sts()] };
  expect(
    evaluate(obs, undefined, { nodes: false, controlPlane: false, namespaces: [] }).map((c) => c.check),
  ).toEqual(['workload']);
});
