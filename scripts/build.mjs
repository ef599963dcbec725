// Bundles every action and the CLI into dist/ with esbuild code splitting: each action's entry is
// small and loads only the chunks its operation imports, and a library used by several actions is
// stored once. (Per-action ncc bundles each carried their own copy of the Kubernetes client and the AWS
// SDK: tens of MB per action, rewritten on every rebuild.)
//
//   node scripts/build.mjs           rebuild dist/
//   node scripts/build.mjs --check   rebuild into a scratch folder and fail if dist/ differs
//   KUBESAFE_METAFILE=meta.json node scripts/build.mjs   also write esbuild's metafile (what each chunk holds)
import * as esbuild from 'esbuild';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  existsSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDocs } from './gen-docs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const outdir = check ? mkdtempSync(path.join(os.tmpdir(), 'kubesafe-dist-')) : path.join(root, 'dist');

const actions = readdirSync(path.join(root, 'actions')).filter((n) =>
  existsSync(path.join(root, 'actions', n, 'action.yml')),
);

// Entries are virtual modules, so an action needs no file of its own beyond src/actions/<name>.ts.
const entries = {
  ...Object.fromEntries(actions.map((a) => [`${a}/index`, `virtual:action:${a}`])),
  'main/index': 'virtual:root-action',
  'cli/index': 'src/cli.ts',
};
const virtualEntries = {
  name: 'virtual-entries',
  setup(build) {
    build.onResolve({ filter: /^virtual:/ }, (a) => ({ path: a.path, namespace: 'virtual' }));
    build.onLoad({ filter: /.*/, namespace: 'virtual' }, (a) => {
      // Relative to the repository, like every path esbuild sees: the output must not depend on where
      // the checkout is (check-dist runs in CI's clone, somewhere else).
      const run = './src/github/run.ts';
      // The entry runs the operation in a worker thread with a small young generation
      // (src/heap-worker.ts); only the worker loads the operation.
      const body = a.path.startsWith('virtual:action:')
        ? `(await import(${JSON.stringify(run)})).runAction(${JSON.stringify(a.path.slice(15))})`
        : `(await import(${JSON.stringify(run)})).runRootAction()`;
      const contents = `import { runInHeapWorker } from './src/heap-worker.ts';\nif (!(await runInHeapWorker(new URL(import.meta.url)))) await ${body};\n`;
      return { contents, loader: 'ts', resolveDir: root };
    });
  },
};

// @actions/core imports its OIDC client, and with it @actions/http-client and undici, at the top of its
// index, though only getIDToken (which kubesafe never calls) uses it. In the bundle that import
// evaluated undici in every action's start-up. Here core's import of lib/oidc-utils.js gets a stand-in
// that loads the real module, in a chunk of its own, when getIDToken is called.
const oidcUtils = /[\\/]@actions[\\/]core[\\/]lib[\\/]oidc-utils\.js$/;
const lazyOidcClient = {
  name: 'lazy-oidc-client',
  setup(build) {
    build.onResolve({ filter: /^lazy-oidc-real:/ }, (a) => ({
      path: a.path.slice('lazy-oidc-real:'.length),
      namespace: 'lazy-oidc-real',
    }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-oidc-real' }, (a) => ({
      contents: readFileSync(path.join(root, a.path), 'utf8'),
      loader: 'js',
      resolveDir: path.dirname(path.join(root, a.path)),
    }));
    // The stand-in names the real module relative to the checkout: esbuild hashes a chunk's module
    // paths into its file name, and an absolute path would make dist/ differ between clones.
    build.onLoad({ filter: oidcUtils }, (a) => ({
      contents: [
        'export class OidcClient {',
        '  static async getIDToken(audience) {',
        `    const real = await import(${JSON.stringify(`lazy-oidc-real:${path.relative(root, a.path)}`)});`,
        '    return real.OidcClient.getIDToken(audience);',
        '  }',
        '}',
      ].join('\n'),
      loader: 'js',
      resolveDir: path.dirname(a.path),
    }));
  },
};

if (!check) rmSync(outdir, { recursive: true, force: true });
const built = await esbuild.build({
  metafile: Boolean(process.env.KUBESAFE_METAFILE),
  absWorkingDir: root,
  entryPoints: entries,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  plugins: [virtualEntries, lazyOidcClient],
  // ssh2's optional native addons: at run time the require fails and ssh2 uses its JavaScript crypto.
  external: ['*.node'],
  // CommonJS dependencies call require() and use __dirname (etcd3 finds its .proto files with it).
  banner: {
    js: [
      "import { createRequire as __kubesafeRequire } from 'node:module';",
      "import { fileURLToPath as __kubesafeToPath } from 'node:url';",
      "import { dirname as __kubesafeDirname } from 'node:path';",
      'const require = __kubesafeRequire(import.meta.url);',
      'const __filename = __kubesafeToPath(import.meta.url);',
      'const __dirname = __kubesafeDirname(__filename);',
    ].join('\n'),
  },
});
if (process.env.KUBESAFE_METAFILE)
  writeFileSync(process.env.KUBESAFE_METAFILE, JSON.stringify(built.metafile));
// ssh2 (and our PEM check) carry the PEM armour lines of private keys as regex literals; written as
// PRIVATE\x20KEY they mean the same in any string or regex, and no secret scanner mistakes the bundle for
// a committed key.
for (const f of listFiles(outdir).filter((n) => n.endsWith('.js'))) {
  const file = path.join(outdir, f);
  const text = readFileSync(file, 'utf8');
  if (text.includes('PRIVATE KEY-----'))
    writeFileSync(file, text.replaceAll('PRIVATE KEY-----', 'PRIVATE\\x20KEY-----'));
}
// etcd3 loads rpc.proto (and what it imports) from `${__dirname}/../proto`: dist/proto for every output.
cpSync(path.join(root, 'node_modules/etcd3/proto'), path.join(outdir, 'proto'), { recursive: true });

if (check) {
  const problems = compareTrees(outdir, path.join(root, 'dist'));
  problems.push(...generateDocs(root, { check: true }));
  rmSync(outdir, { recursive: true, force: true });
  if (problems.length > 0) {
    console.error(
      'dist/ or the generated docs do not match the source; run `npm run build`:\n' + problems.join('\n'),
    );
    process.exit(1);
  }
  console.log('dist/ and generated docs match the source');
} else {
  generateDocs(root, { check: false });
  console.log(
    `built ${Object.keys(entries).length} entries into dist/ (${(dirSize(outdir) / 1048576).toFixed(1)} MiB)`,
  );
}

function listFiles(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p)];
  });
}
function compareTrees(fresh, committed) {
  const a = new Set(listFiles(fresh));
  const b = new Set(listFiles(committed));
  const out = [];
  for (const f of a) if (!b.has(f)) out.push(`missing in dist/: ${f}`);
  for (const f of b) if (!a.has(f)) out.push(`stale in dist/: ${f}`);
  for (const f of a) {
    if (b.has(f) && !readFileSync(path.join(fresh, f)).equals(readFileSync(path.join(committed, f)))) {
      out.push(`differs: dist/${f}`);
    }
  }
  return out;
}
function dirSize(dir) {
  return listFiles(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
}
