import { KubesafeError, errorMessage } from '../errors.js';
import { parseChoice, parseDuration, type InputSource } from '../inputs.js';
import type { Reporter } from '../report.js';
import { staticPodHook } from './restore-plan.js';
import { parseControlPlane, type SshSettings } from './ssh-settings.js';
import type { SshSession } from './ssh.js';

/** `quiesce: api-servers`: the cluster's writers are stopped for the snapshot and always brought back. */
export interface QuiesceSettings {
  hosts: { host: string; port: number }[];
  ssh: SshSettings;
  stopCommand: string;
  startCommand: string;
  timeoutMs: number;
}

export const QUIESCE_STATE = { hosts: 'quiesce-hosts', resumed: 'quiesce-resumed' } as const;

export function parseQuiesceSettings(
  inputs: InputSource,
  secret: (v: string) => void,
): QuiesceSettings | undefined {
  const mode = parseChoice('quiesce', inputs.get('quiesce'), ['none', 'api-servers'] as const, 'none');
  if (mode === 'none') return undefined;
  return {
    ...parseControlPlane(inputs, secret),
    stopCommand: inputs.get('stop-apiserver-command') || staticPodHook('kube-apiserver', 'stop'),
    startCommand: inputs.get('start-apiserver-command') || staticPodHook('kube-apiserver', 'start', 300),
    timeoutMs: parseDuration('quiesce-timeout', inputs.get('quiesce-timeout'), 5 * 60_000),
  };
}

async function onEachHost(
  settings: QuiesceSettings,
  command: string,
  what: string,
  reporter: Reporter,
): Promise<string[]> {
  const failures: string[] = [];
  for (const h of settings.hosts) {
    let session: SshSession | undefined;
    try {
      // ssh2 loads only when a run quiesces.
      const { openSshSession } = await import('./ssh.js');
      session = await openSshSession({ ...h, user: settings.ssh.user }, settings.ssh.credentials);
      const r = await session.exec(command, settings.timeoutMs);
      if (r.code !== 0)
        failures.push(
          `${session.label}: ${what} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
        );
      else reporter.info(`${what}: done on ${session.label}`);
    } catch (err) {
      failures.push(`${h.host}:${h.port}: ${what}: ${errorMessage(err)}`);
    } finally {
      await session?.close();
    }
  }
  return failures;
}

/** Starts the API servers on every host; used at the end of the window and by the post step. */
export async function startApiServers(settings: QuiesceSettings, reporter: Reporter): Promise<void> {
  const failures = await onEachHost(settings, settings.startCommand, 'start the API server', reporter);
  if (failures.length > 0) {
    throw new KubesafeError(
      `quiesce: the API servers could not all be started again; start them by hand:\n${failures.join('\n')}`,
    );
  }
}

/**
 * Runs `fn` with the API servers stopped. They are started again whatever happens: after `fn`, after a
 * failed stop, on SIGINT/SIGTERM (a cancelled job), and by the action's post step if this process dies.
 */
export async function withApiServersStopped<T>(
  settings: QuiesceSettings,
  reporter: Reporter,
  fn: () => Promise<T>,
): Promise<{ result: T; outageMs: number }> {
  reporter.saveState(QUIESCE_STATE.hosts, JSON.stringify(settings.hosts));
  let resumed: Promise<void> | undefined;
  const resume = () => (resumed ??= startApiServers(settings, reporter));
  const onSignal = (signal: NodeJS.Signals) => {
    reporter.warn(`quiesce: ${signal} received; starting the API servers again before exiting`);
    resume().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stoppedAt = Date.now();
  try {
    const failures = await reporter.group('Stop the API servers', () =>
      onEachHost(settings, settings.stopCommand, 'stop the API server', reporter),
    );
    if (failures.length > 0)
      throw new KubesafeError(
        `quiesce: could not stop every API server; nothing was snapshotted:\n${failures.join('\n')}`,
      );
    const result = await fn();
    return { result, outageMs: await resumeAndMeasure() };
  } catch (err) {
    await resumeAndMeasure().catch((e: unknown) => reporter.warn(errorMessage(e)));
    throw err;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }

  async function resumeAndMeasure(): Promise<number> {
    await reporter.group('Start the API servers', resume);
    reporter.saveState(QUIESCE_STATE.resumed, 'true');
    const outage = Date.now() - stoppedAt;
    reporter.info(`API servers were stopped for ${(outage / 1000).toFixed(1)} s`);
    return outage;
  }
}
