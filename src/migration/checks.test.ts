import { evaluatePrecheck } from './checks.js';
import {
  DRIVER,
  healthyView,
  node,
  pod,
  settings,
  statefulSet,
  volume,
  ZONE_KEY,
} from './__fixtures__/cluster.js';
import type { ClusterView, PrecheckSettings } from './types.js';

function run(view: ClusterView, s: PrecheckSettings) {
  const r = evaluatePrecheck(view, s);
  const by = (name: string) => r.checks.find((c) => c.check === name)!;
  return { ...r, by };
}

describe('evaluatePrecheck on a healthy StatefulSet', () => {
  const s = settings(['b', 'c']);
  const r = run(healthyView(['a', 'a', 'a'], s), s);

  it('passes with no failures', () => {
    expect(r.failures).toEqual([]);
    expect(r.verdict).toBe('pass');
  });

  it('plans every PVC with its size, driver, zones and the default snapshot class', () => {
    expect(r.plan.zoneKey).toBe(ZONE_KEY);
    expect(r.plan.volumes).toEqual(
      [0, 1, 2].map((i) => ({
        ordinal: i,
        pvc: `data-web-${i}`,
        pv: `pv-data-web-${i}`,
        sizeBytes: 10 * 2 ** 30,
        driver: DRIVER,
        sourceZone: 'a',
        targetZone: ['b', 'c', 'b'][i],
        snapshotClass: 'ebs-default',
        moves: true,
      })),
    );
  });

  it('labels the downtime as an estimate', () => {
    expect(r.by('downtime-estimate').reason).toMatch(/^estimate: about \d+/);
    expect(r.plan.estimatedDowntimeSeconds).toBeGreaterThan(0);
  });
});

