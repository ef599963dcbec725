import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadActionMeta } from '../actions-meta.js';
import { InputError } from '../errors.js';
import { inputsFrom, parseBool, parseChoice, requireInput, type InputSource } from '../inputs.js';
import { markdownTable } from '../markdown.js';
import type { Reporter, RunContext } from '../report.js';
import {
  classifyPlan,
  parsePlanText,
  pickPlanFile,
  planSource,
  uriAction,
  type PlanSource,
  type RollbackAction,
} from '../rollback/plan.js';
import { rollbackTargets, TARGET_ACTIONS, type RollbackTargets } from './rollback-targets.js';

/** Inputs handed on unchanged to etcd-restore when they are set. */
export const ETCD_PASSTHROUGH = [
  'members',
  'data-dir',
  'ssh-user',
  'ssh-port',
  'ssh-private-key',
  'ssh-passphrase',
  'ssh-known-hosts',
  'stop-apiserver-command',
  'start-apiserver-command',
  'stop-etcd-command',
  'start-etcd-command',
  'endpoints',
  'ca',
  'cert',
  'key',
  'plan-dir',
  'etcd-version',
  'member-etcd-bin-dir',
  'encryption-key',
  'decryption-identity',
  's3-endpoint',
  's3-region',
] as const;
/** Inputs handed on unchanged to zone-migrate (mode rollback) when they are set. */
export const MIGRATION_PASSTHROUGH = ['kubeconfig', 'context', 'step-timeout', 'check-interval'] as const;
const SECRET_INPUTS = ['ssh-private-key', 'ssh-passphrase', 'key', 'encryption-key', 'decryption-identity'];

export interface RollbackDeps {
  targets: RollbackTargets;
  /** Downloads a workflow artifact by name; returns its folder. */
  downloadArtifact: (name: string, dir: string) => Promise<string>;
  /** Input defaults of a target action (from its action.yml). */
  targetDefaults: (action: string) => Record<string, string>;
}

function defaultsOf(action: string): Record<string, string> {
  try {
    const meta = loadActionMeta(action);
    return Object.fromEntries(Object.entries(meta.inputs).map(([k, v]) => [k, v.default ?? '']));
  } catch {
    return {};
  }
}

const defaultDeps: RollbackDeps = {
  targets: rollbackTargets,
  downloadArtifact: async (name, dir) => {
    if (!process.env.ACTIONS_RUNTIME_TOKEN)
      throw new InputError(
        'plan',
        name,
        'JSON, an existing file or folder, or a store URI (an artifact name works only inside a GitHub Actions run)',
      );
    const { downloadArtifactByName } = await import('../github/artifact-download.js');
    return downloadArtifactByName(name, dir);
  },
  targetDefaults: defaultsOf,
};

function readPlanFile(file: string): { doc: unknown; file: string } {
  let target = file;
  if (statSync(file).isDirectory()) target = path.join(file, pickPlanFile(file, readdirSync(file)));
  return { doc: parsePlanText(readFileSync(target, 'utf8'), target), file: target };
}

/** The `plan` input -> the rollback it asks for, and a line saying where it came from. */
export async function resolvePlan(
  value: string,
  destination: string,
  deps: Pick<RollbackDeps, 'downloadArtifact'>,
): Promise<{ action: RollbackAction; origin: string }> {
  const source: PlanSource = planSource(value, (p) => existsSync(p));
  switch (source.from) {
    case 'json':
      return {
        action: classifyPlan(parsePlanText(source.text, '<json>'), { destination }),
        origin: 'JSON input',
      };
    case 'uri':
      return { action: uriAction(source.uri), origin: source.uri };
    case 'path': {
      const { doc, file } = readPlanFile(source.path);
      return { action: classifyPlan(doc, { destination }), origin: file };
    }
    case 'artifact': {
      const dir = mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'kubesafe-plan-'));
      const folder = await deps.downloadArtifact(source.name, dir);
      const { doc, file } = readPlanFile(folder);
      return {
        action: classifyPlan(doc, { destination }),
        origin: `artifact ${source.name} (${path.basename(file)})`,
      };
    }
  }
}

