import type { k8s } from '../kube/client.js';
import {
  changedObjects,
  cloneStatefulSet,
  clonePvc,
  configMapsOf,
  largerQuantity,
  LABEL_REHEARSAL,
  objectName,
  pvcNamesOf,
  pvZone,
  scratchContent,
} from './rehearse.js';

const sts: k8s.V1StatefulSet = {
  metadata: { name: 'pg', namespace: 'db', resourceVersion: '7', uid: 'u', labels: { app: 'pg' } },
  spec: {
    replicas: 2,
    ordinals: { start: 3 },
    serviceName: 'pg',
    selector: { matchLabels: { app: 'pg' } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
    template: {
      metadata: { labels: { app: 'pg' } },
      spec: {
        serviceAccountName: 'pg-sa',
        containers: [
          {
            name: 'pg',
            env: [
              { name: 'PW', valueFrom: { secretKeyRef: { name: 'pg-secret', key: 'pw' } } },
              { name: 'X', valueFrom: { configMapKeyRef: { name: 'env-cm', key: 'x' } } },
            ],
            envFrom: [{ secretRef: { name: 'more' } }],
          },
        ],
        volumes: [
          { name: 'conf', configMap: { name: 'pg-conf' } },
          { name: 'tls', secret: { secretName: 'pg-tls' } },
        ],
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: 'data', uid: 'x' },
        spec: { accessModes: ['ReadWriteOnce'] },
        status: { phase: 'Pending' },
      },
    ],
  },
};

describe('rehearsal clone', () => {
  it('lists the PVC names of the live ordinals', () => {
    expect(pvcNamesOf(sts)).toEqual([
      { ordinal: 3, pvc: 'data-pg-3' },
      { ordinal: 4, pvc: 'data-pg-4' },
    ]);
  });
  it('clones the StatefulSet into the scratch namespace without ties to production', () => {
    const c = cloneStatefulSet(sts, 'scratch', 'id1');
    expect(c.metadata).toEqual({
      name: 'pg',
      namespace: 'scratch',
      labels: { app: 'pg', [LABEL_REHEARSAL]: 'id1' },
    });
    const pod = c.spec!.template.spec!;
    expect(pod.serviceAccountName).toBe('default');
    expect(pod.volumes![1]!.secret!.optional).toBe(true);
    expect(pod.containers[0]!.env![0]!.valueFrom!.secretKeyRef!.optional).toBe(true);
    expect(pod.containers[0]!.envFrom![0]!.secretRef!.optional).toBe(true);
    expect(c.spec!.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    expect(c.spec!.volumeClaimTemplates).toEqual([
      { metadata: { name: 'data', labels: undefined }, spec: { accessModes: ['ReadWriteOnce'] } },
    ]);
    expect(c.spec!.ordinals).toEqual({ start: 3 });
    // production's object is untouched
    expect(sts.spec!.template.spec!.serviceAccountName).toBe('pg-sa');
    expect(sts.spec!.template.spec!.volumes![1]!.secret!.optional).toBeUndefined();
  });
  it('finds the ConfigMaps the template uses', () => {
    expect(configMapsOf(sts)).toEqual(['env-cm', 'pg-conf']);
  });
  it('points a Retain content at the production snapshot handle, bound to the scratch snapshot', () => {
    const c = scratchContent(
      'kubesafe-rehearse-id1-data-pg-3',
      {
        metadata: { name: 'snapcontent-1' },
        spec: {
          driver: 'd',
          deletionPolicy: 'Retain',
          volumeSnapshotClassName: 'cls',
          volumeSnapshotRef: { name: 's', namespace: 'db' },
          source: { volumeHandle: 'vol-1' },
        },
        status: { snapshotHandle: 'snap-9' },
      },
      { namespace: 'scratch', snapshot: 'rehearse-data-pg-3' },
      'id1',
    );
    expect(c.spec).toEqual({
      driver: 'd',
      deletionPolicy: 'Retain',
      source: { snapshotHandle: 'snap-9' },
      volumeSnapshotClassName: 'cls',
      volumeSnapshotRef: { name: 'rehearse-data-pg-3', namespace: 'scratch' },
    });
  });
  it('pins a clone PVC to a node of the source zone and requests at least the restore size', () => {
    const p = clonePvc(
      {
        ordinal: 3,
        pvc: 'data-pg-3',
        pv: 'pv1',
        zone: 'zone-a',
        zoneKey: 'k',
        storageClass: 'sc',
        accessModes: ['ReadWriteOnce'],
        request: '1Gi',
        volumeMode: 'Filesystem',
      },
      'rehearse-data-pg-3',
      '2Gi',
      'node-a-0',
      'id1',
    );
    expect(p.metadata!.annotations).toEqual({ 'volume.kubernetes.io/selected-node': 'node-a-0' });
    expect(p.spec!.resources!.requests!.storage).toBe('2Gi');
    expect(p.spec!.dataSource).toEqual({
      apiGroup: 'snapshot.storage.k8s.io',
      kind: 'VolumeSnapshot',
      name: 'rehearse-data-pg-3',
    });
  });
  it('compares quantities across units', () => {
    expect(largerQuantity('1Gi', '1073741824')).toBe('1Gi');
    expect(largerQuantity('1G', '1Gi')).toBe('1Gi');
    expect(largerQuantity('5Gi', undefined)).toBe('5Gi');
  });
  it('reads the zone from the driver key or the given one', () => {
    const pv: k8s.V1PersistentVolume = {
      spec: {
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'topology.fake.csi.kubesafe.dev/zone', operator: 'In', values: ['zone-b'] },
                ],
              },
            ],
          },
        },
      },
    };
    expect(pvZone(pv, '')).toEqual({ key: 'topology.fake.csi.kubesafe.dev/zone', zone: 'zone-b' });
    expect(pvZone(pv, 'topology.kubernetes.io/zone')).toBeUndefined();
  });
  it('keeps names within 63 characters and says which production objects changed', () => {
    expect(objectName('kubesafe-rehearse', 'x'.repeat(80))).toHaveLength(63);
    expect(changedObjects({ a: '1', b: '2' }, { a: '1', b: '3' })).toEqual(['b']);
  });
});
