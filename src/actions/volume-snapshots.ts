import { parseBool, parseChoice, type InputSource } from '../inputs.js';
import { InputError } from '../errors.js';
import type { Reporter } from '../report.js';
import { parseKubeAccessSettings } from '../kube/access.js';
import { loadKubeConfig } from '../kube/client.js';
import { makeMigrationClients, type MigrationClients } from '../kube/clients.js';
import { deleteSnapshotWithContent, listSnapshots } from '../kube/mutate.js';
import { ANNOTATION_EXPIRES_AT, LABEL_MIGRATION } from '../migration/journal.js';
import { expiredSnapshots } from '../migration/prune.js';
import { markdownTable } from '../markdown.js';

export async function run(inputs: InputSource, reporter: Reporter): Promise<void> {
  parseChoice('operation', inputs.get('operation'), ['prune'] as const, 'prune');
  const namespace = inputs.get('namespace');
  if (namespace !== '' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))
    throw new InputError('namespace', namespace, 'a namespace name, or empty for all');
  const dryRun = parseBool('dry-run', inputs.get('dry-run'));
  const c = makeMigrationClients(loadKubeConfig(parseKubeAccessSettings(inputs, (v) => reporter.secret(v))));
  try {
    await prune(c, namespace, dryRun, reporter);
  } finally {
    await c.kc.close();
  }
}

async function prune(
  c: MigrationClients,
  namespace: string,
  dryRun: boolean,
  reporter: Reporter,
): Promise<void> {
  const snaps = await listSnapshots(c, namespace, LABEL_MIGRATION);
  const expired = expiredSnapshots(
    snaps.map((s) => ({
      namespace: s.metadata!.namespace!,
      name: s.metadata!.name!,
      expiresAt: s.metadata?.annotations?.[ANNOTATION_EXPIRES_AT],
    })),
    new Date(),
  );
  const names = expired.map((e) => `${e.namespace}/${e.name}`);
  for (const e of expired) {
    const s = snaps.find((x) => x.metadata?.namespace === e.namespace && x.metadata?.name === e.name)!;
    reporter.info(
      `${dryRun ? 'would delete' : 'deleting'} ${e.namespace}/${e.name} (expired ${e.expiresAt})`,
    );
    if (!dryRun) await deleteSnapshotWithContent(c, s);
  }
  reporter.setOutput('deleted', JSON.stringify(names));
  reporter.setOutput('count', String(names.length));
  reporter.summary(
    [
      `### Migration snapshots ${dryRun ? 'that would be pruned' : 'pruned'}: ${names.length} of ${snaps.length}`,
      names.length
        ? markdownTable(
            ['snapshot', 'expired'],
            expired.map((e) => [`${e.namespace}/${e.name}`, e.expiresAt ?? '']),
          )
        : '',
    ].join('\n\n'),
  );
}
