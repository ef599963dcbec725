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
  'etcd-snapshot': () => import('./actions/etcd-snapshot.js'),
  'migration-precheck': () => import('./actions/migration-precheck.js'),
  'volume-snapshots': () => import('./actions/volume-snapshots.js'),
  'zone-migrate': () => import('./actions/zone-migrate.js'),
};

export function operationNames(): string[] {
  return Object.keys(OPERATIONS).sort();
}
