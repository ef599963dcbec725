import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PERMISSIONS } from './permissions.js';
import { RBAC_ACTIONS, rbacYaml, rulesOf } from './rbac.js';

const dir = path.resolve('deploy/rbac');

describe('deploy/rbac', () => {
  if (process.env.KUBESAFE_WRITE_RBAC === '1') {
    mkdirSync(dir, { recursive: true });
    for (const a of RBAC_ACTIONS) writeFileSync(path.join(dir, `${a}.yaml`), rbacYaml(a));
  }

  it.each(RBAC_ACTIONS)(
    'deploy/rbac/%s.yaml matches the permission table (run node scripts/gen-rbac.mjs)',
    (action) => {
      const file = path.join(dir, `${action}.yaml`);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(rbacYaml(action));
    },
  );

  it('grants every verb of the table, namespaced ones in the Role and the rest in the ClusterRole', () => {
    for (const action of RBAC_ACTIONS) {
      const [role, clusterRole] = parseAllDocuments(rbacYaml(action)).map((d) => d.toJS()) as {
        kind: string;
        rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      }[];
      expect(role!.kind).toBe('Role');
      expect(clusterRole!.kind).toBe('ClusterRole');
      for (const p of PERMISSIONS[action]) {
        const rules = p.namespaced ? role!.rules : clusterRole!.rules;
        const res = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
        for (const verb of p.verbs) {
          expect(
            rules.some(
              (r) => r.apiGroups.includes(p.group) && r.resources.includes(res) && r.verbs.includes(verb),
            ),
          ).toBe(true);
        }
      }
    }
  });

  it('the migration may patch PVs, create staging PVCs and snapshots, and scale through the subresource', () => {
    const text = rbacYaml('zone-migrate');
    expect(text).toContain('statefulsets/scale');
    expect(text).toContain('volumesnapshots');
    expect(text).toContain('persistentvolumes');
  });

  it('the precheck creates nothing but SelfSubjectAccessReviews', () => {
    const writes = PERMISSIONS['migration-precheck'].filter((p) =>
      p.verbs.some((v) => !['get', 'list', 'watch'].includes(v)),
    );
    expect(writes.map((p) => `${p.resource}:${p.verbs.join(',')}`)).toEqual([
      'selfsubjectaccessreviews:create',
    ]);
  });

  it('merges rules of one group with the same verbs', () => {
    const rules = rulesOf([
      { group: '', resource: 'a', verbs: ['list'], namespaced: true, why: '' },
      { group: '', resource: 'b', verbs: ['list'], namespaced: true, why: '' },
      { group: 'x', resource: 'c', verbs: ['list'], namespaced: true, why: '' },
    ]);
    expect(rules).toEqual([
      { apiGroups: [''], resources: ['a', 'b'], verbs: ['list'] },
      { apiGroups: ['x'], resources: ['c'], verbs: ['list'] },
    ]);
  });
});
