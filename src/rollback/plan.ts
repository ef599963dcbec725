/**
 * What a rollback plan is and what it asks for. Pure: the `plan` input's text -> where to read the
 * plan document, and a document -> the rollback to run. Nothing here touches a cluster or a store.
 */
import { InputError } from '../errors.js';
import { MANIFEST_SCHEMA, manifestKeyFor } from '../store/manifest.js';

/** Written by the reusable workflows beside a pre-change snapshot (see .github/workflows/guarded-change.yml). */
export const ROLLBACK_PLAN_SCHEMA = 'kubesafe.dev/rollback-plan/v1';
export const MIGRATION_JOURNAL_SCHEMA = 'kubesafe.dev/migration-journal/v1';

export type PlanSource =
  | { from: 'json'; text: string }
  | { from: 'uri'; uri: string }
  | { from: 'path'; path: string }
  | { from: 'artifact'; name: string };

export type WorkloadKind = 'kube' | 'kruise';

export type RollbackAction =
  | {
      kind: 'migration-rollback';
      workload: { namespace: string; name: string; kind: WorkloadKind };
      targetZones: string[];
      runId?: string;
      /** The journal's status when it was published (`open`, `migrated`, ...). */
      status?: string;
    }
  | { kind: 'etcd-restore'; manifestUri: string; revision?: number; cluster?: string };

const URI = /^[a-z][a-z0-9+.-]*:\/\//i;
const ARTIFACT_NAME = /^[\w.-]+$/;

/** Where the `plan` input points: JSON text, a store URI, a local file or folder, or an artifact name. */
export function planSource(value: string, isLocalPath: (p: string) => boolean): PlanSource {
  const v = value.trim();
  if (v === '')
    throw new InputError('plan', v, 'a rollback plan: JSON, a file path, a store URI or an artifact name');
  if (v.startsWith('{')) return { from: 'json', text: v };
  if (URI.test(v)) return { from: 'uri', uri: v };
  if (isLocalPath(v)) return { from: 'path', path: v };
  if (ARTIFACT_NAME.test(v)) return { from: 'artifact', name: v };
  throw new InputError(
    'plan',
    v.length > 200 ? `${v.slice(0, 200)}...` : v,
    'a rollback plan: JSON (starting with "{"), an existing file or folder, a store URI such as s3://bucket/key.json, or an artifact name (letters, digits, ".", "_", "-")',
  );
}

type Doc = Record<string, unknown>;