function handOn(inputs: InputSource, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (inputs.get(n) !== '') out[n] = inputs.get(n);
  return out;
}

/** The inputs of the operation a plan dispatches to: its own defaults, what the caller set, the plan. */
export function targetInputs(
  action: RollbackAction,
  inputs: InputSource,
  defaults: Record<string, string>,
  mode: 'plan' | 'execute',
): Record<string, string> {
  if (action.kind === 'etcd-restore')
    return { ...defaults, ...handOn(inputs, ETCD_PASSTHROUGH), snapshot: action.manifestUri, mode };
  return {
    ...defaults,
    ...handOn(inputs, MIGRATION_PASSTHROUGH),
    namespace: action.workload.namespace,
    statefulset: action.workload.name,
    'workload-kind': action.workload.kind,
    'target-zones': action.targetZones.join(','),
    mode: 'rollback',
    'dry-run': 'false',
  };
}

function describe(action: RollbackAction, mode: 'plan' | 'execute'): [string, string][] {
  if (action.kind === 'etcd-restore')
    return [
      [
        'rollback',
        `etcd restore (${mode === 'plan' ? 'plan only: scripts and steps, nothing is touched' : 'execute'})`,
      ],
      ['snapshot manifest', action.manifestUri],
      ...(action.cluster ? [['cluster', action.cluster] as [string, string]] : []),
      ...(action.revision !== undefined ? [['revision', String(action.revision)] as [string, string]] : []),
    ];
  const w = action.workload;
  return [
    ['rollback', 'zone migration rollback to the source volumes'],
    ['workload', `${w.kind === 'kruise' ? 'Advanced StatefulSet' : 'StatefulSet'} ${w.namespace}/${w.name}`],
    ['target zones of the migration', action.targetZones.join(', ')],
    ...(action.runId ? [['migration run', action.runId] as [string, string]] : []),
    ...(action.status ? [['journal status when published', action.status] as [string, string]] : []),
  ];
}

export async function runRollback(
  inputs: InputSource,
  reporter: Reporter,
  context: RunContext,
  deps: RollbackDeps,
): Promise<RollbackAction> {
  for (const n of SECRET_INPUTS) if (inputs.get(n) !== '') reporter.secret(inputs.get(n));
  if (inputs.get('kubeconfig').includes('\n')) reporter.secret(inputs.get('kubeconfig'));
  const planValue = requireInput(inputs, 'plan');
  const mode = parseChoice('mode', inputs.get('mode'), ['plan', 'execute'] as const, 'plan');
  const dryRun = parseBool('dry-run', inputs.get('dry-run'), false);
  const { action, origin } = await resolvePlan(planValue, inputs.get('destination'), deps);
  reporter.setOutput('kind', action.kind);
  reporter.setOutput('target', TARGET_ACTIONS[action.kind]);
  reporter.summary(
    [
      `### Rollback${dryRun ? ' (dry run: nothing is done)' : ''}`,
      markdownTable(['', ''], [['plan', origin], ...describe(action, mode)]),
    ].join('\n\n'),
  );
  reporter.info(`rollback plan from ${origin}: ${action.kind}`);
  if (dryRun) return action;
  const target = TARGET_ACTIONS[action.kind];
  const values = targetInputs(action, inputs, deps.targetDefaults(target), mode);
  if (action.kind === 'etcd-restore') await deps.targets.etcdRestore(inputsFrom(values), reporter, context);
  else await deps.targets.migrationRollback(inputsFrom(values), reporter, context);
  return action;
}

export async function run(inputs: InputSource, reporter: Reporter, context: RunContext): Promise<void> {
  await runRollback(inputs, reporter, context, defaultDeps);
}
