import { spawn, execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { IntegrityError, KubesafeError, TimeoutError, errorMessage } from '../errors.js';
import { findEtcdTools, restoreArgv } from './binaries.js';
import { countKeysByPrefix } from './key-counts.js';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface DrillResult {
  revision: number;
  counts: Record<string, number>;
}

/**
 * Restores a snapshot file into a scratch data dir, starts a throwaway etcd on free loopback ports and
 * counts its keys by prefix. Everything it made is removed afterwards.
 */
export async function restoreDrill(
  writeSnapshot: (sink: NodeJS.WritableStream) => Promise<void>,
  binDir?: string,
): Promise<DrillResult> {
  const tools = findEtcdTools(binDir);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kubesafe-drill-'));
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const file = path.join(dir, 'snapshot.db');
    await writeSnapshot(createWriteStream(file));
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const peer = `http://127.0.0.1:${peerPort}`;
    const client = `http://127.0.0.1:${clientPort}`;
    const dataDir = path.join(dir, 'data');
    try {
      await run(
        tools.restoreTool.path,
        restoreArgv(tools.restoreTool.kind, {
          snapshotPath: file,
          name: 'drill',
          initialCluster: `drill=${peer}`,
          initialClusterToken: 'kubesafe-drill',
          initialAdvertisePeerUrls: peer,
          dataDir,
        }),
        { env: { ...process.env, ETCDCTL_API: '3' } },
      );
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new IntegrityError(
        `restore drill: ${tools.restoreTool.kind} snapshot restore failed: ${stderr.trim().split('\n').pop() ?? errorMessage(err)}`,
      );
    }
    child = spawn(
      tools.etcd,
      [
        '--name=drill',
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=drill=${peer}`,
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const etcd = new Etcd3({ hosts: [client], dialTimeout: 2000 });
    try {
      const deadline = Date.now() + 30_000;
      let revision: number | undefined;
      while (revision === undefined) {
        if (child.exitCode !== null)
          throw new KubesafeError(`restore drill: the throwaway etcd exited: ${stderr.trim().slice(-500)}`);
        try {
          revision = Number((await etcd.maintenance.status()).header.revision);
        } catch {
          if (Date.now() > deadline)
            throw new TimeoutError('restore drill: the throwaway etcd did not start within 30 s');
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      return { revision, counts: await countKeysByPrefix(etcd) };
    } finally {
      etcd.close();
    }
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
}
