/** zone-migrate's own inputs, on top of the ones it shares with the precheck. */
import { InputError } from '../errors.js';
import { parseBool, parseChoice, parseDuration, parseInteger, type InputSource } from '../inputs.js';
import type { PrecheckSettings } from './types.js';

export type MigrateMode = 'run' | 'resume' | 'rollback';

export interface MigrateSettings {
  precheck: PrecheckSettings;
  checkIntervalMs: number;
  maxFailedChecks: number;
  healthWindowMs: number;
  stepTimeoutMs: number;
  /** -1 keeps the snapshots forever. */
  snapshotRetentionMs: number;
  deleteSourceVolumes: boolean;
  /** Run through `sh -c` in each pod's first container; undefined when not set. */
  verifyCommand?: string[];
  dryRun: boolean;
  mode: MigrateMode;
}

export function parseRetention(value: string): number {
  if (value === '-1') return -1;
  try {
    return parseDuration('snapshot-retention', value, 86_400_000);
  } catch {
    throw new InputError(
      'snapshot-retention',
      value,
      'a duration such as 1d or 12h, or -1 to keep the snapshots',
    );
  }
}

/** Every input, validated before anything is read from the cluster. */
export function parseMigrateSettings(inputs: InputSource, precheck: PrecheckSettings): MigrateSettings {
  const checkIntervalMs = parseDuration('check-interval', inputs.get('check-interval'), 60_000);
  if (checkIntervalMs < 100)
    throw new InputError('check-interval', inputs.get('check-interval'), 'a duration of at least 100ms');
  const stepTimeoutMs = parseDuration('step-timeout', inputs.get('step-timeout'), 10 * 60_000);
  if (stepTimeoutMs < 1000)
    throw new InputError('step-timeout', inputs.get('step-timeout'), 'a duration of at least 1s');
  const verify = inputs.get('verify-command');
  return {
    precheck,
    checkIntervalMs,
    maxFailedChecks: parseInteger('max-failed-checks', inputs.get('max-failed-checks'), 3, 1, 1000),
    healthWindowMs:
      inputs.get('health-window') === '0'
        ? 0
        : parseDuration('health-window', inputs.get('health-window'), 0),
    stepTimeoutMs,
    snapshotRetentionMs: parseRetention(inputs.get('snapshot-retention')),
    deleteSourceVolumes: parseBool('delete-source-volumes', inputs.get('delete-source-volumes'), false),
    verifyCommand: verify === '' ? undefined : ['sh', '-c', verify],
    dryRun: parseBool('dry-run', inputs.get('dry-run'), false),
    mode: parseChoice('mode', inputs.get('mode'), ['run', 'resume', 'rollback'] as const, 'run'),
  };
}
