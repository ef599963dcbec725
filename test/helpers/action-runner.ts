import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadActionMeta, projectRoot } from '../../src/actions-meta.js';

export interface ActionRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  state: Record<string, string>;
}

/** Parses the runner's file-command format: `name=value` lines and `name<<DELIM ... DELIM` blocks. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i]!);
      out[heredoc[1]!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function runNode(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

/**
 * Runs `dist/<name>/index.js` the way the GitHub runner does: INPUT_* variables (with the action.yml
 * defaults), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_STATE files; then the post step, if any,
 * with the saved state as STATE_* variables.
 */
export async function runActionBundle(
  name: string,
  inputs: Record<string, string>,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<ActionRun> {
  const root = projectRoot();
  const meta = loadActionMeta(name, root);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-runner-'));
  const files = {
    GITHUB_OUTPUT: 'output',
    GITHUB_STEP_SUMMARY: 'summary',
    GITHUB_STATE: 'state',
    GITHUB_ENV: 'env',
  };
  for (const f of Object.values(files)) writeFileSync(path.join(dir, f), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
    ...extraEnv,
  };
  for (const [k, f] of Object.entries(files)) env[k] = path.join(dir, f);
  for (const [input, m] of Object.entries(meta.inputs))
    env[`INPUT_${input.toUpperCase()}`] = inputs[input] ?? m.default ?? '';
  for (const k of Object.keys(inputs))
    if (!meta.inputs[k]) throw new Error(`action ${name} has no input ${k}`);
  const script = path.join(root, 'dist', name, 'index.js');
  try {
    const main = await runNode(script, env);
    const state = parseCommandFile(readFileSync(path.join(dir, 'state'), 'utf8'));
    let stdout = main.stdout;
    const actionYml = readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8');
    if (/^\s+post:/m.test(actionYml)) {
      const postEnv = { ...env };
      for (const [k, v] of Object.entries(state)) postEnv[`STATE_${k}`] = v;
      stdout += (await runNode(script, postEnv)).stdout;
    }
    return {
      code: main.code,
      stdout,
      outputs: parseCommandFile(readFileSync(path.join(dir, 'output'), 'utf8')),
      summary: readFileSync(path.join(dir, 'summary'), 'utf8'),
      state,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
