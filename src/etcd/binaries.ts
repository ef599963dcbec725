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
  /** etcdutl 3.5.? and later: move revisions ahead so watchers see the restore as new events. */
  bumpRevision?: number;
  markCompacted?: boolean;
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
  if (tool === 'etcdutl' && a.bumpRevision !== undefined) argv.push(`--bump-revision=${a.bumpRevision}`);
  if (tool === 'etcdutl' && a.markCompacted) argv.push('--mark-compacted');
  return argv;
}
