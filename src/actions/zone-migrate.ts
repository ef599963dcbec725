import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubesafeError, errorMessage } from '../errors.js';
import type { InputSource } from '../inputs.js';
import type { Reporter, RunContext } from '../report.js';
import { parseKubeAccessSettings } from '../kube/access.js';
import { loadKubeConfig, type k8s } from '../kube/client.js';
import { makeMigrationClients, type MigrationClients } from '../kube/clients.js';
import { kubeExec, type PodExec } from '../kube/exec.js';
import { migrate, type MigrationOutcome, type Precheck } from '../migration/execute.js';
import type { StepName } from '../migration/journal.js';
import { migrationSummary } from '../migration/migration-report.js';
import { parseMigrateSettings } from '../migration/settings-migrate.js';
import { downtimeMs } from '../migration/state-machine.js';
import { defaultPrecheck, parseSharedSettings } from '../migration/precheck-port.js';

/** What the entry wires in; tests replace the precheck and the exec (both named as stand-ins there). */
export interface MigrateWiring {
  precheck: (kc: k8s.KubeConfig, clients: MigrationClients) => Precheck;
  exec: (clients: MigrationClients) => PodExec;
}

/**
 * Test-only knob, documented in the README: KUBESAFE_TEST_KILL_AFTER_STEP=<step> makes the process
 * SIGKILL itself right after the journal records <step> as done (`<step>:started`: right after the
 * write-ahead record, before the step acts; `swap:original-deleted`: inside the swap, when the
 * original PVC is gone and its name has no claim yet), to prove that resume and rollback converge.
 */
export function killKnob(env = process.env): ((step: StepName, state: string) => void) | undefined {
  const knob = env.KUBESAFE_TEST_KILL_AFTER_STEP;
  if (!knob) return undefined;
  return (step, state) => {
    if (knob === (state === 'done' ? step : `${step}:${state}`)) process.kill(process.pid, 'SIGKILL');
  };
}

function writeJournalFile(outcome: MigrationOutcome): string | undefined {
  const j = outcome.journal;
  if (!j) return undefined;
  const dir = process.env.RUNNER_TEMP || path.join(tmpdir(), 'kubesafe');
  mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `kubesafe-migration-${j.workload.namespace}-${j.workload.name}-${j.runId}.json`,
  );
  writeFileSync(file, JSON.stringify(j, null, 2));
  return file;
}

export async function runMigration(
  inputs: InputSource,
  reporter: Reporter,
  wiring: MigrateWiring,
): Promise<MigrationOutcome> {
  const settings = parseMigrateSettings(inputs, parseSharedSettings(inputs));
  const kc = loadKubeConfig(parseKubeAccessSettings(inputs, (v) => reporter.secret(v)));
  const clients = makeMigrationClients(kc);
  const outcome = await migrate(settings, {
    clients,
    precheck: wiring.precheck(kc, clients),
    exec: wiring.exec(clients),
    reporter,
    onBoundary: killKnob(),
  }).finally(() => clients.kc.close());
  reporter.setOutput('result', outcome.result);
  const d = outcome.journal ? downtimeMs(outcome.journal) : undefined;
  reporter.setOutput('downtime', d === undefined ? '' : (d / 1000).toFixed(1));
  reporter.setOutput('journal', outcome.journal ? JSON.stringify(outcome.journal) : '');
  const journalFile = writeJournalFile(outcome);
  reporter.setOutput('journal-file', journalFile ?? '');
  if (journalFile && reporter.publishArtifact) {
    // The rollback plan a later job (actions/rollback) downloads; the ConfigMap stays the source of truth.
    const name = `kubesafe-migration-journal-${settings.precheck.workload.namespace}-${settings.precheck.workload.name}-${settings.mode}`;
    await reporter
      .publishArtifact(name, journalFile)
      .catch((err: unknown) =>
        reporter.warn(
          `the journal was not uploaded as artifact ${name}: ${errorMessage(err)}; it stays in the cluster`,
        ),
      );
  }
  reporter.setOutput('api-requests', String(outcome.apiRequests));
  reporter.summary(migrationSummary(outcome.result, outcome.journal, outcome.plan, outcome.error));
  return outcome;
}

export async function run(inputs: InputSource, reporter: Reporter, _context: RunContext): Promise<void> {
  const outcome = await runMigration(inputs, reporter, {
    precheck: (kc) => defaultPrecheck(kc),
    exec: (clients) => kubeExec(clients, 60_000),
  });
  // A rolled-back or failed migration fails the step, so that workflows can react (outputs are set);
  // a rollback that was asked for (mode: rollback) and done is a success.
  if (outcome.result === 'rolled-back' && inputs.get('mode') !== 'rollback')
    throw new KubesafeError(`migration rolled back: ${outcome.error ?? 'see the summary'}`);
  if (outcome.result === 'failed')
    throw new KubesafeError(
      `migration failed and the journal stays open: ${outcome.error ?? 'see the summary'}`,
    );
}
