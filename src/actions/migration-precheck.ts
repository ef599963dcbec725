import { PreconditionFailed } from '../errors.js';
import type { InputSource } from '../inputs.js';
import { openKubeAccess, parseKubeAccessSettings } from '../kube/access.js';
import { runPrecheck } from '../migration/precheck.js';
import { parsePrecheckSettings } from '../migration/settings.js';
import { failureMessage, precheckSummary } from '../migration/summary.js';
import type { Reporter, RunContext } from '../report.js';

export async function run(inputs: InputSource, reporter: Reporter, _context: RunContext): Promise<void> {
  const kube = parseKubeAccessSettings(inputs, (v) => reporter.secret(v));
  const settings = parsePrecheckSettings(inputs);
  const access = openKubeAccess(kube);
  const result = await reporter.group('Precheck', () => runPrecheck(access, settings));
  for (const c of result.checks) {
    const line = `${c.status.padEnd(4)} ${c.check}: ${c.reason}`;
    if (c.status === 'pass') reporter.info(line);
    else reporter.warn(line);
  }
  reporter.setOutput('verdict', result.verdict);
  reporter.setOutput('plan', JSON.stringify(result.plan));
  reporter.setOutput('failures', JSON.stringify(result.failures));
  reporter.setOutput('checks', JSON.stringify(result.checks));
  reporter.summary(precheckSummary(result));
  if (result.verdict === 'fail') throw new PreconditionFailed(failureMessage(result));
}
