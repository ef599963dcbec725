/**
 * The verification loop: observe, check, and wait up to the timeout for unhealthy things to heal.
 * A pass needs two healthy observations one interval apart (restart counts that rise between them
 * are a crash loop that a single look cannot see), or one when the timeout leaves no room for two.
 * User commands run once the cluster checks pass, and again in later rounds while they fail.
 */
import type { ClusterView } from '../kube/cluster-view.js';
import { markdownTable } from '../markdown.js';
import { failed, type Observation, type VerifyCheck, evaluate } from './checks.js';
import type { CommandResult } from './commands.js';
import type { VerifySettings } from './settings.js';

export interface VerifyDeps {
  view: ClusterView;
  runCommand: (command: string, timeoutMs: number) => Promise<CommandResult>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
}

export interface VerifyReport {
  verdict: 'pass' | 'fail';
  rounds: number;
  elapsedSeconds: number;
  checks: VerifyCheck[];
  commands: CommandResult[];
  failures: VerifyCheck[];
}

function commandChecks(results: CommandResult[]): VerifyCheck[] {
  return results.map((r) => ({
    check: 'command',
    target: r.command,
    status: r.exitCode === 0 ? 'pass' : 'fail',
    reason: r.timedOut
      ? `timed out after ${(r.durationMs / 1000).toFixed(1)} s`
      : r.exitCode === 0
        ? `exit 0 in ${(r.durationMs / 1000).toFixed(1)} s`
        : `exit ${r.exitCode ?? 'signal'}${r.outputTail ? `: ${lastLine(r.outputTail)}` : ''}`,
  }));
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

export async function verifyCluster(settings: VerifySettings, deps: VerifyDeps): Promise<VerifyReport> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const log = deps.log ?? (() => undefined);
  const started = now();
  const deadline = started + settings.timeoutMs;
  let previous: Observation | undefined;
  let healthyRounds = 0;
  let rounds = 0;
  let checks: VerifyCheck[] = [];
  let commands: CommandResult[] = [];
  let commandsPassed = settings.commands.length === 0;
  for (;;) {
    rounds++;
    const obs = await deps.view.observe(settings.namespaces, settings.workloads);
    checks = evaluate(obs, previous, settings);
    previous = obs;
    const bad = failed(checks);
    healthyRounds = bad.length === 0 ? healthyRounds + 1 : 0;
    if (bad.length === 0 && !commandsPassed) {
      commands = [];
      for (const c of settings.commands) {
        const left = Math.max(1000, Math.min(settings.commandTimeoutMs, deadline - now()));
        const r = await deps.runCommand(c, left);
        commands.push(r);
        log(`command ${JSON.stringify(c)}: ${commandChecks([r])[0]!.reason}`);
        if (r.exitCode !== 0) break;
      }
      commandsPassed =
        commands.every((r) => r.exitCode === 0) && commands.length === settings.commands.length;
    }
    const all = [...checks, ...commandChecks(commands)];
    const allBad = failed(all);
    const ok = allBad.length === 0 && commandsPassed;
    const noRoundLeft = deadline - now() < settings.intervalMs;
    if ((ok && healthyRounds >= 2) || noRoundLeft) {
      return {
        verdict: ok ? 'pass' : 'fail',
        rounds,
        elapsedSeconds: Math.round((now() - started) / 100) / 10,
        checks: all,
        commands,
        failures: allBad,
      };
    }
    if (allBad.length > 0)
      log(
        `round ${rounds}: ${allBad.length} unhealthy (${allBad.map((c) => c.target).join(', ')}); checking again`,
      );
    await sleep(settings.intervalMs);
  }
}

export function verifySummary(report: VerifyReport): string {
  const icon = (s: string): string => (s === 'pass' ? '✅' : '❌');
  const rows = report.checks.map((c) => [`${icon(c.status)} ${c.status}`, c.check, c.target, c.reason]);
  return [
    `### Cluster verification: ${report.verdict === 'pass' ? '✅ pass' : '❌ fail'}`,
    `${report.rounds} round${report.rounds === 1 ? '' : 's'} in ${report.elapsedSeconds} s.` +
      (report.failures.length
        ? ` Unhealthy: ${report.failures.map((f) => `\`${f.target}\``).join(', ')}.`
        : ''),
    markdownTable(['status', 'check', 'target', 'reason'], rows),
  ].join('\n\n');
}
