import { spawn } from 'node:child_process';

export interface CommandResult {
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines of stdout and stderr together. */
  outputTail: string;
}

const TAIL_BYTES = 4000;

/**
 * Runs one user command with `sh -c`, killing its whole process group when `timeoutMs` passes
 * (a command that starts children must not outlive the step).
 */
export function runCommand(
  command: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const take = (d: Buffer): void => {
      out = (out + d.toString()).slice(-TAIL_BYTES);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const finish = (exitCode: number | null): void => {
      clearTimeout(timer);
      resolve({ command, exitCode, timedOut, durationMs: Date.now() - started, outputTail: out.trimEnd() });
    };
    child.on('error', (err) => {
      out += String(err);
      finish(null);
    });
    child.on('close', (code) => finish(code));
  });
}
