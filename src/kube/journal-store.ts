import { KubesafeError, PreconditionFailed } from '../errors.js';
import {
  JOURNAL_KEY,
  journalName,
  LABEL_WORKLOAD,
  parseJournal,
  serializeJournal,
  type Journal,
} from '../migration/journal.js';
import { k8s, withRetry } from './client.js';
import { isAlreadyExists, readOptional, type MigrationClients } from './clients.js';

/** Another process wrote the journal since this one read it: this run must stop writing. */
export class JournalConflict extends KubesafeError {}

/**
 * The journal's home: a ConfigMap beside the workload. Every write carries the resourceVersion of
 * the last read or write, so two runs can never both believe they own the migration.
 */
export class JournalStore {
  private resourceVersion: string | undefined;

  constructor(
    private readonly c: MigrationClients,
    readonly namespace: string,
    readonly workload: string,
  ) {}

  get name(): string {
    return journalName(this.workload);
  }

  /** The stored journal, or undefined when there is none. */
  async read(): Promise<Journal | undefined> {
    const cm = await withRetry(`read journal ${this.name}`, () =>
      readOptional(() => this.c.core.readNamespacedConfigMap({ name: this.name, namespace: this.namespace })),
    );
    this.resourceVersion = cm?.metadata?.resourceVersion;
    const text = cm?.data?.[JOURNAL_KEY];
    return text === undefined ? undefined : parseJournal(text);
  }

  private body(j: Journal): k8s.V1ConfigMap {
    return {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'kubesafe', [LABEL_WORKLOAD]: this.workload },
        annotations: { 'kubesafe.dev/status': j.status, 'kubesafe.dev/run-id': j.runId },
        resourceVersion: this.resourceVersion,
      },
      data: { [JOURNAL_KEY]: serializeJournal(j) },
    };
  }

  /**
   * Opens a new journal. Refuses when an open one exists (another migration of this workload is in
   * progress or was interrupted); a closed one is replaced.
   */
  async open(j: Journal): Promise<void> {
    const existing = await this.read();
    if (existing?.status === 'open') {
      throw new PreconditionFailed(
        `a migration of ${this.namespace}/${this.workload} is already open (journal ConfigMap ${this.name}, run ${existing.runId}, ` +
          `${existing.direction}); continue it with mode: resume or undo it with mode: rollback`,
      );
    }
    if (existing) {
      await this.write(j);
      return;
    }
    try {
      const cm = await withRetry(`create journal ${this.name}`, async () => {
        try {
          return await this.c.core.createNamespacedConfigMap({
            namespace: this.namespace,
            body: this.body(j),
          });
        } catch (err) {
          if (isAlreadyExists(err))
            throw new JournalConflict(`journal ${this.name} was created by another run at the same moment`);
          throw err;
        }
      });
      this.resourceVersion = cm.metadata?.resourceVersion;
    } catch (err) {
      if (err instanceof JournalConflict) throw new PreconditionFailed(err.message);
      throw err;
    }
  }

  /** Replaces the journal if nobody else wrote it since this run last did. */
  async write(j: Journal): Promise<void> {
    const cm = await withRetry(`write journal ${this.name}`, async () => {
      try {
        return await this.c.core.replaceNamespacedConfigMap({
          name: this.name,
          namespace: this.namespace,
          body: this.body(j),
        });
      } catch (err) {
        // A conflict is not retried blindly: it means another writer. Look at who.
        if ((err as { code?: number }).code !== 409) throw err;
        const current = await this.read();
        if (!current || current.writer !== j.writer) {
          throw new JournalConflict(
            `journal ${this.name} was taken over by another run (writer ${current?.writer ?? 'none'}); this run stops`,
          );
        }
        throw err;
      }
    });
    this.resourceVersion = cm.metadata?.resourceVersion;
  }
}
