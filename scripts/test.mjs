// The README's test command: unit tests, then integration tests against real components.
// Integration suites run one at a time: they share the test cluster and its fault knobs.
import { spawnSync } from 'node:child_process';

const jest = ['node_modules/jest/bin/jest.js'];
const env = {
  ...process.env,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim(),
};
const extra = process.argv.slice(2);
const steps = [
  [...jest, '--selectProjects', 'unit', ...extra],
  [...jest, '--selectProjects', 'integration', '--runInBand', ...extra],
];
for (const args of steps) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
