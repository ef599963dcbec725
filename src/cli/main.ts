import { loadActionMeta } from '../actions-meta.js';
import { errorMessage, InputError } from '../errors.js';
import { inputsFrom } from '../inputs.js';
import { OPERATIONS } from '../operations.js';
import { commandHelp, parseArgs, resolveInputs } from './args.js';
import { CliReporter } from './reporter.js';

/** CLI command -> action, and which inputs its positional arguments fill. */
const COMMANDS: Record<string, { action: string; positionals?: string[] }> = {
  'etcd-snapshot': { action: 'etcd-snapshot' },
  'etcd-restore': { action: 'etcd-restore' },
  snapshots: { action: 'snapshots', positionals: ['operation', 'uri'] },
  precheck: { action: 'migration-precheck' },
  migrate: { action: 'zone-migrate' },
  rehearse: { action: 'migration-rehearse' },
  'volume-snapshots': { action: 'volume-snapshots', positionals: ['operation'] },
  verify: { action: 'cluster-verify' },
  rollback: { action: 'rollback' },
};

function availableCommands(): string[] {
  return Object.keys(COMMANDS).filter((c) => OPERATIONS[COMMANDS[c]!.action]);
}

function usage(): string {
  return [
    'kubesafe: make risky Kubernetes changes safe (etcd snapshots, StatefulSet zone migration, rollback)',
    '',
    'usage: kubesafe <command> [flags]      kubesafe <command> --help',
    '',
    'commands:',
    ...availableCommands().map(
      (c) => `  ${c.padEnd(18)}${loadActionMeta(COMMANDS[c]!.action).description.split('\n')[0]}`,
    ),
  ].join('\n');
}

/** Runs one CLI invocation; returns the process exit code. Outputs go to stdout as JSON. */
export async function main(argv: string[], env = process.env): Promise<number> {
  const reporter = new CliReporter();
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage() + '\n');
    return command === undefined ? 2 : 0;
  }
  const spec = COMMANDS[command];
  if (!spec || !OPERATIONS[spec.action]) {
    process.stderr.write(
      `error: unknown command ${JSON.stringify(command)}; commands: ${availableCommands().join(', ')}\n`,
    );
    return 2;
  }
  try {
    const meta = loadActionMeta(spec.action);
    const args = parseArgs(rest, meta);
    if (args.help) {
      process.stdout.write(commandHelp(command, meta, spec.positionals) + '\n');
      return 0;
    }
    const positionalNames = spec.positionals ?? [];
    if (args.positionals.length > positionalNames.length) {
      throw new InputError(
        'arguments',
        args.positionals.join(' '),
        `at most ${positionalNames.length} positional arguments (${positionalNames.join(', ') || 'none'})`,
      );
    }
    args.positionals.forEach((v, i) => (args.flags[positionalNames[i]!] = v));
    const values = resolveInputs(meta, args.flags, env);
    const op = await OPERATIONS[spec.action]!();
    await op.run(inputsFrom(values), reporter, {});
    for (const s of reporter.summaries) process.stderr.write('\n' + reporter.redact(s) + '\n');
    process.stdout.write(JSON.stringify(reporter.outputs, null, 2) + '\n');
    return 0;
  } catch (err) {
    for (const s of reporter.summaries) process.stderr.write('\n' + reporter.redact(s) + '\n');
    process.stderr.write(`error: ${reporter.redact(errorMessage(err))}\n`);
    // An operation that failed after setting outputs (e.g. a rolled-back migration) still reports them.
    if (Object.keys(reporter.outputs).length > 0)
      process.stdout.write(JSON.stringify(reporter.outputs, null, 2) + '\n');
    return err instanceof InputError ? 2 : 1;
  }
}
