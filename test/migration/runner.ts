/**
 * A child-process entry for the kill tests: runs zone-migrate with the test stand-ins (see
 * fixtures.ts) and the real kill knob KUBESAFE_TEST_KILL_AFTER_STEP. argv[2]: the inputs as JSON.
 * Prints the outputs as JSON on stdout; exit code 0 whatever the result.
 */
import { runMigration } from '../../src/actions/zone-migrate.js';
import { CliReporter } from '../../src/cli/reporter.js';
import { inputsFrom } from '../../src/inputs.js';
import { standInExecReadingVolumeFiles, standInPrecheckFromCluster } from './fixtures.js';

const reporter = new CliReporter();
try {
  await runMigration(inputsFrom(JSON.parse(process.argv[2]!) as Record<string, string>), reporter, {
    precheck: () => standInPrecheckFromCluster(),
    exec: () => standInExecReadingVolumeFiles(),
  });
  process.stdout.write(JSON.stringify(reporter.outputs));
} catch (err) {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.stdout.write(JSON.stringify({ ...reporter.outputs, error: (err as Error).message }));
  process.exitCode = 1;
}