describe('each failure gives its own reason', () => {
  const s = settings(['b']);
  const cases: [string, (v: ClusterView) => void, string, RegExp][] = [
    [
      'a replica not ready',
      (v) => {
        v.workload!.status!.readyReplicas = 1;
        v.pods[1]!.status!.conditions = [{ type: 'Ready', status: 'False' }];
      },
      'readiness',
      /1 of 2 replicas are ready; not ready: web-1/,
    ],
    [
      'a rollout in progress',
      (v) => {
        v.workload!.status!.updateRevision = 'web-2';
      },
      'rollout',
      /currentRevision web-1, updateRevision web-2/,
    ],
    [
      'an unobserved generation',
      (v) => {
        v.workload!.metadata.generation = 4;
      },
      'rollout',
      /has not observed generation 4/,
    ],
    [
      'a paused Kruise update',
      (v) => {
        v.workload!.spec!.updateStrategy = { rollingUpdate: { paused: true } };
      },
      'rollout',
      /paused/,
    ],
    [
      'whenScaled Delete',
      (v) => {
        v.workload!.spec!.persistentVolumeClaimRetentionPolicy = {
          whenScaled: 'Delete',
          whenDeleted: 'Retain',
        };
      },
      'retention-policy',
      /whenScaled is Delete/,
    ],
    [
      'a PVC missing',
      (v) => {
        v.pvcs.pop();
      },
      'volumes',
      /PVC data-web-1 does not exist/,
    ],
    [
      'a PVC pending',
      (v) => {
        v.pvcs[0]!.status!.phase = 'Pending';
      },
      'volumes',
      /PVC data-web-0 is Pending/,
    ],
    [
      'a non-CSI PV',
      (v) => {
        delete v.pvs[0]!.spec!.csi;
      },
      'volumes',
      /not a CSI volume/,
    ],
    [
      'no snapshot API',
      (v) => {
        v.snapshotApiServed = false;
        v.snapshotClasses = [];
      },
      'snapshot-api',
      /not served/,
    ],
    [
      'no snapshot class for the driver',
      (v) => {
        v.snapshotClasses = [{ metadata: { name: 'other' }, driver: 'other.csi' }];
      },
      'snapshot-class',
      /no VolumeSnapshotClass for driver ebs.csi.aws.com/,
    ],
    [
      'a PV without zone',
      (v) => {
        v.pvs[0]!.spec!.nodeAffinity = undefined;
      },
      'zones',
      /PV pv-data-web-0 has no zone key/,
    ],
    [
      'an HPA',
      (v) => {
        v.scalers = [
          { kind: 'HorizontalPodAutoscaler', name: 'web', targetKind: 'StatefulSet', targetName: 'web' },
        ];
      },
      'controllers',
      /HorizontalPodAutoscaler web .*hpa\/web/,
    ],
    [
      'a KEDA ScaledObject',
      (v) => {
        v.scalers = [{ kind: 'ScaledObject', name: 'q', targetKind: 'StatefulSet', targetName: 'web' }];
      },
      'controllers',
      /ScaledObject q/,
    ],
    [
      'an owner',
      (v) => {
        v.workload!.metadata.ownerReferences = [
          { apiVersion: 'x/v1', kind: 'PostgresCluster', name: 'pg', controller: true },
        ];
      },
      'controllers',
      /owner PostgresCluster pg/,
    ],
    [
      'an Argo CD label',
      (v) => {
        v.workload!.metadata.labels = { 'argocd.argoproj.io/instance': 'shop' };
      },
      'controllers',
      /Argo CD application shop/,
    ],
    [
      'an Argo CD tracking annotation',
      (v) => {
        v.workload!.metadata.annotations = {
          'argocd.argoproj.io/tracking-id': 'shop:apps/StatefulSet:shop/web',
        };
      },
      'controllers',
      /Argo CD application shop/,
    ],
    [
      'a Flux label',
      (v) => {
        v.workload!.metadata.labels = { 'helm.toolkit.fluxcd.io/name': 'web' };
      },
      'controllers',
      /Flux HelmRelease web/,
    ],
    [
      'a missing verb',
      (v) => {
        v.access.find((a) => a.resource === 'persistentvolumes' && a.verb === 'patch')!.allowed = false;
      },
      'permissions',
      /patch persistentvolumes \(cluster\)/,
    ],
    [
      'HPAs unreadable',
      (v) => {
        v.unreadable.horizontalpodautoscalers = 'HTTP 403: forbidden';
      },
      'controllers',
      /cannot read horizontalpodautoscalers \(HTTP 403/,
    ],
    [
      'no volumeClaimTemplates',
      (v) => {
        v.workload!.spec!.volumeClaimTemplates = [];
      },
      'ordinals',
      /no volumeClaimTemplates/,
    ],
    [
      'a class that forbids the zone',
      (v) => {
        v.storageClasses[0]!.allowedTopologies = [
          { matchLabelExpressions: [{ key: ZONE_KEY, values: ['a', 'c'] }] },
        ];
      },
      'storage-class',
      /gp3 does not allow zone b/,
    ],
    [
      'a missing StorageClass',
      (v) => {
        v.storageClasses = [];
      },
      'storage-class',
      /StorageClass gp3 of PVC data-web-0 does not exist/,
    ],
  ];
  it.each(cases)('%s', (_name, mutate, check, reason) => {
    const view = healthyView(['a', 'a'], s);
    mutate(view);
    const r = run(view, s);
    expect(r.verdict).toBe('fail');
    expect(r.failures.map((f) => f.check)).toEqual([check]);
    expect(r.by(check).reason).toMatch(reason);
  });

  it('reports several failures at once', () => {
    const view = healthyView(['a', 'a'], s);
    view.workload!.spec!.persistentVolumeClaimRetentionPolicy = { whenScaled: 'Delete' };
    view.scalers = [
      { kind: 'HorizontalPodAutoscaler', name: 'web', targetKind: 'StatefulSet', targetName: 'web' },
    ];
    view.snapshotClasses = [];
    const r = run(view, settings(['b', 'zz']));
    expect(r.failures.map((f) => f.check).sort()).toEqual([
      'controllers',
      'retention-policy',
      'snapshot-class',
      'zones',
    ]);
  });

  it('a missing workload fails and still reports missing verbs', () => {
    const view = healthyView(['a'], s);
    view.workload = undefined;
    view.workloadError = 'StatefulSet shop/web not found';
    view.access[0]!.allowed = false;
    const r = run(view, s);
    expect(r.failures.map((f) => f.check)).toEqual(['workload', 'permissions']);
    expect(r.failures[0]!.reason).toBe('StatefulSet shop/web not found');
  });
});

describe('zones', () => {
  it('lists the zones that have nodes when a target zone is unknown', () => {
    const s = settings(['b', 'us-east-1x']);
    const r = run(healthyView(['a'], s), s);
    expect(r.by('zones').status).toBe('fail');
    expect(r.by('zones').reason).toBe('target-zones: "us-east-1x" has no node; zones with nodes: a, b, c');
  });

  it('reports volumes already in a target zone as staying', () => {
    const s = settings(['b', 'c']);
    const r = run(healthyView(['b', 'a', 'a'], s), s);
    expect(r.verdict).toBe('pass');
    expect(r.plan.volumes.map((v) => [v.pvc, v.targetZone, v.moves])).toEqual([
      ['data-web-0', 'b', false],
      ['data-web-1', 'c', true],
      ['data-web-2', 'b', true],
    ]);
    expect(r.by('zones').reason).toContain('already in a target zone, staying: data-web-0 (b)');
  });

  it('warns when nothing needs to move', () => {
    const s = settings(['a']);
    const r = run(healthyView(['a', 'a'], s), s);
    expect(r.by('zones').status).toBe('warn');
    expect(r.by('zones').reason).toContain('nothing to move');
  });

  it('fails when the volumes of one ordinal are in different zones', () => {
    const s = settings(['c']);
    const view = healthyView(['a'], s);
    view.workload!.spec!.volumeClaimTemplates!.push({
      metadata: { name: 'logs' },
      spec: { storageClassName: 'gp3' },
    });
    const logs = volume('logs-web-0', 'b');
    view.pvcs.push(logs.pvc);
    view.pvs.push(logs.pv);
    expect(run(view, s).by('zones').reason).toMatch(
      /ordinal 0 are in different zones \(data-web-0: a, logs-web-0: b\)/,
    );
  });

  it('reads the zone from the key given in zone-key only', () => {
    const s = settings(['b'], { zoneKey: 'topology.kubernetes.io/zone' });
    const r = run(healthyView(['a'], s), s);
    expect(r.by('zones').reason).toMatch(/has no topology.kubernetes.io\/zone in its required nodeAffinity/);
  });
});

describe('snapshot classes', () => {
  it('uses the class named by snapshot-class when its driver matches', () => {
    const s = settings(['b'], { snapshotClass: 'ebs-other' });
    expect(run(healthyView(['a'], s), s).plan.volumes[0]!.snapshotClass).toBe('ebs-other');
  });
  it('fails for a named class that does not exist, listing the classes', () => {
    const s = settings(['b'], { snapshotClass: 'nope' });
    expect(run(healthyView(['a'], s), s).by('snapshot-class').reason).toBe(
      'snapshot class nope does not exist (classes: ebs-other, ebs-default)',
    );
  });
  it('fails for a named class of another driver', () => {
    const s = settings(['b'], { snapshotClass: 'x' });
    const view = healthyView(['a'], s);
    view.snapshotClasses.push({ metadata: { name: 'x' }, driver: 'pd.csi.storage.gke.io' });
    expect(run(view, s).by('snapshot-class').reason).toBe(
      'snapshot class x is for driver pd.csi.storage.gke.io, not ebs.csi.aws.com',
    );
  });
  it('without a default-annotated class takes the first by name', () => {
    const s = settings(['b']);
    const view = healthyView(['a'], s);
    view.snapshotClasses = [
      { metadata: { name: 'zeta' }, driver: DRIVER },
      { metadata: { name: 'alpha' }, driver: DRIVER },
    ];
    expect(run(view, s).plan.volumes[0]!.snapshotClass).toBe('alpha');
  });
});

describe('controllers', () => {
  it.each([['hpa'], ['hpa/web'], ['HorizontalPodAutoscaler/web'], ['web']])(
    'allow-controllers %s accepts the HPA with a warning',
    (allow) => {
      const s = settings(['b'], { allowControllers: [allow] });
      const view = healthyView(['a'], s);
      view.scalers = [
        { kind: 'HorizontalPodAutoscaler', name: 'web', targetKind: 'StatefulSet', targetName: 'web' },
      ];
      const r = run(view, s);
      expect(r.by('controllers').status).toBe('warn');
      expect(r.verdict).toBe('pass');
    },
  );
  it('ignores scalers of other workloads and notes an absent KEDA', () => {
    const s = settings(['b']);
    const view = healthyView(['a'], s);
    view.kedaServed = false;
    view.scalers = [
      { kind: 'HorizontalPodAutoscaler', name: 'api', targetKind: 'Deployment', targetName: 'web' },
    ];
    expect(run(view, s).by('controllers')).toEqual({
      check: 'controllers',
      status: 'pass',
      reason: 'no HPA, ScaledObject, owner or GitOps marker (KEDA is not installed)',
    });
  });
  it('allow-controllers argocd accepts an Argo CD marker but not a Flux one', () => {
    const s = settings(['b'], { allowControllers: ['argocd'] });
    const view = healthyView(['a'], s);
    view.workload!.metadata.labels = {
      'argocd.argoproj.io/instance': 'shop',
      'kustomize.toolkit.fluxcd.io/name': 'apps',
    };
    expect(run(view, s).by('controllers').reason).toMatch(
      /^Flux Kustomization apps \(allow with allow-controllers: flux\/apps\)/,
    );
  });
});

describe('disruption budgets and permissions', () => {
  it('warns about a PDB selecting the pods', () => {
    const s = settings(['b']);
    const view = healthyView(['a'], s);
    view.pdbs = [
      { metadata: { name: 'web-pdb' }, spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 1 } },
    ];
    const r = run(view, s);
    expect(r.by('disruption-budgets').status).toBe('warn');
    expect(r.by('disruption-budgets').reason).toContain('web-pdb (app=web)');
    expect(r.verdict).toBe('pass');
  });
  it('a verb only verify-command needs is a warning', () => {
    const s = settings(['b']);
    const view = healthyView(['a'], s);
    view.access.find((a) => a.subresource === 'exec')!.allowed = false;
    const r = run(view, s);
    expect(r.by('permissions').status).toBe('warn');
    expect(r.by('permissions').reason).toContain('verify-command needs: create pods/exec in shop');
  });
  it('lists every missing verb with its resource', () => {
    const s = settings(['b']);
    const view = healthyView(['a'], s);
    for (const a of view.access)
      if (a.resource === 'volumesnapshots' && ['create', 'delete'].includes(a.verb)) a.allowed = false;
    expect(run(view, s).by('permissions').reason).toBe(
      'the caller may not: create volumesnapshots.snapshot.storage.k8s.io in shop, delete volumesnapshots.snapshot.storage.k8s.io in shop',
    );
  });
});

