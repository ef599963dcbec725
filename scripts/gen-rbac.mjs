// Writes deploy/rbac/<action>.yaml from src/migration/permissions.ts: runs src/migration/rbac.test.ts with
// KUBESAFE_WRITE_RBAC=1 (the same test, without it, fails when the files drift from the table).
import { spawnSync } from 'node:child_process';

const r = spawnSync(
  process.execPath,
  ['node_modules/jest/bin/jest.js', '--selectProjects', 'unit', 'src/migration/rbac.test.ts'],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      KUBESAFE_WRITE_RBAC: '1',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim(),
    },
  },
);
process.exit(r.status ?? 1);
