import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IntegrityError, KubesafeError, PreconditionFailed, TimeoutError, errorMessage } from '../errors.js';
import { markdownTable, textTable } from '../markdown.js';
import type { Reporter } from '../report.js';
import { readArchive } from '../store/archive.js';
import type { Destination } from '../store/destination.js';
import { isManifest, manifestKeyFor, type SnapshotManifest } from '../store/manifest.js';
import { openStore } from '../store/open.js';
import type { StoreSettings } from '../store/settings.js';
import type { BackupStore } from '../store/store.js';
import { connectMember } from './client.js';
import { countKeysByPrefix, diffCounts, totalKeys } from './key-counts.js';
import { probeMembers, probeTable, type MemberProbe } from './members.js';
import {
  resolveMembers,
  type MemberDefaults,
  type MemberSpec,
  type RestoreMember,
} from './restore-members.js';
import {
  READ_ONLY_STEPS,
  STEPS,
  buildRestorePlan,
  chooseMemberTool,
  shortSha,
  stepCommand,
  toolForVersion,
  toolProbeCommand,
  type BumpSetting,
  type MemberPlan,
  type MemberTool,
  type RestoreHooks,
  type RestorePlan,
  type StepName,
} from './restore-plan.js';
import type { EtcdConnectionSettings } from './settings.js';
import { Readable } from 'node:stream';
import type { OpenSshSession, SshSession } from './ssh.js';
import { fetchCompanions, putBackCommand } from './companions.js';
import { timestampForKey } from './snapshot.js';

export interface RestoreSettings {
  /** The object the `snapshot` input names: a manifest (`.json`) or the snapshot beside one. */
  snapshot: { destination: Destination; key: string; uri: string };
  /** Backend options and decryption (the compression comes from the manifest). */
  store: StoreSettings;
  mode: 'plan' | 'execute';
  memberSpecs?: MemberSpec[];
  defaults: MemberDefaults;
  hooks: RestoreHooks;
  clusterToken?: string;
  bumpRevision: BumpSetting;
  /** Plan mode: the etcd version of the members' tools; default is the manifest's. */
  etcdVersion?: string;
  memberBinDir: string;
  etcdctlFlags: string;
  force: boolean;
  planDir: string;
  /** The connection for the checks after the restore; endpoints default to the members' client URLs. */
  connection: (defaultEndpoints: string[]) => EtcdConnectionSettings;
  stepTimeoutMs: number;
  healthTimeoutMs: number;
}

export interface StepRecord {
  member: string;
  step: StepName | 'upload';
  outcome: 'done' | 'failed';
  detail?: string;
}

export interface RestoreResult {
  manifest: SnapshotManifest;
  plan: RestorePlan;
  planDir: string;
  executed: boolean;
  journal: StepRecord[];
  verification?: { probes: MemberProbe[]; counts: Record<string, number>; revision: number };
}

/** A step that failed on a member: says which, what it printed, and where the old data is. */
export class RestoreStepFailed extends KubesafeError {}

// ---------------------------------------------------------------------------------------------------
// the snapshot

/** The key of `name` in the folder of `key`: a manifest and its snapshot are stored side by side. */
function siblingKey(key: string, name: string): string {
  const slash = key.lastIndexOf('/');
  return (slash >= 0 ? key.slice(0, slash + 1) : '') + name.slice(name.lastIndexOf('/') + 1);
}

