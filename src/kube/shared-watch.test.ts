import { collectionPath, singleName } from './shared-watch.js';

describe('singleName', () => {
  it('is the name a selector for one object asks for', () => {
    expect(singleName('metadata.name=data-db-0')).toBe('data-db-0');
  });

  it('is undefined for any other selector', () => {
    expect(singleName(undefined)).toBeUndefined();
    expect(singleName('')).toBeUndefined();
    expect(singleName('metadata.name!=data-db-0')).toBeUndefined();
    expect(singleName('metadata.name=a,status.phase=Bound')).toBeUndefined();
    expect(singleName('status.phase=Bound')).toBeUndefined();
  });
});

describe('collectionPath', () => {
  it('builds core, group, namespaced and cluster-scoped paths', () => {
    expect(collectionPath({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'ns' })).toBe(
      '/api/v1/namespaces/ns/persistentvolumeclaims',
    );
    expect(collectionPath({ apiVersion: 'v1', kind: 'PersistentVolume' })).toBe('/api/v1/persistentvolumes');
    expect(
      collectionPath({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', namespace: 'ns' }),
    ).toBe('/apis/snapshot.storage.k8s.io/v1/namespaces/ns/volumesnapshots');
    expect(collectionPath({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' })).toBe(
      '/apis/storage.k8s.io/v1/storageclasses',
    );
  });
});
