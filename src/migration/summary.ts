/** The precheck's job summary and error text: the checks table and the plan table. */
import { markdownTable } from '../markdown.js';
import { formatBytes } from './quantity.js';
import type { PrecheckResult } from './types.js';

const ICON = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail' } as const;

export function planRows(result: PrecheckResult): (string | number)[][] {
  return result.plan.volumes.map((v) => [
    v.ordinal,
    v.pvc,
    v.pv || '-',
    formatBytes(v.sizeBytes),
    v.driver || '-',
    v.sourceZone || '?',
    v.targetZone || '-',
    v.snapshotClass || '-',
    v.moves ? 'moves' : 'stays',
  ]);
}

export const PLAN_HEADER = ['ordinal', 'PVC', 'PV', 'size', 'driver', 'from', 'to', 'snapshot class', ''];

export function precheckSummary(result: PrecheckResult): string {
  const w = result.plan.workload;
  const moving = result.plan.volumes.filter((v) => v.moves).length;
  return [
    `### Migration precheck of \`${w.namespace}/${w.name}\`: ${result.verdict === 'pass' ? '✅ pass' : '❌ fail'}`,
    markdownTable(
      ['check', 'result', 'reason'],
      result.checks.map((c) => [c.check, ICON[c.status], c.reason]),
    ),
    `#### Plan (${moving} of ${result.plan.volumes.length} volumes move; zone key \`${result.plan.zoneKey || '-'}\`)`,
    result.plan.volumes.length ? markdownTable(PLAN_HEADER, planRows(result)) : '_No volumes found._',
    `Downtime **estimate**: about ${result.plan.estimatedDowntimeSeconds} s with every pod down.`,
  ].join('\n\n');
}

/** One message holding every failed check, for PreconditionFailed. */
export function failureMessage(result: PrecheckResult): string {
  const w = result.plan.workload;
  return [
    `migration precheck of ${w.namespace}/${w.name} failed ${result.failures.length} check${result.failures.length === 1 ? '' : 's'}:`,
    ...result.failures.map((f) => `  - ${f.check}: ${f.reason}`),
  ].join('\n');
}