/** Reads the manifest the `snapshot` input points at (or the one beside the snapshot it points at). */
async function readManifest(
  store: BackupStore,
  key: string,
): Promise<{ manifest: SnapshotManifest; snapshotKey: string }> {
  const manifestKey = key.endsWith('.json') ? key : manifestKeyFor(key);
  let text: string;
  try {
    const chunks: Buffer[] = [];
    for await (const c of await store.get(manifestKey)) chunks.push(c as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw new PreconditionFailed(
      `snapshot: no manifest at ${store.uriFor(manifestKey)} (${errorMessage(err)}); a restore needs the manifest's hashes to prove the snapshot`,
    );
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new PreconditionFailed(`snapshot: ${store.uriFor(manifestKey)} is not JSON`);
  }
  if (!isManifest(manifest))
    throw new PreconditionFailed(
      `snapshot: ${store.uriFor(manifestKey)} is not a kubesafe snapshot manifest`,
    );
  // The manifest's snapshotKey is relative to the store root it was written to; the input may point anywhere below it.
  const snapshotKey = siblingKey(manifestKey, manifest.snapshotKey);
  if (!key.endsWith('.json') && snapshotKey !== key) {
    throw new PreconditionFailed(
      `snapshot: the manifest beside ${store.uriFor(key)} describes ${manifest.snapshotKey}`,
    );
  }
  return { manifest, snapshotKey };
}

/** Fetches, decrypts, decompresses and proves both hashes into a private local file. */
async function fetchVerified(
  store: BackupStore,
  manifest: SnapshotManifest,
  snapshotKey: string,
  settings: StoreSettings,
  file: string,
): Promise<void> {
  if (manifest.encryption.kind !== 'none' && settings.decryption.kind === 'none') {
    throw new PreconditionFailed(
      `snapshot: ${manifest.snapshotKey} is encrypted (${manifest.encryption.kind}); give the decryption key inputs`,
    );
  }
  await readArchive(
    store,
    snapshotKey,
    {
      compression: manifest.compression,
      decryption: settings.decryption,
      expected: {
        rawSha256: manifest.sha256,
        storedSha256: manifest.storedSha256,
        rawBytes: manifest.rawSizeBytes,
        storedBytes: manifest.storedSizeBytes,
      },
    },
    createWriteStream(file, { mode: 0o600 }),
  );
}

// ---------------------------------------------------------------------------------------------------
// members over SSH

interface Member {
  plan: MemberPlan;
  session: SshSession;
}

async function runStep(m: Member, step: StepName, timeoutMs: number, journal: StepRecord[]): Promise<void> {
  const body = m.plan.steps.find((s) => s.name === step)!;
  const res = await m.session
    .exec(stepCommand(m.plan, body), timeoutMs)
    .catch((err: unknown) => ({ code: -1, stdout: '', stderr: errorMessage(err) }));
  if (res.code !== 0) {
    const tail = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-8).join('\n');
    journal.push({ member: m.plan.member.name, step, outcome: 'failed', detail: `exit ${res.code}` });
    throw new RestoreStepFailed(
      `member ${m.plan.member.name} (${m.session.label}), step ${step}: exit ${res.code}${tail ? `:\n${tail}` : ''}`,
    );
  }
  journal.push({ member: m.plan.member.name, step, outcome: 'done' });
}

