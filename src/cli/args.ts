import { InputError } from '../errors.js';
import { isBooleanInput, type ActionMeta } from '../actions-meta.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string>;
  help: boolean;
}

/**
 * Parses `--name value`, `--name=value` and bare `--flag` for boolean inputs. Flags are the action's
 * input names; anything else is refused with the list of valid ones.
 */
export function parseArgs(argv: string[], meta: ActionMeta | undefined): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const input = meta?.inputs[name];
    if (!input) {
      const valid = meta
        ? Object.keys(meta.inputs)
            .map((n) => `--${n}`)
            .join(', ')
        : '(none)';
      throw new InputError(`--${name}`, arg, `one of the flags ${valid}`);
    }
    if (eq !== -1) flags[name] = arg.slice(eq + 1);
    else if (
      isBooleanInput(input) &&
      (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--') || !/^(true|false)$/.test(argv[i + 1]!))
    )
      flags[name] = 'true';
    else {
      const value = argv[++i];
      if (value === undefined) throw new InputError(`--${name}`, '', 'a value after the flag');
      flags[name] = value;
    }
  }
  return { positionals, flags, help };
}

/** Flag, then `KUBESAFE_<NAME>` from the environment, then the action's default. */
export function resolveInputs(
  meta: ActionMeta,
  flags: Record<string, string>,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, input] of Object.entries(meta.inputs)) {
    const envName = `KUBESAFE_${name.toUpperCase().replace(/-/g, '_')}`;
    out[name] = flags[name] ?? env[envName] ?? input.default ?? '';
  }
  return out;
}

export function commandHelp(command: string, meta: ActionMeta, positionals: string[] = []): string {
  const lines = [
    `kubesafe ${command}${positionals.map((p) => ` <${p}>`).join('')} [flags]`,
    '',
    meta.description.trim(),
    '',
    'Flags (each can also be set as KUBESAFE_<FLAG> in the environment):',
  ];
  for (const [name, input] of Object.entries(meta.inputs)) {
    const def = input.default !== undefined && input.default !== '' ? ` (default: ${input.default})` : '';
    const req = input.required ? ' (required)' : '';
    lines.push(`  --${name}${req}${def}`);
    lines.push(`      ${input.description.trim().replace(/\s*\n\s*/g, ' ')}`);
  }
  return lines.join('\n');
}
