/**
 * Every remaining action bundle, run the way the GitHub runner runs it (INPUT_* variables with the
 * action.yml defaults, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), against real components: the
 * outputs one step writes are what the next one reads.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ensureCluster, type ClusterInfo } from '../cluster/harness.js';
import { runActionBundle } from '../helpers/action-runner.js';
import { fillKubernetesLike, startEtcdCluster, type EtcdCluster } from '../helpers/etcd.js';
import { api, cleanupNamespace, createStatefulSet, resourceVersions } from '../migration/fixtures.js';

jest.setTimeout(300_000);

describe('etcd-snapshot -> snapshots -> etcd-restore (plan), as bundles', () => {
  let etcd: EtcdCluster;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kubesafe-bundles-'));
    etcd = await startEtcdCluster({ size: 3 });
    const c = etcd.client();
    await fillKubernetesLike(c, 60);
    c.close();
  });
  afterAll(async () => {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the snapshot it took, fetches and verifies it, and plans its restore', async () => {
    const destination = `file://${dir}/store`;
    const snap = await runActionBundle('etcd-snapshot', {
      endpoints: etcd.endpoints.join(','),
      destination,
      'cluster-name': 'prod',
      labels: 'pre-change',
    });
    expect(snap.code).toBe(0);

    const list = await runActionBundle('snapshots', {
      operation: 'list',
      destination,
      'cluster-name': 'prod',
    });
    expect(list.code).toBe(0);
    expect(list.outputs.count).toBe('1');
    expect(list.stdout).toContain(`rev${snap.outputs.revision}`);

    const out = path.join(dir, 'fetched.db');
    const get = await runActionBundle('snapshots', {
      operation: 'get',
      uri: snap.outputs['manifest-uri']!,
      output: out,
      destination,
    });
    expect(get.stdout).not.toContain('::error::');
    expect(get.code).toBe(0);
    expect(get.outputs.sha256).toBe(snap.outputs.sha256);
    expect(readFileSync(out).length).toBe(Number(snap.outputs['size-bytes']));

    const planDir = path.join(dir, 'plan');
    // All three members live on this machine: each needs its own data dir (the manifest gives the rest).
    const members = etcd.members.map((m) => `${m.name}#${m.dataDir}`).join(',');
    const plan = await runActionBundle('etcd-restore', {
      snapshot: snap.outputs['manifest-uri']!,
      members,
      'plan-dir': planDir,
    });
    expect(plan.stdout).not.toContain('::error::');
    expect(plan.code).toBe(0);
    expect(plan.outputs['plan-dir']).toBe(planDir);
    for (const m of ['m1', 'm2', 'm3']) expect(existsSync(path.join(planDir, `restore-${m}.sh`))).toBe(true);
    expect(plan.summary).toContain(snap.outputs.sha256!);
  });
});

describe('migration-precheck -> zone-migrate (dry run) -> volume-snapshots, as bundles', () => {
  let cluster: ClusterInfo;
  let ns: string;
  beforeAll(async () => {
    cluster = await ensureCluster();
    ns = `bundles-${Date.now().toString(36)}`;
    await api().core.createNamespace({ body: { metadata: { name: ns } } });
    await createStatefulSet(ns, 'web', { replicas: 2, zones: ['zone-a', 'zone-a'] });
  });
  afterAll(async () => {
    if (ns) await cleanupNamespace(ns);
  });

  it('passes the precheck with its plan, plans the same move without changing anything, and prunes nothing unexpired', async () => {
    const before = await resourceVersions(ns, 'web');
    const common = {
      namespace: ns,
      statefulset: 'web',
      'target-zones': 'zone-c',
      kubeconfig: cluster.kubeconfigAdmin,
    };
    const pre = await runActionBundle('migration-precheck', common);
    expect(pre.stdout).not.toContain('::error::');
    expect(pre.outputs.verdict).toBe('pass');
    const planned = JSON.parse(pre.outputs.plan!) as {
      volumes: { pvc: string; targetZone: string; moves: boolean }[];
    };
    expect(planned.volumes.map((v) => [v.pvc, v.targetZone, v.moves])).toEqual([
      ['data-web-0', 'zone-c', true],
      ['data-web-1', 'zone-c', true],
    ]);
    expect(pre.summary).toContain('data-web-1');

    const dry = await runActionBundle('zone-migrate', { ...common, 'dry-run': 'true' });
    expect(dry.stdout).not.toContain('::error::');
    expect(dry.code).toBe(0);
    expect(dry.outputs.result).toBe('planned');

    const prune = await runActionBundle('volume-snapshots', {
      operation: 'prune',
      namespace: ns,
      kubeconfig: cluster.kubeconfigAdmin,
    });
    expect(prune.code).toBe(0);
    expect(prune.outputs.count).toBe('0');
    expect(await resourceVersions(ns, 'web')).toEqual(before);
  });
});