function isObject(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A migration journal: the schema marker, or the shape zone-migrate publishes (`version`, `runId`,
 * `workload`, `volumes`, `steps`).
 */
export function isMigrationJournal(doc: Doc): boolean {
  if (doc.schema === MIGRATION_JOURNAL_SCHEMA) return true;
  return (
    typeof doc.version === 'number' &&
    typeof doc.runId === 'string' &&
    isObject(doc.workload) &&
    Array.isArray(doc.volumes) &&
    isObject(doc.steps)
  );
}

function journalAction(doc: Doc): RollbackAction {
  const w = doc.workload as Doc;
  const namespace = typeof w.namespace === 'string' ? w.namespace : '';
  const name = typeof w.name === 'string' ? w.name : '';
  if (!namespace || !name)
    throw new InputError(
      'plan',
      '<migration journal>',
      'a journal whose workload has a namespace and a name',
    );
  const kind: WorkloadKind = w.kind === 'kruise' ? 'kruise' : 'kube';
  let targetZones = Array.isArray(doc.targetZones)
    ? doc.targetZones.filter((z) => typeof z === 'string')
    : [];
  if (targetZones.length === 0 && Array.isArray(doc.volumes))
    targetZones = [
      ...new Set(
        (doc.volumes as unknown[])
          .map((v) => (isObject(v) && typeof v.targetZone === 'string' ? v.targetZone : ''))
          .filter((z) => z !== ''),
      ),
    ];
  if (targetZones.length === 0)
    throw new InputError('plan', '<migration journal>', 'a journal that records the target zones');
  return {
    kind: 'migration-rollback',
    workload: { namespace, name, kind },
    targetZones,
    runId: typeof doc.runId === 'string' ? doc.runId : undefined,
    status: typeof doc.status === 'string' ? doc.status : undefined,
  };
}

function joinUri(destination: string, key: string): string {
  return `${destination.replace(/\/+$/, '')}/${key.replace(/^\/+/, '')}`;
}

function manifestAction(doc: Doc, where: { uri?: string; destination: string }): RollbackAction {
  const base = {
    kind: 'etcd-restore' as const,
    revision: typeof doc.revision === 'number' ? doc.revision : undefined,
    cluster: typeof doc.cluster === 'string' ? doc.cluster : undefined,
  };
  if (where.uri) return { ...base, manifestUri: where.uri };
  if (typeof doc.snapshotKey === 'string' && where.destination !== '')
    return { ...base, manifestUri: joinUri(where.destination, manifestKeyFor(doc.snapshotKey)) };
  throw new InputError(
    'destination',
    where.destination,
    'the store that holds this etcd snapshot manifest (e.g. s3://bucket/prefix): a manifest given as JSON or a file does not say where its snapshot is; or pass the manifest-uri instead',
  );
}

/**
 * A plan document -> the rollback it asks for. `uri` is where the document was read from, when it
 * came from a store; `destination` is the store root the user gave, for manifests read elsewhere.
 */
export function classifyPlan(doc: unknown, where: { uri?: string; destination: string }): RollbackAction {
  if (!isObject(doc)) throw new InputError('plan', '<document>', 'a JSON object');
  if (doc.schema === ROLLBACK_PLAN_SCHEMA) {
    if (doc.kind === 'etcd-restore' && typeof doc.manifestUri === 'string' && doc.manifestUri !== '')
      return manifestAction(doc, { uri: doc.manifestUri, destination: where.destination });
    if (doc.kind === 'migration-rollback' && isObject(doc.journal)) return journalAction(doc.journal);
    throw new InputError(
      'plan',
      `${ROLLBACK_PLAN_SCHEMA} kind ${JSON.stringify(doc.kind)}`,
      'kind etcd-restore with a manifestUri, or kind migration-rollback with a journal',
    );
  }
  if (doc.schema === MANIFEST_SCHEMA) return manifestAction(doc, where);
  if (isMigrationJournal(doc)) return journalAction(doc);
  throw new InputError(
    'plan',
    typeof doc.schema === 'string'
      ? `schema ${doc.schema}`
      : `an object with keys ${Object.keys(doc).slice(0, 8).join(', ')}`,
    `a rollback plan (${ROLLBACK_PLAN_SCHEMA}), an etcd snapshot manifest (${MANIFEST_SCHEMA}) or a migration journal (${MIGRATION_JOURNAL_SCHEMA}, as zone-migrate publishes it)`,
  );
}

/** A bare store URI is an etcd snapshot or its manifest: etcd-restore fetches and verifies it. */
export function uriAction(uri: string): RollbackAction {
  return { kind: 'etcd-restore', manifestUri: uri };
}

/** Parses plan text; the message names the input and never echoes the whole document. */
export function parsePlanText(text: string, origin: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError('plan', origin, `valid JSON (${(err as Error).message})`);
  }
}

/** The rollback plan the reusable workflows publish after a pre-change snapshot. */
export function etcdRollbackPlan(
  manifestUri: string,
  extra: { revision?: number; cluster?: string } = {},
): object {
  return { schema: ROLLBACK_PLAN_SCHEMA, kind: 'etcd-restore', manifestUri, ...extra };
}

/** In a folder (a downloaded artifact): `rollback-plan.json`, else the only `.json` file. */
export function pickPlanFile(folder: string, files: string[]): string {
  const json = files.filter((f) => f.endsWith('.json')).sort();
  if (json.includes('rollback-plan.json')) return 'rollback-plan.json';
  if (json.length === 1) return json[0]!;
  throw new InputError(
    'plan',
    folder,
    json.length === 0
      ? 'a folder holding a rollback plan (.json); it has none'
      : `a folder holding rollback-plan.json or exactly one .json file; it has ${json.join(', ')}`,
  );
}
