/**
 * The operations a rollback plan dispatches to. They are looked up in the OPERATIONS registry at
 * run time, so this file compiles before zone-migrate and etcd-restore are part of the build and
 * picks them up once they are registered; a plan for a missing one fails before anything changes.
 * Tests inject their own table.
 */
import { PreconditionFailed } from '../errors.js';
import type { InputSource } from '../inputs.js';
import { OPERATIONS } from '../operations.js';
import type { Reporter, RunContext } from '../report.js';

export interface RollbackTargets {
  /** zone-migrate with `mode: rollback`. */
  migrationRollback(inputs: InputSource, reporter: Reporter, context: RunContext): Promise<void>;
  /** etcd-restore with `snapshot` = the manifest URI. */
  etcdRestore(inputs: InputSource, reporter: Reporter, context: RunContext): Promise<void>;
}

async function runOperation(
  name: string,
  inputs: InputSource,
  reporter: Reporter,
  context: RunContext,
): Promise<void> {
  const load = OPERATIONS[name];
  if (!load)
    throw new PreconditionFailed(`the ${name} operation is not part of this build; nothing was changed`);
  const op = await load();
  await op.run(inputs, reporter, context);
}

export const rollbackTargets: RollbackTargets = {
  migrationRollback: (inputs, reporter, context) => runOperation('zone-migrate', inputs, reporter, context),
  etcdRestore: (inputs, reporter, context) => runOperation('etcd-restore', inputs, reporter, context),
};

/** The action each target is, for its input defaults. */
export const TARGET_ACTIONS = {
  'migration-rollback': 'zone-migrate',
  'etcd-restore': 'etcd-restore',
} as const;
