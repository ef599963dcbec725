// Runs every bench/*.bench.* file, or the one named as the argument: `npm run bench [-- storage]`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => /\.bench\.(mjs|js)$/.test(f))
  .filter((f) => !wanted || f === wanted || f.startsWith(`${wanted}.bench.`))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${JSON.stringify(wanted)}`);
  process.exit(2);
}
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, [path.join(dir, f), ...process.argv.slice(3)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
