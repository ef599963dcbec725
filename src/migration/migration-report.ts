/** The migration's job summary, pure over the journal: plan, timeline, Mermaid gantt, downtime, final state. */
import { markdownTable } from '../markdown.js';
import { FORWARD_STEPS, ROLLBACK_STEPS, type Journal } from './journal.js';
import { downtimeMs } from './state-machine.js';
import type { MigrationPlan } from './types.js';

export interface TimelineRow {
  step: string;
  start: string;
  startMs: number;
  durationMs: number;
  state: string;
}

export function timeline(j: Journal): TimelineRow[] {
  return [...FORWARD_STEPS, ...ROLLBACK_STEPS]
    .filter((s) => j.steps[s].startedAt)
    .map((s) => {
      const rec = j.steps[s];
      const startMs = Date.parse(rec.startedAt!);
      const end = rec.finishedAt ? Date.parse(rec.finishedAt) : Date.parse(j.updatedAt);
      return {
        step: s,
        start: rec.startedAt!,
        startMs,
        durationMs: Math.max(0, end - startMs),
        state: rec.state,
      };
    })
    .sort((a, b) => a.startMs - b.startMs);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** A Mermaid gantt chart of the steps (millisecond timestamps, so short steps still show). */
export function ganttChart(rows: TimelineRow[]): string {
  const lines = ['```mermaid', 'gantt', '  title Migration timeline', '  dateFormat x', '  axisFormat %M:%S'];
  let section = '';
  for (const r of rows) {
    const s = r.step.startsWith('rollback-') ? 'rollback' : 'migration';
    if (s !== section) lines.push(`  section ${(section = s)}`);
    const tag = r.state === 'done' ? '' : 'crit, ';
    lines.push(`  ${r.step} : ${tag}${r.startMs}, ${r.startMs + Math.max(1, r.durationMs)}`);
  }
  lines.push('```');
  return lines.join('\n');
}

export function planTable(plan: MigrationPlan): string {
  return markdownTable(
    ['ordinal', 'PVC', 'PV', 'size', 'from', 'to', 'moves'],
    plan.volumes.map((v) => [
      v.ordinal,
      v.pvc,
      v.pv,
      `${(v.sizeBytes / 2 ** 30).toFixed(2)} GiB`,
      v.sourceZone,
      v.targetZone,
      v.moves ? 'yes' : 'no (already in a target zone)',
    ]),
  );
}

export function finalStateTable(j: Journal): string {
  const back = j.direction === 'rollback';
  return markdownTable(
    ['PVC', 'bound to', 'zone', 'source PV', 'snapshot'],
    j.volumes.map((v) => [
      v.pvc,
      !v.moves || back ? v.sourcePv : (v.newPv ?? '-'),
      !v.moves || back ? v.sourceZone : (v.newPvZone ?? v.targetZone),
      !v.moves ? '-' : v.sourceDeleted ? 'deleted' : 'kept (Retain)',
      v.moves ? v.snapshotName : '-',
    ]),
  );
}

export function migrationSummary(
  result: string,
  j: Journal | undefined,
  plan: MigrationPlan | undefined,
  error?: string,
): string {
  const title = j
    ? `${j.workload.namespace}/${j.workload.name}`
    : plan
      ? `${plan.workload.namespace}/${plan.workload.name}`
      : '';
  const parts = [`### Zone migration of \`${title}\`: ${result}`];
  if (plan)
    parts.push(
      '#### Plan',
      planTable(plan),
      `Estimated downtime (an estimate): ${plan.estimatedDowntimeSeconds} s`,
    );
  if (!j) return parts.join('\n\n');
  const d = downtimeMs(j);
  parts.push(
    `**Downtime** (scale to zero until Ready again): ${d === undefined ? 'not measured' : formatDuration(d)}`,
  );
  if (j.rollback) {
    parts.push(
      '#### Rollback',
      `- what failed: ${j.rollback.reason}`,
      `- where: step \`${j.rollback.failedStep}\``,
      ...j.rollback.undone.map((u) => `- undone: ${u}`),
      ...j.rollback.kept.map((k) => `- kept: ${k}`),
    );
  }
  if (error && !j.rollback) parts.push(`**Failed:** ${error}`);
  const rows = timeline(j);
  parts.push(
    '#### Timeline',
    markdownTable(
      ['step', 'start', 'duration', 'state'],
      rows.map((r) => [r.step, r.start, formatDuration(r.durationMs), r.state]),
    ),
    ganttChart(rows),
    '#### Final state',
    finalStateTable(j),
    `Journal: ConfigMap \`kubesafe-migration-${j.workload.name}\` in \`${j.workload.namespace}\` (status ${j.status}).`,
  );
  return parts.join('\n\n');
}