/** Runs one step on every member; `together` runs them at once (start-etcd), else in member order. */
async function runPhase(
  members: Member[],
  step: StepName,
  together: boolean,
  timeoutMs: number,
  journal: StepRecord[],
  reporter: Reporter,
): Promise<void> {
  await reporter.group(`${step} on ${members.map((m) => m.plan.member.name).join(', ')}`, async () => {
    if (!together) {
      for (const m of members) await runStep(m, step, timeoutMs, journal);
    } else {
      const results = await Promise.allSettled(members.map((m) => runStep(m, step, timeoutMs, journal)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    reporter.info(`${step}: done on every member`);
  });
}

async function upload(m: Member, file: string, sha256: string, journal: StepRecord[]): Promise<void> {
  try {
    await m.session.upload(createReadStream(file, { highWaterMark: 1 << 20 }), m.plan.snapshotPath);
    journal.push({
      member: m.plan.member.name,
      step: 'upload',
      outcome: 'done',
      detail: `${m.plan.snapshotPath} (${shortSha(sha256)}…)`,
    });
  } catch (err) {
    journal.push({ member: m.plan.member.name, step: 'upload', outcome: 'failed' });
    throw new RestoreStepFailed(
      `member ${m.plan.member.name} (${m.session.label}), step upload: ${errorMessage(err)}`,
    );
  }
}

function wayBack(plans: MemberPlan[], journal: StepRecord[]): string {
  const moved = plans.filter((p) =>
    journal.some((j) => j.member === p.member.name && j.step === 'move-aside' && j.outcome === 'done'),
  );
  if (moved.length === 0)
    return 'No data dir was moved: the members hold their data as before (start etcd and the API servers again if they were stopped).';
  return (
    'The previous data dirs are in place, moved aside. To go back on a member: stop etcd, then ' +
    '`mv DATA_DIR DATA_DIR.failed && mv MOVED DATA_DIR`, and start etcd and the API server.\n' +
    moved.map((p) => `  ${p.member.name}: ${p.movedAsidePath} (was ${p.member.dataDir})`).join('\n')
  );
}

// ---------------------------------------------------------------------------------------------------
// after the restore

async function waitHealthy(
  connection: EtcdConnectionSettings,
  expected: RestoreMember[],
  timeoutMs: number,
): Promise<MemberProbe[]> {
  const deadline = Date.now() + timeoutMs;
  let last: MemberProbe[] = [];
  let why = '';
  for (;;) {
    const { probes, members } = await probeMembers(connection);
    last = probes;
    const unhealthy = probes.filter((p) => p.problem !== undefined);
    const names = members.map((m) => m.name).sort();
    const want = expected.map((m) => m.name).sort();
    if (unhealthy.length === 0 && names.join(',') === want.join(',')) return probes;
    why =
      unhealthy.length > 0
        ? `${unhealthy.length} of ${probes.length} endpoints unhealthy`
        : `members ${names.join(', ') || '(none)'}, expected ${want.join(', ')}`;
    if (Date.now() > deadline) {
      throw new TimeoutError(
        `after the restore, the cluster was not healthy within ${Math.round(timeoutMs / 1000)} s: ${why}\n${probeTable(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function restoredCountTable(
  expected: Record<string, number>,
  restored: Record<string, number>,
): string {
  const prefixes = [...new Set([...Object.keys(expected), ...Object.keys(restored)])].sort();
  return textTable(
    ['prefix', 'snapshot', 'restored', ''],
    prefixes.map((p) => [
      p,
      expected[p] ?? 0,
      restored[p] ?? 0,
      (expected[p] ?? 0) === (restored[p] ?? 0) ? '' : '<- differs',
    ]),
  );
}

async function verifyRestored(
  manifest: SnapshotManifest,
  members: RestoreMember[],
  connection: EtcdConnectionSettings,
  timeoutMs: number,
  reporter: Reporter,
): Promise<NonNullable<RestoreResult['verification']>> {
  return reporter.group('Verify the restored cluster', async () => {
    const probes = await waitHealthy(connection, members, timeoutMs);
    reporter.info(probeTable(probes));
    const revision = Math.max(...probes.map((p) => p.revision ?? 0));
    if (revision < manifest.revision) {
      throw new IntegrityError(
        `after the restore the revision is ${revision}, below the snapshot's ${manifest.revision}`,
      );
    }
    const client = connectMember(connection, probes[0]!.endpoint, 30_000);
    let counts: Record<string, number>;
    try {
      counts = await countKeysByPrefix(client);
    } finally {
      client.close();
    }
    reporter.info(restoredCountTable(manifest.keyCountsByPrefix, counts));
    const diff = diffCounts(manifest.keyCountsByPrefix, counts);
    if (diff.length > 0) {
      const text = diff.map((d) => `${d.prefix} snapshot ${d.expected}, restored ${d.actual}`).join('; ');
      // Counts taken while writes landed are approximate (see the manifest's revisionExact).
      if (!manifest.revisionExact)
        reporter.warn(`key counts differ from the manifest's approximate counts: ${text}`);
      else throw new IntegrityError(`after the restore the key counts differ from the snapshot's: ${text}`);
    }
    reporter.info(
      `restored: ${members.length} members healthy, revision ${revision} (snapshot ${manifest.revision}), ${totalKeys(counts)} keys`,
    );
    return { probes, counts, revision };
  });
}

// ---------------------------------------------------------------------------------------------------
// the plan folder and the summary

export function planSummary(
  manifest: SnapshotManifest,
  uri: string,
  plan: RestorePlan,
  planDir: string,
  mode: 'plan' | 'execute',
): string {
  return [
    `### etcd restore ${mode === 'plan' ? 'plan' : ''} for \`${manifest.cluster}\``.replace('  ', ' '),
    markdownTable(
      ['field', 'value'],
      [
        ['snapshot', uri],
        ['taken', manifest.createdAt],
        ['etcd version', manifest.etcdVersion],
        ['revision', manifest.revision],
        ['keys', manifest.keyCount],
        ['sha256', manifest.sha256],
        ['initial cluster', plan.initialCluster],
        ['cluster token', plan.clusterToken],
        ['plan folder', planDir],
      ],
    ),
    markdownTable(
      ['member', 'ssh', 'data dir', 'moved aside to', 'restore tool', 'bump revision'],
      plan.members.map((p) => [
        p.member.name,
        `${p.member.ssh.host}:${p.member.ssh.port}`,
        p.member.dataDir,
        p.movedAsidePath,
        `${p.tool.kind} ${p.tool.version}`,
        p.tool.bumpRevision > 0 ? `${p.tool.bumpRevision} (+ mark compacted)` : 'no',
      ]),
    ),
    `Steps, each on every member before the next: ${STEPS.map((s) => `\`${s}\``).join(' → ')}. ` +
      '`start-etcd` runs on all members at once. In execute mode the snapshot is uploaded before `verify-snapshot`, ' +
      'and the health and key counts are checked from the runner before the API servers start.',
    `Run by hand: copy the verified snapshot to each member's snapshot path, then \`sh restore-MEMBER.sh STEP\` on each member (scripts in \`${planDir}\`).`,
  ].join('\n\n');
}

