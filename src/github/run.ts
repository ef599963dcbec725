import * as core from '@actions/core';
import { errorMessage } from '../errors.js';
import type { InputSource } from '../inputs.js';
import { OPERATIONS } from '../operations.js';
import type { RunContext } from '../report.js';
import { ActionsReporter } from './reporter.js';

const POST_MARKER = 'kubesafe-post';

function actionInputs(): InputSource {
  return { get: (name) => core.getInput(name) };
}

function runContext(): RunContext {
  const env = process.env;
  const url =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return { runUrl: url, commit: env.GITHUB_SHA, repository: env.GITHUB_REPOSITORY };
}

/** The body of every action bundle: main step, or the post step when the main step left state. */
export async function runAction(name: string): Promise<void> {
  const reporter = new ActionsReporter();
  const inputs = actionInputs();
  try {
    const load = OPERATIONS[name];
    if (!load) throw new Error(`unknown operation ${JSON.stringify(name)}`);
    const op = await load();
    if (core.getState(POST_MARKER) === 'true') {
      if (op.post) await op.post(inputs, reporter, stateFromEnv());
      return;
    }
    core.saveState(POST_MARKER, 'true');
    await op.run(inputs, reporter, runContext());
  } catch (err) {
    core.setFailed(errorMessage(err));
  } finally {
    await reporter.flushSummary().catch((err: unknown) => core.warning(`job summary: ${errorMessage(err)}`));
  }
}

/** The root action: input `command` chooses the operation. */
export async function runRootAction(): Promise<void> {
  const command = core.getInput('command');
  if (!OPERATIONS[command]) {
    core.setFailed(
      `command: ${JSON.stringify(command)} is not valid; expected one of ${Object.keys(OPERATIONS).join(', ')}`,
    );
    return;
  }
  await runAction(command);
}

function stateFromEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (k.startsWith('STATE_') && v !== undefined) out[k.slice(6)] = v;
  return out;
}
