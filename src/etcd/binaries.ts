import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PreconditionFailed } from '../errors.js';

const run = promisify(execFile);

export interface EtcdTools {
  etcd: string;
  /** etcdutl on 3.5+, etcdctl (ETCDCTL_API=3) on 3.4, which has no etcdutl. */
  restoreTool: { kind: 'etcdutl' | 'etcdctl'; path: string };
}

function findOnPath(name: string, dir?: string): string | undefined {
  const dirs = dir ? [dir] : (process.env.PATH ?? '').split(path.delimiter);
  for (const d of dirs) {
    const p = path.join(d, name);
    if (d !== '' && existsSync(p)) return p;
  }
  return undefined;
}

export function findEtcdTools(binDir?: string): EtcdTools {
  const where = binDir ? `in ${binDir}` : 'on the PATH';
  const etcd = findOnPath('etcd', binDir);
  const etcdutl = findOnPath('etcdutl', binDir);
  const etcdctl = findOnPath('etcdctl', binDir);
  if (!etcd || (!etcdutl && !etcdctl)) {
    throw new PreconditionFailed(
      `verify: restore needs etcd and etcdutl (or etcdctl for etcd 3.4) ${where}; found: ${[etcd, etcdutl, etcdctl].filter(Boolean).join(', ') || 'none'}. ` +
        'Install them (Debian: apt-get install etcd-server etcd-client) or set etcd-bin-dir',
    );
  }
  return {
    etcd,
    restoreTool: etcdutl ? { kind: 'etcdutl', path: etcdutl } : { kind: 'etcdctl', path: etcdctl! },
  };
}

export async function toolVersion(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version'], { env: { ...process.env, ETCDCTL_API: '3' } });
  return /(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? 'unknown';
}

export interface RestoreArgs {
  snapshotPath: string;
  name: string;
  initialCluster: string;
  initialClusterToken: string;
  initialAdvertisePeerUrls: string;
  dataDir: string;
  /**
   * etcdutl 3.5.10 and later: move revisions ahead of any the clients have seen, and mark the old ones
   * compacted, so that watchers (the API servers' caches) relist instead of missing the rollback.
   */
  bumpRevision?: number;
  markCompacted?: boolean;
}

export type RestoreToolKind = 'etcdutl' | 'etcdctl';

/** `3.5.10` -> [3, 5, 10]; undefined when the text holds no version. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function atLeast(v: [number, number, number], min: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! > min[i]!;
  return true;
}

/** 3.4 has no etcdutl and restores with etcdctl; 3.5 has both; 3.6 removed restore from etcdctl. */
export function restoreToolForVersion(version: [number, number, number]): RestoreToolKind {
  return atLeast(version, [3, 5, 0]) ? 'etcdutl' : 'etcdctl';
}

/** `--bump-revision` and `--mark-compacted` arrived in etcdutl 3.5.10 (etcd-io/etcd#16165). */
export function supportsBumpRevision(kind: RestoreToolKind, version: [number, number, number]): boolean {
  return kind === 'etcdutl' && atLeast(version, [3, 5, 10]);
}

/** The argv of a snapshot restore for either tool. Pure: used by the drill and the restore plans. */
export function restoreArgv(tool: 'etcdutl' | 'etcdctl', a: RestoreArgs): string[] {
  const argv = [
    'snapshot',
    'restore',
    a.snapshotPath,
    `--name=${a.name}`,
    `--initial-cluster=${a.initialCluster}`,
    `--initial-cluster-token=${a.initialClusterToken}`,
    `--initial-advertise-peer-urls=${a.initialAdvertisePeerUrls}`,
    `--data-dir=${a.dataDir}`,
  ];
  if (tool === 'etcdutl' && a.bumpRevision !== undefined && a.bumpRevision > 0) {
    argv.push(`--bump-revision=${a.bumpRevision}`);
    // etcdutl requires --mark-compacted together with a bump, and refuses it alone.
    if (a.markCompacted) argv.push('--mark-compacted');
  }
  return argv;
}
