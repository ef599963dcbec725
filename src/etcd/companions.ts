import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { InputError, PreconditionFailed } from '../errors.js';
import { parseList, type InputSource } from '../inputs.js';
import type { Reporter } from '../report.js';
import { readArchive, writeArchive } from '../store/archive.js';
import type { SnapshotManifest } from '../store/manifest.js';
import type { StoreSettings } from '../store/settings.js';
import type { BackupStore } from '../store/store.js';
import type { SshSession } from './ssh.js';
import { shellQuote } from '../ssh/shell.js';

/**
 * Files that must travel with a snapshot for it to rebuild a cluster: without the service-account keys
 * restored tokens are invalid, without the encryption-at-rest keys restored Secrets cannot be read.
 */
export const KUBEADM_COMPANIONS = [
  '/etc/kubernetes/pki/sa.key',
  '/etc/kubernetes/pki/sa.pub',
  '/etc/kubernetes/pki/front-proxy-ca.crt',
  '/etc/kubernetes/pki/front-proxy-ca.key',
];
const APISERVER_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';

export interface CompanionSettings {
  /** Absolute paths asked for by name: each must exist. */
  explicit: string[];
  /** `kubeadm`: the defaults above plus the API server's --encryption-provider-config, where present. */
  kubeadmDefaults: boolean;
}

export function parseCompanionSettings(
  inputs: InputSource,
  store: StoreSettings,
): CompanionSettings | undefined {
  const items = parseList(inputs.get('companion-files'));
  if (items.length === 0) return undefined;
  const explicit = items.filter((i) => i !== 'kubeadm');
  for (const p of explicit) {
    if (!path.posix.isAbsolute(p) || p.includes('..') || /[\n\0]/.test(p)) {
      throw new InputError(
        'companion-files',
        p,
        'absolute paths on the control-plane host, or `kubeadm` for its defaults',
      );
    }
  }
  if (store.encryption.kind === 'none') {
    throw new InputError(
      'companion-files',
      items.join(','),
      "encryption-key or encryption-recipients to be set as well: these files hold the cluster's signing and encryption keys and are never stored in plain text",
    );
  }
  return { explicit, kubeadmDefaults: items.includes('kubeadm') };
}

/** The shell command that lists which of the wanted files exist (one per line), on the host. */
export function existingFilesCommand(settings: CompanionSettings): string {
  const wanted = [...settings.explicit, ...(settings.kubeadmDefaults ? KUBEADM_COMPANIONS : [])];
  const findConfig = settings.kubeadmDefaults
    ? `sed -n 's/.*--encryption-provider-config=\\([^" ]*\\).*/\\1/p' ${APISERVER_MANIFEST} 2>/dev/null | head -1;`
    : '';
  return `{ ${findConfig} for f in ${wanted.map(shellQuote).join(' ')}; do echo "$f"; done; } | while read -r f; do [ -f "$f" ] && echo "$f"; done; true`;
}

export interface CapturedCompanions {
  key: string;
  files: string[];
  sha256: string;
  storedSha256: string;
  sizeBytes: number;
}

/**
 * Captures the files over SSH as one tar (base64 over the exec channel: they are a few KB), encrypts
 * it and stores it beside the snapshot. File contents never reach a log.
 */
export async function captureCompanions(
  session: SshSession,
  settings: CompanionSettings,
  store: BackupStore,
  storeSettings: StoreSettings,
  snapshotKey: string,
  reporter: Reporter,
): Promise<CapturedCompanions> {
  const listed = await session.exec(existingFilesCommand(settings), 60_000);
  const present = [
    ...new Set(
      listed.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ),
  ];
  const missing = settings.explicit.filter((f) => !present.includes(f));
  if (missing.length > 0) {
    throw new PreconditionFailed(`companion-files: not found on ${session.label}: ${missing.join(', ')}`);
  }
  for (const f of KUBEADM_COMPANIONS)
    if (settings.kubeadmDefaults && !present.includes(f))
      reporter.warn(`companion-files: ${f} is not on ${session.label}; skipped`);
  if (present.length === 0)
    throw new PreconditionFailed(`companion-files: none of the files exist on ${session.label}`);
  const tar = await session.exec(
    `tar -cf - -C / ${present.map((f) => shellQuote(f.replace(/^\/+/, ''))).join(' ')} | base64 -w0`,
    120_000,
  );
  if (tar.code !== 0)
    throw new PreconditionFailed(
      `companion-files: tar on ${session.label} exited ${tar.code}: ${tar.stderr.trim().slice(-300)}`,
    );
  const bytes = Buffer.from(tar.stdout.trim(), 'base64');
  const key = companionKeyFor(snapshotKey);
  const result = await writeArchive(Readable.from([bytes]), store, key, {
    compression: 'gzip',
    encryption: storeSettings.encryption,
  });
  reporter.info(
    `companion files from ${session.label} stored encrypted as ${store.uriFor(key)}: ${present.join(', ')}`,
  );
  return {
    key,
    files: present,
    sha256: result.rawSha256,
    storedSha256: result.storedSha256,
    sizeBytes: result.rawBytes,
  };
}

export function companionKeyFor(snapshotKey: string): string {
  return snapshotKey.replace(/\.db(\.[a-z0-9]+)*$/, '') + '.companions.tar.gz.age';
}

/** Fetches, decrypts and verifies the companion archive named in a manifest: the tar bytes. */
export async function fetchCompanions(
  store: BackupStore,
  manifest: SnapshotManifest,
  storeSettings: StoreSettings,
  /** Maps the key recorded in the manifest to this store's key (the store may be rooted elsewhere). */
  keyOf: (recordedKey: string) => string = (k) => k,
): Promise<Buffer | undefined> {
  const c = manifest.companions?.[0];
  if (!c) return undefined;
  const chunks: Buffer[] = [];
  await readArchive(
    store,
    keyOf(c.key),
    {
      compression: 'gzip',
      decryption: storeSettings.decryption,
      expected: { rawSha256: c.sha256, storedSha256: c.storedSha256 },
    },
    new Writable({ write: (chunk: Buffer, _e, cb) => (chunks.push(chunk), cb()) }),
  );
  return Buffer.concat(chunks);
}

/** Puts the files back on a host; an existing file is kept beside it as `<file>.kubesafe-before-<stamp>`. */
export function putBackCommand(files: string[], tarPath: string, stamp: string): string {
  const backups = files.map(
    (f) =>
      `if [ -f ${shellQuote(f)} ]; then cp -p ${shellQuote(f)} ${shellQuote(`${f}.kubesafe-before-${stamp}`)}; fi`,
  );
  return [...backups, `tar -xpf ${shellQuote(tarPath)} -C /`, `rm -f ${shellQuote(tarPath)}`].join(' && ');
}
