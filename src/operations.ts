import type { InputSource } from './inputs.js';
import type { Reporter, RunContext } from './report.js';

/** One operation, runnable as an action or as a CLI command. Outputs go through `reporter.setOutput`. */
export interface Operation {
  run(inputs: InputSource, reporter: Reporter, context: RunContext): Promise<void>;
  /** The action's post step (`runs.post`): cleanup that must happen even after failure or cancel. */
  post?(inputs: InputSource, reporter: Reporter, state: Record<string, string>): Promise<void>;
}

/**
 * Every operation, by its action name. Loaded on demand so that each action's bundle only parses the
 * modules it uses.
 */
export const OPERATIONS: Record<string, () => Promise<Operation>> = {
  'cluster-verify': () => import('./actions/cluster-verify.js'),
  'etcd-snapshot': () => import('./actions/etcd-snapshot.js'),
  'migration-precheck': () => import('./actions/migration-precheck.js'),
  'etcd-restore': () => import('./actions/etcd-restore.js'),
  snapshots: () => import('./actions/snapshots.js'),
  'migration-rehearse': () => import('./actions/migration-rehearse.js'),
  rollback: () => import('./actions/rollback.js'),
  'volume-snapshots': () => import('./actions/volume-snapshots.js'),
  'zone-migrate': () => import('./actions/zone-migrate.js'),
};

export function operationNames(): string[] {
  return Object.keys(OPERATIONS).sort();
}