describe('Kruise ordinals', () => {
  it('skips reserved ordinals and starts at spec.ordinals.start', () => {
    const s = settings(['b'], { workload: { namespace: 'shop', name: 'web', kind: 'kruise' } });
    const view = healthyView([], s);
    view.workload = statefulSet(3, (x) => {
      x.apiVersion = 'apps.kruise.io/v1beta1';
      x.spec!.ordinals = { start: 2 };
      x.spec!.reserveOrdinals = [3, '5-6'];
    });
    for (const i of [2, 4, 7]) {
      const v = volume(`data-web-${i}`, 'a');
      view.pvcs.push(v.pvc);
      view.pvs.push(v.pv);
      view.pods.push(pod(`web-${i}`, 'node-a-0'));
    }
    const r = run(view, s);
    expect(r.failures).toEqual([]);
    expect(r.plan.volumes.map((v) => v.pvc)).toEqual(['data-web-2', 'data-web-4', 'data-web-7']);
    expect(r.by('ordinals').reason).toBe('ordinals 2, 4, 7; PVCs data-web-2, data-web-4, data-web-7');
  });
  it('fails on a reserveOrdinals entry it cannot read', () => {
    const s = settings(['b']);
    const view = healthyView(['a'], s);
    view.workload!.spec!.reserveOrdinals = ['x-1'];
    expect(run(view, s).by('ordinals').reason).toMatch(/x-1/);
  });
});

