// zone-migrate against the test cluster (test/cluster/up.sh starts it, or reuses a running one):
//   npm run bench zone-migrate                     (1, 8 and 32 volumes, 2s per GiB)
//   BENCH_VOLUMES=1,4 BENCH_LATENCY_PER_GIB=1s npm run bench zone-migrate
// Prints each downtime (scale to zero until Ready again), downtime(32)/downtime(1), and Kubernetes API
// requests per volume (counted in the client layer). The TypeScript body is bundled first.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Two levels below the root, so that the harness inside finds the repository root as it expects.
const out = path.join(root, 'tmp', 'bench', 'zone-migrate-bench.mjs');
mkdirSync(path.dirname(out), { recursive: true });
await build({
  entryPoints: [path.join(root, 'bench/zone-migrate-driver.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  outfile: out,
  logLevel: 'error',
});
const { main } = await import(pathToFileURL(out).href);
await main();