async function writePlanDir(
  dir: string,
  plan: RestorePlan,
  summary: string,
  manifest: SnapshotManifest,
  uri: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const p of plan.members) {
    const file = path.join(dir, `restore-${p.member.name}.sh`);
    await writeFile(file, p.script);
    await chmod(file, 0o755);
  }
  await writeFile(path.join(dir, 'plan.md'), summary + '\n');
  const machine = {
    snapshot: { uri, sha256: manifest.sha256, revision: manifest.revision, cluster: manifest.cluster },
    initialCluster: plan.initialCluster,
    clusterToken: plan.clusterToken,
    steps: STEPS,
    members: plan.members.map((p) => ({
      name: p.member.name,
      ssh: p.member.ssh,
      dataDir: p.member.dataDir,
      snapshotPath: p.snapshotPath,
      movedAsidePath: p.movedAsidePath,
      guardPath: p.guardPath,
      tool: p.tool,
      restoreArgv: p.argv,
    })),
  };
  await writeFile(path.join(dir, 'plan.json'), JSON.stringify(machine, null, 2) + '\n');
}

// ---------------------------------------------------------------------------------------------------
// the operation

export interface RestoreDeps {
  openSession: OpenSshSession;
  now?: Date;
}

/**
 * Restores every member from one verified snapshot. Nothing on a member changes until the snapshot is
 * proven, every member is reachable with a pinned host key, none holds the guard of this snapshot, and
 * every member has the verified copy.
 */
