/**
 * The zone-migrate benchmark's body (bundled and run by zone-migrate.bench.mjs): migrates
 * StatefulSets of 1, 8 and 32 volumes with the fake driver's snapshot and restore latency set, and
 * prints each downtime, the ratio downtime(32)/downtime(1), and API requests per volume.
 */
import * as k8s from '@kubernetes/client-node';
import { runMigration } from '../src/actions/zone-migrate.js';
import { inputsFrom } from '../src/inputs.js';
import { RecordingReporter } from '../src/report.js';
import { timeline } from '../src/migration/migration-report.js';
import { Tracer, milestones } from './trace.js';
import {
  createTestNamespace,
  ensureCluster,
  kubeConfig,
  resetCsiFaults,
  waitFor,
  setCsiFaults,
  stateDir,
} from '../test/cluster/harness.js';
import {
  cleanupNamespace,
  createStatefulSet,
  readData,
  standInExecReadingVolumeFiles,
  standInPrecheckFromCluster,
  writeData,
} from '../test/migration/fixtures.js';

const sizes = (process.env.BENCH_VOLUMES ?? '1,8,32').split(',').map(Number);
const latency = process.env.BENCH_LATENCY_PER_GIB ?? '2s';
const runs = Number(process.env.BENCH_RUNS ?? 3);

/** Waits (at most 3 min) until the namespace and every PV that named one of its claims are gone. */
async function settled(ns: string): Promise<void> {
  const core = kubeConfig('admin').makeApiClient(k8s.CoreV1Api);
  await waitFor(
    `namespace ${ns} and its volumes to go`,
    async () => {
      const left = (await core.listPersistentVolume()).items.filter(
        (pv) => pv.spec?.claimRef?.namespace === ns,
      );
      const nsGone = await core.readNamespace({ name: ns }).then(
        () => false,
        (e: { code?: number }) => e.code === 404,
      );
      return nsGone && left.length === 0;
    },
    180_000,
    500,
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Row {
  volumes: number;
  downtimeS: number;
  totalS: number;
  requests: number;
}

export async function main(): Promise<void> {
  await ensureCluster();
  const rows: Row[] = [];
  try {
    // Interleaved (1, 8, 32, 1, 8, 32, ...) so that drift in the shared cluster hits every size alike.
    for (const n of Array.from({ length: runs }, () => sizes).flat()) {
      const ns = await createTestNamespace(`bench-mig-${n}`);
      let tracer: Tracer | undefined;
      try {
        await createStatefulSet(ns, 'db', { replicas: n, zones: Array(n).fill('zone-a'), size: '1Gi' });
        const data = await writeData(ns, 'db', n);
        await setCsiFaults({ latencyPerGiB: latency });
        const reporter = new RecordingReporter();
        tracer = process.env.BENCH_TRACE ? new Tracer(kubeConfig('admin'), ns) : undefined;
        await tracer?.start();
        const t0 = Date.now();
        const cpu0 = process.cpuUsage();
        const outcome = await runMigration(
          inputsFrom({
            namespace: ns,
            statefulset: 'db',
            'target-zones': 'zone-b',
            kubeconfig: `${stateDir()}/admin.kubeconfig`,
            'check-interval': '2s',
            'step-timeout': '5m',
          }),
          reporter,
          { precheck: () => standInPrecheckFromCluster(), exec: () => standInExecReadingVolumeFiles() },
        );
        const totalS = (Date.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        await resetCsiFaults();
        if (outcome.result !== 'migrated')
          throw new Error(`${n} volumes: ${outcome.result}: ${outcome.error}`);
        for (const pvc of Object.keys(data))
          if ((await readData(ns, pvc)) !== data[pvc]) throw new Error(`${pvc}: data differs`);
        rows.push({
          volumes: n,
          downtimeS: Number(reporter.outputs.downtime),
          totalS,
          requests: outcome.apiRequests,
        });
        const steps = outcome.journal
          ? timeline(outcome.journal).map((t) => `${t.step} ${(t.durationMs / 1000).toFixed(1)}`)
          : [];
        console.log(`  steps (s): ${steps.join(', ')}`);
        const from = Date.parse(outcome.journal?.scaledDownAt ?? '');
        if (tracer && outcome.journal && !Number.isNaN(from)) {
          const starts = timeline(outcome.journal).map(
            (t) =>
              `${t.step} ${((t.startMs - from) / 1000).toFixed(1)}..${((t.startMs + t.durationMs - from) / 1000).toFixed(1)}`,
          );
          console.log(`  steps, from the scale-down (s): ${starts.join(', ')}`);
          console.log('  milestones after the scale-down (s), volumes reaching it:');
          console.log(milestones(tracer, from).join('\n'));
          if (process.env.BENCH_TRACE === 'all')
            for (const e of tracer.entries.filter((x) => x.t >= from - 500))
              console.log(`    ${((e.t - from) / 1000).toFixed(3)} ${e.kind} ${e.name} ${e.state}`);
        }
        if (process.env.BENCH_VERBOSE)
          console.log(reporter.lines.filter((l) => l.includes('old claims gone')).join('\n'));
        console.log(
          `${n} volumes: downtime ${reporter.outputs.downtime} s, whole run ${totalS.toFixed(1)} s, ${outcome.apiRequests} API requests, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of this process's CPU`,
        );
      } finally {
        tracer?.stop();
        await resetCsiFaults();
        await cleanupNamespace(ns);
        // The next size starts on a quiet cluster: the controllers deleting 32 volumes would
        // otherwise run during its downtime window.
        await settled(ns);
      }
    }
  } finally {
    await resetCsiFaults();
  }
  const agg = sizes.map((n) => {
    const rs = rows.filter((r) => r.volumes === n);
    return {
      volumes: n,
      downtimeS: median(rs.map((r) => r.downtimeS)),
      all: rs.map((r) => r.downtimeS.toFixed(1)).join(', '),
      totalS: median(rs.map((r) => r.totalS)),
      requests: median(rs.map((r) => r.requests)),
    };
  });
  console.log(
    `\nsnapshot and restore latency: ${latency} per GiB each; 1 GiB volumes; all moving zone-a -> zone-b; median of ${runs} runs\n`,
  );
  console.log(
    '| volumes | downtime (s), median | each run | whole run (s) | API requests | requests per volume |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of agg) {
    console.log(
      `| ${r.volumes} | ${r.downtimeS.toFixed(1)} | ${r.all} | ${r.totalS.toFixed(1)} | ${r.requests} | ${(r.requests / r.volumes).toFixed(1)} |`,
    );
  }
  const one = agg.find((r) => r.volumes === Math.min(...sizes));
  const many = agg.find((r) => r.volumes === Math.max(...sizes));
  if (one && many && one !== many) {
    console.log(
      `\ndowntime(${many.volumes}) / downtime(${one.volumes}) = ${(many.downtimeS / one.downtimeS).toFixed(2)} (target <= 1.5: volumes move in parallel)`,
    );
  }
}