describe('target nodes', () => {
  const s = settings(['b']);
  const check = (mutate: (v: ClusterView) => void, zones = ['a', 'a']) => {
    const view = healthyView(zones, s);
    mutate(view);
    return run(view, s).by('target-nodes');
  };

  it('passes with room', () => expect(check(() => undefined).status).toBe('pass'));

  it('fails when every node of the zone is cordoned, tainted or not Ready, naming each', () => {
    const c = check((v) => {
      v.nodes = v.nodes.map((n) =>
        n.metadata.name === 'node-b-0'
          ? node('node-b-0', 'b', { unschedulable: true })
          : n.metadata.name === 'node-b-1'
            ? node('node-b-1', 'b', { ready: false })
            : n,
      );
    });
    expect(c.status).toBe('fail');
    expect(c.reason).toBe(
      'zone b has no Ready, schedulable node the pod template allows (node-b-0: cordoned, node-b-1: not Ready)',
    );
  });

  it('fails on a NoSchedule taint the template does not tolerate, passes once tolerated', () => {
    const taint = (v: ClusterView) => {
      v.nodes = v.nodes.map((n) =>
        n.metadata.labels!['topology.kubernetes.io/zone'] === 'b'
          ? node(n.metadata.name!, 'b', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] })
          : n,
      );
    };
    expect(check(taint).reason).toContain('taint dedicated=db:NoSchedule not tolerated');
    const tolerated = check((v) => {
      taint(v);
      v.workload!.spec!.template!.spec!.tolerations = [
        { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' },
      ];
    });
    expect(tolerated.status).toBe('pass');
  });

  it('fails when the pods do not fit in the free CPU left by other pods', () => {
    const c = check((v) => {
      v.nodes = v.nodes.map((n) =>
        n.metadata.labels!['topology.kubernetes.io/zone'] === 'b'
          ? node(n.metadata.name!, 'b', { cpu: '1' })
          : n,
      );
      v.otherPods = [
        pod('busy-0', 'node-b-0', { namespace: 'other', labels: {} }, { cpu: '800m', memory: '0' }),
        pod('busy-1', 'node-b-1', { namespace: 'other', labels: {} }, { cpu: '800m', memory: '0' }),
      ];
    });
    expect(c.reason).toBe(
      'zone b has room for 0 of the 2 pods planned there (each requests 500m CPU, 1 GiB memory)',
    );
  });

  it("does not count the workload's own pods against the room (they are scaled down first)", () => {
    const c = check(
      (v) => {
        v.nodes = v.nodes.map((n) =>
          n.metadata.labels!['topology.kubernetes.io/zone'] === 'b'
            ? node(n.metadata.name!, 'b', { cpu: '1' })
            : n,
        );
      },
      ['b', 'a'],
    );
    expect(c.status).toBe('pass');
  });

  it('hostname anti-affinity allows one pod per node', () => {
    const c = check(
      (v) => {
        v.workload!.spec!.template!.spec!.affinity = {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' },
            ],
          },
        };
      },
      ['a', 'a', 'a'],
    );
    expect(c.reason).toBe(
      'zone b has room for 2 of the 3 pods planned there (each requests 500m CPU, 1 GiB memory, at most 1 per node)',
    );
  });

  it('zone anti-affinity allows one pod per zone', () => {
    const c = check((v) => {
      v.workload!.spec!.template!.spec!.affinity = {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'topology.kubernetes.io/zone' },
          ],
        },
      };
    });
    expect(c.reason).toContain('allows one pod per zone; the plan puts 2 in b');
  });

  it("anti-affinity to another workload's pod excludes its node", () => {
    const c = check((v) => {
      v.workload!.spec!.template!.spec!.affinity = {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'topology.kubernetes.io/zone' },
          ],
        },
      };
      v.otherPods = [pod('cache-0', 'node-b-1', { labels: { app: 'cache' } })];
    });
    expect(c.reason).toContain(
      'node-b-0: required anti-affinity with pod shop/cache-0 (topology.kubernetes.io/zone=b)',
    );
  });

  it('a hard zone spread constraint fails when all pods go to one zone of three', () => {
    const c = check((v) => {
      v.workload!.spec!.template!.spec!.topologySpreadConstraints = [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'web' } },
        },
      ];
    });
    expect(c.reason).toBe(
      'hard topology spread on topology.kubernetes.io/zone (maxSkew 1) is broken: the plan gives a=0, b=2, c=0 over the zones with eligible nodes',
    );
  });

  it('a soft spread constraint is ignored', () => {
    expect(
      check((v) => {
        v.workload!.spec!.template!.spec!.topologySpreadConstraints = [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { app: 'web' } },
          },
        ];
      }).status,
    ).toBe('pass');
  });

  it('a nodeSelector that matches no node of the zone fails', () => {
    const c = check((v) => {
      v.workload!.spec!.template!.spec!.nodeSelector = { pool: 'db' };
    });
    expect(c.reason).toContain('node-b-0: nodeSelector pool=db does not match');
  });
});

