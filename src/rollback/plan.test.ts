import { MANIFEST_SCHEMA } from '../store/manifest.js';
import {
  classifyPlan,
  etcdRollbackPlan,
  MIGRATION_JOURNAL_SCHEMA,
  pickPlanFile,
  planSource,
  ROLLBACK_PLAN_SCHEMA,
} from './plan.js';

/** The shape zone-migrate publishes as its `journal` output (src/migration/journal.ts on branch migrate). */
const journal = {
  version: 1,
  runId: 'r-123',
  workload: { namespace: 'db', name: 'pg', kind: 'kube', uid: 'u1' },
  zoneKey: 'topology.kubernetes.io/zone',
  targetZones: ['zone-b', 'zone-c'],
  status: 'open',
  volumes: [{ pvc: 'data-pg-0', targetZone: 'zone-b' }],
  steps: { retain: { state: 'done', attempts: 1 } },
};

const manifest = {
  schema: MANIFEST_SCHEMA,
  cluster: 'prod',
  snapshotKey: 'prod/20261201T000000Z-rev42.db.zst',
  revision: 42,
};

describe('planSource', () => {
  const none = () => false;
  it('tells JSON, URIs, paths and artifact names apart', () => {
    expect(planSource(' {"a":1}', none)).toEqual({ from: 'json', text: '{"a":1}' });
    expect(planSource('s3://b/prod/x.json', none)).toEqual({ from: 'uri', uri: 's3://b/prod/x.json' });
    expect(planSource('file:///var/backups/x.json', none)).toEqual({
      from: 'uri',
      uri: 'file:///var/backups/x.json',
    });
    expect(planSource('plan/rollback-plan.json', (p) => p === 'plan/rollback-plan.json')).toEqual({
      from: 'path',
      path: 'plan/rollback-plan.json',
    });
    expect(planSource('rollback-plan-prod', none)).toEqual({ from: 'artifact', name: 'rollback-plan-prod' });
  });
  it('refuses what is none of them, naming the input', () => {
    expect(() => planSource('no such/file.json', none)).toThrow(
      'plan: "no such/file.json" is not valid; expected a rollback plan',
    );
    expect(() => planSource('', none)).toThrow('plan: empty value is not valid');
  });
});

describe('classifyPlan', () => {
  it('a migration journal as zone-migrate publishes it -> migration rollback of its workload', () => {
    expect(classifyPlan(journal, { destination: '' })).toEqual({
      kind: 'migration-rollback',
      workload: { namespace: 'db', name: 'pg', kind: 'kube' },
      targetZones: ['zone-b', 'zone-c'],
      runId: 'r-123',
      status: 'open',
    });
  });
  it('a journal marked with the schema; target zones from the volumes when not listed', () => {
    const doc = {
      schema: MIGRATION_JOURNAL_SCHEMA,
      workload: { namespace: 'db', name: 'pg', kind: 'kruise' },
      volumes: [{ targetZone: 'zone-c' }, { targetZone: 'zone-c' }],
    };
    expect(classifyPlan(doc, { destination: '' })).toMatchObject({
      workload: { kind: 'kruise' },
      targetZones: ['zone-c'],
    });
  });
  it('refuses a journal without a workload name', () => {
    expect(() => classifyPlan({ ...journal, workload: { namespace: 'db' } }, { destination: '' })).toThrow(
      'a journal whose workload has a namespace and a name',
    );
  });
  it('a rollback plan document -> etcd restore from its manifest URI', () => {
    expect(
      classifyPlan(etcdRollbackPlan('s3://b/prod/x.json', { revision: 42, cluster: 'prod' }), {
        destination: '',
      }),
    ).toEqual({
      kind: 'etcd-restore',
      manifestUri: 's3://b/prod/x.json',
      revision: 42,
      cluster: 'prod',
    });
  });
  it('a rollback plan document wrapping a journal -> migration rollback', () => {
    expect(
      classifyPlan({ schema: ROLLBACK_PLAN_SCHEMA, kind: 'migration-rollback', journal }, { destination: '' })
        .kind,
    ).toBe('migration-rollback');
  });
  it('an etcd manifest read from a store keeps its URI', () => {
    expect(classifyPlan(manifest, { uri: 'file:///b/prod/x.json', destination: '' })).toMatchObject({
      manifestUri: 'file:///b/prod/x.json',
      revision: 42,
    });
  });
  it('a bare etcd manifest finds its URI under the destination', () => {
    expect(classifyPlan(manifest, { destination: 's3://bucket/etcd/' })).toMatchObject({
      kind: 'etcd-restore',
      manifestUri: 's3://bucket/etcd/prod/20261201T000000Z-rev42.json',
    });
  });
  it('a bare etcd manifest without a destination asks for one', () => {
    expect(() => classifyPlan(manifest, { destination: '' })).toThrow(
      'destination: empty value is not valid; expected the store that holds this etcd snapshot manifest',
    );
  });
  it('refuses anything else, naming what it found', () => {
    expect(() => classifyPlan({ schema: 'other/v1' }, { destination: '' })).toThrow(
      'plan: "schema other/v1" is not valid',
    );
    expect(() => classifyPlan([1], { destination: '' })).toThrow('expected a JSON object');
    expect(() =>
      classifyPlan({ schema: ROLLBACK_PLAN_SCHEMA, kind: 'etcd-restore' }, { destination: '' }),
    ).toThrow('kind etcd-restore with a manifestUri');
  });
});

describe('pickPlanFile', () => {
  it('prefers rollback-plan.json, else the only .json', () => {
    expect(pickPlanFile('d', ['a.json', 'rollback-plan.json'])).toBe('rollback-plan.json');
    expect(pickPlanFile('d', ['journal.json', 'notes.txt'])).toBe('journal.json');
    expect(() => pickPlanFile('d', ['a.json', 'b.json'])).toThrow('it has a.json, b.json');
    expect(() => pickPlanFile('d', [])).toThrow('it has none');
  });
});