export async function restoreEtcd(
  settings: RestoreSettings,
  reporter: Reporter,
  deps: RestoreDeps,
): Promise<RestoreResult> {
  const store = await openStore(settings.snapshot.destination, settings.store.options, reporter);
  const local = await mkdtemp(path.join(os.tmpdir(), 'kubesafe-restore-'));
  const sessions: SshSession[] = [];
  try {
    const { manifest, snapshotKey } = await readManifest(store, settings.snapshot.key);
    const uri = store.uriFor(snapshotKey);
    const members = resolveMembers(settings.memberSpecs, manifest.members, settings.defaults);
    const endpoints = members.flatMap((m) => m.clientUrls);
    if (endpoints.length === 0 && settings.mode === 'execute') {
      throw new PreconditionFailed(
        'endpoints: the members have no client URLs in the manifest; set endpoints for the checks after the restore',
      );
    }
    const connection = settings.connection(endpoints);
    const snapshotFile = path.join(local, 'snapshot.db');
    await reporter.group('Fetch and verify the snapshot', async () => {
      await fetchVerified(store, manifest, snapshotKey, settings.store, snapshotFile).catch(
        (err: unknown) => {
          // Damaged bytes usually break the decompressor (or decryption) before the hash check ends.
          if (err instanceof KubesafeError) throw err;
          throw new IntegrityError(
            `snapshot: ${uri} cannot be read back as the manifest describes (${errorMessage(err)}); it is damaged or was replaced`,
          );
        },
      );
      reporter.info(
        `verified ${uri}: stored SHA-256 ${manifest.storedSha256}, snapshot SHA-256 ${manifest.sha256}, ${manifest.rawSizeBytes} bytes`,
      );
    });

    const companionTar = await reporter.group('Fetch and verify the companion files', async () => {
      if (!manifest.companions?.length) return undefined;
      const tar = await fetchCompanions(store, manifest, settings.store, (k) =>
        siblingKey(snapshotKey, k),
      ).catch((err: unknown) => {
        if (err instanceof KubesafeError) throw err;
        throw new IntegrityError(
          `companion files of ${uri} cannot be read back as the manifest describes (${errorMessage(err)})`,
        );
      });
      reporter.info(
        `verified the companion files: ${manifest.companions.flatMap((c) => c.files).join(', ')}`,
      );
      return tar;
    });
    const stamp = timestampForKey(deps.now ?? new Date());
    const tools: Record<string, MemberTool> = {};
    const byName = new Map<string, SshSession>();
    if (settings.mode === 'execute') {
      await reporter.group('Connect to the members', async () => {
        for (const m of members) {
          const s = await deps.openSession(m.ssh);
          sessions.push(s);
          byName.set(m.name, s);
          const probe = await s.exec(toolProbeCommand(settings.memberBinDir), 60_000);
          tools[m.name] = chooseMemberTool(m.name, probe.stdout, settings.bumpRevision);
          reporter.info(`${m.name}: ${s.label}, ${tools[m.name]!.kind} ${tools[m.name]!.version}`);
        }
      });
    } else {
      for (const m of members)
        tools[m.name] = toolForVersion(
          settings.etcdVersion || manifest.etcdVersion,
          settings.memberBinDir,
          settings.bumpRevision,
        );
    }
    const plan = buildRestorePlan({
      snapshot: {
        uri,
        sha256: manifest.sha256,
        revision: manifest.revision,
        cluster: manifest.cluster,
        etcdVersion: manifest.etcdVersion,
        createdAt: manifest.createdAt,
      },
      members,
      tools,
      hooks: settings.hooks,
      clusterToken: settings.clusterToken || `kubesafe-${manifest.cluster}-${stamp.toLowerCase()}`,
      stamp,
      force: settings.force,
      etcdctl: settings.memberBinDir ? `${settings.memberBinDir}/etcdctl` : 'etcdctl',
      etcdctlFlags: settings.etcdctlFlags,
      healthTimeoutSeconds: Math.round(settings.healthTimeoutMs / 1000),
    });
    const planDir = path.resolve(settings.planDir);
    const summary = planSummary(manifest, uri, plan, planDir, settings.mode);
    await writePlanDir(planDir, plan, summary, manifest, uri);
    reporter.setOutput('plan-dir', planDir);
    reporter.info(`plan written to ${planDir}`);
    const result: RestoreResult = { manifest, plan, planDir, executed: false, journal: [] };
    if (settings.mode === 'plan') {
      reporter.summary(summary);
      return result;
    }

    const ms = plan.members.map((p) => ({ plan: p, session: byName.get(p.member.name)! }));
    const t = settings.stepTimeoutMs;
    try {
      await runPhase(ms, 'check', false, t, result.journal, reporter);
      await reporter.group('Upload the verified snapshot', async () => {
        for (const m of ms) await upload(m, snapshotFile, manifest.sha256, result.journal);
      });
      for (const step of STEPS.filter(
        (s) => s !== 'check' && s !== 'check-health' && s !== 'start-apiserver',
      )) {
        await runPhase(ms, step, step === 'start-etcd', t, result.journal, reporter);
      }
      result.verification = await verifyRestored(
        manifest,
        members,
        connection,
        settings.healthTimeoutMs,
        reporter,
      );
      result.journal.push(
        ...members.map((m) => ({
          member: m.name,
          step: 'check-health' as const,
          outcome: 'done' as const,
          detail: 'checked from the runner',
        })),
      );
      if (companionTar) {
        await reporter.group('Put back the companion files', async () => {
          const files = manifest.companions!.flatMap((c) => c.files);
          for (const m of ms) {
            const remote = `${m.plan.member.dataDir}.kubesafe-companions-${manifest.sha256.slice(0, 12)}.tar`;
            await m.session.upload(Readable.from([companionTar]), remote);
            const r = await m.session.exec(putBackCommand(files, remote, stamp), t);
            if (r.code !== 0) {
              throw new RestoreStepFailed(
                `${m.plan.member.name} (${m.session.label}): putting back the companion files exited ${r.code}: ${r.stderr.trim().slice(-300)}`,
              );
            }
            reporter.info(`${m.plan.member.name}: companion files put back (${files.length})`);
          }
        });
      }
      await runPhase(ms, 'start-apiserver', false, t, result.journal, reporter);
    } catch (err) {
      const untouched = result.journal.every(
        (j) => j.step === 'upload' || READ_ONLY_STEPS.includes(j.step as StepName),
      );
      reporter.summary(
        summary + '\n\n' + journalTable(result.journal) + '\n\n' + wayBack(plan.members, result.journal),
      );
      const msg = `${errorMessage(err)}\n${untouched ? 'Nothing was changed on any member (only the snapshot copy was written).' : wayBack(plan.members, result.journal)}`;
      if (err instanceof KubesafeError) {
        err.message = msg;
        throw err;
      }
      throw new KubesafeError(msg, { cause: err });
    }
    result.executed = true;
    reporter.setOutput('revision', String(result.verification.revision));
    reporter.setOutput('members', members.map((m) => m.name).join(','));
    reporter.summary(
      [
        summary,
        journalTable(result.journal),
        '```\n' + restoredCountTable(manifest.keyCountsByPrefix, result.verification.counts) + '\n```',
        wayBack(plan.members, result.journal).replace('To go back', 'To go back if needed'),
      ].join('\n\n'),
    );
    return result;
  } finally {
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    await rm(local, { recursive: true, force: true });
    await store.close();
  }
}

function journalTable(journal: StepRecord[]): string {
  return markdownTable(
    ['member', 'step', 'outcome'],
    journal.map((j) => [j.member, j.step, j.outcome + (j.detail ? ` (${j.detail})` : '')]),
  );
}
