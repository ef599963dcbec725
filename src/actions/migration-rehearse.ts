import { loadActionMeta } from '../actions-meta.js';
import { InputError, KubesafeError, PreconditionFailed } from '../errors.js';
import { parseChoice, parseDuration, parseList, requireInput, type InputSource } from '../inputs.js';
import { loadKubeConfig } from '../kube/client.js';
import { makeClusterView } from '../kube/cluster-view.js';
import { RehearsalAccess } from '../kube/rehearsal.js';
import { markdownTable } from '../markdown.js';
import {
  rehearse,
  requireTargetZones,
  type RehearsalOutcome,
  type RehearseSettings,
} from '../migration/rehearse.js';
import { OPERATIONS } from '../operations.js';
import type { Reporter, RunContext } from '../report.js';
import { verifyCluster } from '../verify/verify.js';

/** zone-migrate inputs a caller may tune for the rehearsal; the rest is fixed by the rehearsal. */
const MIGRATE_PASSTHROUGH = [
  'check-interval',
  'max-failed-checks',
  'health-window',
  'allow-controllers',
  'verify-command',
];

export function parseRehearseSettings(inputs: InputSource): RehearseSettings {
  // Only apps/v1 StatefulSets are cloned: an Advanced StatefulSet clone would need its own controller.
  parseChoice('workload-kind', inputs.get('workload-kind'), ['kube'] as const, 'kube');
  const scratch = inputs.get('scratch-namespace');
  if (scratch !== '' && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(scratch))
    throw new InputError('scratch-namespace', scratch, 'a new namespace name (a DNS label)');
  let defaults: Record<string, string> = {};
  try {
    defaults = Object.fromEntries(
      Object.entries(loadActionMeta('zone-migrate').inputs).map(([k, v]) => [k, v.default ?? '']),
    );
  } catch {
    defaults = {};
  }
  const migrateInputs: Record<string, string> = { ...defaults, 'snapshot-retention': '-1' };
  for (const n of MIGRATE_PASSTHROUGH) if (inputs.get(n) !== '') migrateInputs[n] = inputs.get(n);
  return {
    namespace: requireInput(inputs, 'namespace'),
    statefulset: requireInput(inputs, 'statefulset'),
    targetZones: requireTargetZones(parseList(inputs.get('target-zones'))),
    zoneKey: inputs.get('zone-key'),
    snapshotClass: inputs.get('snapshot-class'),
    scratchNamespace: scratch,
    kubeconfig: inputs.get('kubeconfig'),
    context: inputs.get('context'),
    stepTimeoutMs: parseDuration('step-timeout', inputs.get('step-timeout'), 10 * 60_000),
    verifyTimeoutMs: parseDuration('verify-timeout', inputs.get('verify-timeout'), 5 * 60_000),
    migrateInputs,
  };
}

export function rehearsalSummary(s: RehearseSettings, o: RehearsalOutcome): string {
  const lines = [
    `### Migration rehearsal of \`${s.namespace}/${s.statefulset}\`: ${o.result === 'pass' ? '✅ pass' : '❌ fail'}`,
    markdownTable(
      ['', ''],
      [
        [
          'clone',
          `${o.scratchNamespace}/${s.statefulset} (deleted afterwards: ${o.cleanedUp ? 'yes' : '**no**'})`,
        ],
        ['migration of the clone', o.migration],
        [
          'measured downtime',
          o.downtimeSeconds === undefined ? '-' : `${o.downtimeSeconds} s (scale to zero until Ready again)`,
        ],
        ['verification of the clone', o.verify ? o.verify.verdict : '-'],
        [
          'production objects changed',
          o.productionChanged.length ? o.productionChanged.join(', ') : 'none (resourceVersions unchanged)',
        ],
        ...(o.error ? [['error', o.error]] : []),
      ],
    ),
  ];
  if (o.plan.length)
    lines.push(
      markdownTable(
        ['PVC', 'source zone', 'target zone', 'moves'],
        o.plan.map((v) => [v.pvc, v.sourceZone, v.targetZone, v.moves ? 'yes' : 'no']),
      ),
    );
  return lines.join('\n\n');
}

export async function run(inputs: InputSource, reporter: Reporter, context: RunContext): Promise<void> {
  const settings = parseRehearseSettings(inputs);
  if (settings.kubeconfig.includes('\n')) reporter.secret(settings.kubeconfig);
  const kc = loadKubeConfig(settings);
  const loadMigrate = OPERATIONS['zone-migrate'];
  if (!loadMigrate)
    throw new PreconditionFailed('the zone-migrate operation is not part of this build; nothing was changed');
  const migrateOp = await loadMigrate();
  const view = makeClusterView(kc);
  const outcome = await rehearse(
    settings,
    {
      access: new RehearsalAccess(kc),
      migrate: (i, r, c) => migrateOp.run(i, r, c),
      verify: (namespace, name, timeoutMs) =>
        verifyCluster(
          {
            kubeconfig: settings.kubeconfig,
            context: settings.context,
            nodes: false,
            controlPlane: false,
            namespaces: [namespace],
            workloads: [{ kind: 'statefulset', namespace, name }],
            commands: [],
            timeoutMs,
            intervalMs: 2000,
            commandTimeoutMs: 60_000,
            failOnUnhealthy: true,
          },
          {
            view,
            runCommand: async () => {
              throw new Error('no commands');
            },
          },
        ),
    },
    reporter,
    context,
  );
  reporter.setOutput('result', outcome.result);
  reporter.setOutput(
    'downtime',
    outcome.downtimeSeconds === undefined ? '' : String(outcome.downtimeSeconds),
  );
  reporter.setOutput('plan', JSON.stringify(outcome.plan));
  reporter.setOutput('migration-result', outcome.migration);
  reporter.setOutput('scratch-namespace', outcome.scratchNamespace);
  reporter.setOutput('production-changed', JSON.stringify(outcome.productionChanged));
  reporter.setOutput('report', JSON.stringify({ ...outcome, migrationSummary: undefined }));
  reporter.summary(rehearsalSummary(settings, outcome));
  for (const m of outcome.migrationSummary)
    reporter.summary(`<details><summary>zone-migrate on the clone</summary>\n\n${m}\n\n</details>`);
  if (outcome.result !== 'pass')
    throw new KubesafeError(
      `migration rehearsal failed: ${outcome.error ?? `clone migration ${outcome.migration}, verification ${outcome.verify?.verdict ?? '-'}`}` +
        (outcome.productionChanged.length > 0
          ? `; production objects changed: ${outcome.productionChanged.join(', ')}`
          : ''),
    );
}
