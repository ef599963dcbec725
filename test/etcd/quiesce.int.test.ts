import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { post, run } from '../../src/actions/etcd-snapshot.js';
import { freePort } from '../../src/etcd/drill.js';
import { QUIESCE_STATE } from '../../src/etcd/quiesce.js';
import { inputsFrom } from '../../src/inputs.js';
import { RecordingReporter } from '../../src/report.js';
import type { SnapshotManifest } from '../../src/store/manifest.js';
import { fillKubernetesLike, startEtcdCluster, type EtcdCluster } from '../helpers/etcd.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

// A stand-in for the API server: a process on the "control-plane host" (this machine, reached through a
// real sshd) that the stop and start commands end and start, logging each with a millisecond timestamp.
let sshd: Sshd;
let cluster: EtcdCluster;
let pidFile: string;
let events: string;

function commands() {
  const r = sshd.root;
  return {
    'stop-apiserver-command': `if [ -f ${r}/apiserver.pid ]; then kill "$(cat ${r}/apiserver.pid)"; rm ${r}/apiserver.pid; fi; echo "stopped $(date +%s%3N)" >> ${r}/events.log`,
    'start-apiserver-command': `if [ ! -f ${r}/apiserver.pid ]; then (setsid nohup sleep 600 >/dev/null 2>&1 & echo $! > ${r}/apiserver.pid); fi; echo "started $(date +%s%3N)" >> ${r}/events.log`,
  };
}

function quiesceInputs(endpoint: string, dest: string): Record<string, string> {
  return {
    endpoints: endpoint,
    destination: dest,
    quiesce: 'api-servers',
    'control-plane-hosts': `127.0.0.1:${sshd.port}`,
    'ssh-user': sshd.user,
    'ssh-private-key': sshd.privateKey,
    'ssh-known-hosts': sshd.knownHosts,
    ...commands(),
  };
}

function standInRunning(): boolean {
  if (!existsSync(pidFile)) return false;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

function log(): { event: string; at: number }[] {
  if (!existsSync(events)) return [];
  return readFileSync(events, 'utf8')
    .trim()
    .split('\n')
    .map((l) => ({ event: l.split(' ')[0]!, at: Number(l.split(' ')[1]) }));
}

function resetLog(): void {
  execFileSync('sh', ['-c', `: > ${events}`]);
}

beforeAll(async () => {
  sshd = await startSshd();
  cluster = await startEtcdCluster();
  const c = cluster.client();
  await fillKubernetesLike(c, 1500, 2000);
  c.close();
  pidFile = path.join(sshd.root, 'apiserver.pid');
  events = path.join(sshd.root, 'events.log');
  execFileSync('sh', ['-c', commands()['start-apiserver-command']]);
});

afterAll(async () => {
  if (existsSync(pidFile)) execFileSync('sh', ['-c', `kill "$(cat ${pidFile})" || true`]);
  await cluster.stop();
  await sshd.stop();
});

describe('quiesce: api-servers', () => {
  it('stops the API server for the snapshot, starts it again afterwards and reports the outage', async () => {
    resetLog();
    expect(standInRunning()).toBe(true);
    const reporter = new RecordingReporter();
    await run(inputsFrom(quiesceInputs(cluster.endpoints[0]!, path.join(sshd.root, 'ok'))), reporter, {});
    const [stopped, started] = log();
    expect(stopped?.event).toBe('stopped');
    expect(started?.event).toBe('started');
    const manifest = JSON.parse(
      readFileSync(new URL(reporter.outputs['manifest-uri']!).pathname, 'utf8'),
    ) as SnapshotManifest;
    const takenAt = Date.parse(manifest.createdAt);
    expect(takenAt).toBeGreaterThanOrEqual(stopped!.at - 1000);
    expect(takenAt).toBeLessThanOrEqual(started!.at);
    expect(Number(reporter.outputs['quiesce-outage-seconds'])).toBeGreaterThan(0);
    expect(standInRunning()).toBe(true);
    expect(reporter.state[QUIESCE_STATE.resumed]).toBe('true');
    expect(reporter.lines.join('\n')).not.toContain(sshd.privateKey.split('\n')[1]!);
  });

  it('starts the API server again when the snapshot fails midway', async () => {
    resetLog();
    // A proxy that cuts the snapshot stream after 256 KiB.
    const target = new URL(cluster.endpoints[0]!);
    const proxy = net.createServer((client) => {
      const server = net.connect(Number(target.port), target.hostname);
      let n = 0;
      client.on('data', (d) => server.write(d));
      server.on('data', (d) => {
        n += d.length;
        client.write(d);
        if (n > 256 * 1024) {
          client.destroy();
          server.destroy();
        }
      });
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
    });
    const port = await freePort();
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
    try {
      await expect(
        run(
          inputsFrom(quiesceInputs(`http://127.0.0.1:${port}`, path.join(sshd.root, 'cut'))),
          new RecordingReporter(),
          {},
        ),
      ).rejects.toThrow(/snapshot stream/);
    } finally {
      proxy.close();
    }
    expect(log().map((e) => e.event)).toEqual(['stopped', 'started']);
    expect(standInRunning()).toBe(true);
  });

  it('the post step starts the API server when the main step died with it stopped', async () => {
    execFileSync('sh', ['-c', commands()['stop-apiserver-command']]);
    expect(standInRunning()).toBe(false);
    const inputs = inputsFrom(quiesceInputs(cluster.endpoints[0]!, path.join(sshd.root, 'post')));
    await post(inputs, new RecordingReporter(), {
      [QUIESCE_STATE.hosts]: JSON.stringify([{ host: '127.0.0.1', port: sshd.port }]),
    });
    expect(standInRunning()).toBe(true);
  });

  it('refuses an unknown host key before stopping anything', async () => {
    resetLog();
    const inputs = {
      ...quiesceInputs(cluster.endpoints[0]!, path.join(sshd.root, 'badkey')),
      'ssh-known-hosts': sshd.wrongKnownHosts,
    };
    await expect(run(inputsFrom(inputs), new RecordingReporter(), {})).rejects.toThrow(
      /could not stop every API server[\s\S]*host key/i,
    );
    expect(log().filter((e) => e.event === 'stopped')).toEqual([]);
    expect(standInRunning()).toBe(true);
  });
});
