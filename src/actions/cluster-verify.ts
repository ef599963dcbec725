import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubesafeError } from '../errors.js';
import type { InputSource } from '../inputs.js';
import { loadKubeConfig } from '../kube/client.js';
import { makeClusterView } from '../kube/cluster-view.js';
import type { Reporter, RunContext } from '../report.js';
import { runCommand } from '../verify/commands.js';
import { parseVerifySettings } from '../verify/settings.js';
import { verifyCluster, verifySummary } from '../verify/verify.js';

/**
 * The environment of user commands: KUBECONFIG points at the same cluster the checks read (inline
 * content goes to a private temporary file, removed afterwards).
 */
function commandEnvironment(
  kubeconfig: string,
  context: string,
): { env: NodeJS.ProcessEnv; cleanup: () => void } {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBESAFE_CONTEXT: context };
  if (kubeconfig === '') return { env, cleanup: () => undefined };
  if (!kubeconfig.includes('\n'))
    return { env: { ...env, KUBECONFIG: kubeconfig }, cleanup: () => undefined };
  const dir = mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'kubesafe-verify-'));
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(file, kubeconfig, { mode: 0o600 });
  return { env: { ...env, KUBECONFIG: file }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function run(inputs: InputSource, reporter: Reporter, _context: RunContext): Promise<void> {
  const settings = parseVerifySettings(inputs);
  if (settings.kubeconfig.includes('\n')) reporter.secret(settings.kubeconfig);
  const kc = loadKubeConfig(settings);
  const { env, cleanup } = commandEnvironment(settings.kubeconfig, settings.context);
  try {
    const report = await verifyCluster(settings, {
      view: makeClusterView(kc),
      runCommand: (c, ms) => runCommand(c, ms, env),
      log: (m) => reporter.info(m),
    });
    reporter.setOutput('verdict', report.verdict);
    reporter.setOutput('report', JSON.stringify(report));
    reporter.summary(verifySummary(report));
    for (const f of report.failures) reporter.warn(`${f.check} ${f.target}: ${f.reason}`);
    if (report.verdict === 'fail' && settings.failOnUnhealthy)
      throw new KubesafeError(
        `cluster verification failed after ${report.elapsedSeconds} s: ${report.failures
          .map((f) => `${f.target} (${f.reason})`)
          .join('; ')}`,
      );
    reporter.info(
      `cluster verification: ${report.verdict} (${report.checks.length} checks, ${report.rounds} rounds)`,
    );
  } finally {
    cleanup();
  }
}