describe('zone pinning', () => {
  const s = settings(['b', 'c']);
  it('names the nodeSelector that blocks each target zone', () => {
    const view = healthyView(['a'], s);
    view.workload!.spec!.template!.spec!.nodeSelector = { 'topology.kubernetes.io/zone': 'a' };
    const r = run(view, s);
    expect(r.by('zone-pinning').reason).toBe(
      'the pod template pins the workload by zone: nodeSelector topology.kubernetes.io/zone=a blocks target zone b; nodeSelector topology.kubernetes.io/zone=a blocks target zone c; change the template first',
    );
  });
  it('names the required node affinity term, and only for the zones it blocks', () => {
    const view = healthyView(['a'], s);
    view.workload!.spec!.template!.spec!.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_KEY, operator: 'In', values: ['a', 'c'] }] }],
        },
      },
    };
    const r = run(view, s);
    expect(r.by('zone-pinning').reason).toBe(
      `the pod template pins the workload by zone: required node affinity term 1 (${ZONE_KEY} In a,c) blocks target zone b; change the template first`,
    );
  });
  it('a zone allowed by another ORed term is not blocked', () => {
    const view = healthyView(['a'], s);
    view.workload!.spec!.template!.spec!.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a'] }] },
            { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['a'] }] },
          ],
        },
      },
    };
    expect(run(view, s).by('zone-pinning').status).toBe('pass');
  });
});

