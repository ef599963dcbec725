/** deploy/rbac/<action>.yaml from the permission table: a Role for namespaced rules, a ClusterRole for the rest. */
import { stringify } from 'yaml';
import { PERMISSIONS, type Permission, type PermissionAction } from './permissions.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** One rule per group and verb set, resources merged; order follows the table. */
export function rulesOf(permissions: Permission[]): Rule[] {
  const rules: Rule[] = [];
  for (const p of permissions) {
    const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
    const verbs = [...p.verbs];
    const same = rules.find((r) => r.apiGroups[0] === p.group && r.verbs.join() === verbs.join());
    if (same) {
      if (!same.resources.includes(resource)) same.resources.push(resource);
    } else rules.push({ apiGroups: [p.group], resources: [resource], verbs });
  }
  return rules;
}

export function rbacYaml(action: PermissionAction): string {
  const name = `kubesafe-${action}`;
  const table = PERMISSIONS[action];
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace: 'REPLACE-WITH-NAMESPACE' },
    rules: rulesOf(table.filter((p) => p.namespaced)),
  };
  const clusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name },
    rules: rulesOf(table.filter((p) => !p.namespaced)),
  };
  return [
    `# Generated from src/migration/permissions.ts by scripts/gen-rbac.mjs. Do not edit.`,
    `# What the ${action} action needs: bind the Role in the workload's namespace and the ClusterRole`,
    `# (cluster-scoped reads${action === 'zone-migrate' ? ' and PV/StorageClass changes' : ''}) to the identity the workflow uses.`,
    stringify(role, { lineWidth: 0 }).trimEnd(),
    '---',
    stringify(clusterRole, { lineWidth: 0 }).trimEnd(),
    '',
  ].join('\n');
}

export const RBAC_ACTIONS: PermissionAction[] = [
  'migration-precheck',
  'zone-migrate',
  'etcd-snapshot-port-forward',
  'volume-snapshots-prune',
];
