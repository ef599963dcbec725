import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/actions-meta.js';

const root = projectRoot();
const cache = process.env.KUBESAFE_CACHE ?? path.join(os.homedir(), '.cache', 'kubesafe');

function workflowFiles(): string[] {
  const list = (dir: string) =>
    readdirSync(path.join(root, dir))
      .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
      .map((f) => path.join(dir, f));
  return [...list('.github/workflows'), ...list('examples')];
}

describe('workflows', () => {
  let actionlint: string;
  beforeAll(() => {
    // Builds actionlint v1.7.7 once into the cache (a no-op when it is there).
    execFileSync('bash', [path.join(root, 'test/helpers/build-actionlint.sh')], { stdio: 'inherit' });
    actionlint = path.join(cache, 'bin', 'actionlint');
  }, 600_000);

  it('has the reusable workflows and the example callers', () => {
    const files = workflowFiles();
    for (const f of [
      '.github/workflows/guarded-change.yml',
      '.github/workflows/scheduled-backup.yml',
      '.github/workflows/migration-rehearsal.yml',
      '.github/workflows/e2e-kind.yml',
      'examples/fleet-nightly-backup.yml',
    ])
      expect(files).toContain(f);
  });

  it('every workflow and example passes actionlint with no finding', () => {
    const r = spawnSync(actionlint, ['-no-color', ...workflowFiles()], { cwd: root, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