describe('quota', () => {
  const s = settings(['b']);
  const quota = (hard: Record<string, string>, used: Record<string, string>) => ({
    metadata: { name: 'q' },
    status: { hard, used },
  });
  it.each([
    [{ 'requests.storage': '100Gi' }, { 'requests.storage': '20Gi' }, 'pass', ''],
    [
      { 'requests.storage': '35Gi' },
      { 'requests.storage': '20Gi' },
      'fail',
      'requests.storage has 15 GiB free, the staging PVCs need 20 GiB (hard 35Gi, used 20Gi)',
    ],
    [
      { persistentvolumeclaims: '3' },
      { persistentvolumeclaims: '2' },
      'fail',
      'persistentvolumeclaims has 1 free, the staging PVCs need 2',
    ],
    [{ persistentvolumeclaims: '4' }, { persistentvolumeclaims: '2' }, 'pass', ''],
    [
      { 'gp3.storageclass.storage.k8s.io/requests.storage': '25Gi' },
      { 'gp3.storageclass.storage.k8s.io/requests.storage': '10Gi' },
      'fail',
      'gp3.storageclass.storage.k8s.io/requests.storage has 15 GiB free',
    ],
    [{ 'other.storageclass.storage.k8s.io/requests.storage': '1Gi' }, {}, 'pass', ''],
    [{ 'requests.storage': '20Gi' }, {}, 'pass', ''],
  ])('hard %j used %j: %s', (hard, used, status, reason) => {
    const view = healthyView(['a', 'a'], s);
    view.resourceQuotas = [quota(hard, used)];
    const c = run(view, s).by('quota');
    expect(c.status).toBe(status);
    expect(c.reason).toContain(reason);
  });
  it('counts only the volumes that move', () => {
    const view = healthyView(['b', 'a'], s);
    view.resourceQuotas = [quota({ persistentvolumeclaims: '3' }, { persistentvolumeclaims: '2' })];
    expect(run(view, s).by('quota').status).toBe('pass');
  });
});
