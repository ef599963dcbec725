// `npm run bench [name]`: runs bench/<name>.bench.mjs, or every benchmark when no name is given.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv[2];
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort();
const chosen = wanted ? all.filter((f) => f === `${wanted}.bench.mjs`) : all;
if (chosen.length === 0) {
  console.error(
    `no benchmark ${JSON.stringify(wanted)}; benchmarks: ${all.map((f) => f.replace('.bench.mjs', '')).join(', ')}`,
  );
  process.exit(2);
}
for (const f of chosen) {
  console.log(`\n### ${f}`);
  const r = spawnSync(process.execPath, [path.join(dir, f), ...process.argv.slice(3)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
