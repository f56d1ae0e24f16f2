// Bundles the bin into dist/: one small entry (commander + the command tree) and one chunk per command,
// loaded on demand, so `agentbox --help` never parses client-node, undici or the resolver.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// Barrel imports, resolved at build time. esbuild computes which chunk a module lands in by following
// imports from each entry, and a package index re-exports everything: through `@agentbox/controller`'s index,
// `get pools` would reach (and load) the controller, pino and prom-client. This plugin rewrites
// `import { a, b } from '@agentbox/x'` in the CLI's own sources into imports of the files that define `a` and
// `b`, read from the package's explicit `export { … } from './file.js'` lines (what Next.js calls
// optimizePackageImports).
const barrels = new Map();
function barrelMap(pkg) {
  if (barrels.has(pkg)) return barrels.get(pkg);
  const dir = fileURLToPath(new URL(`../${pkg}/src/`, import.meta.url));
  const index = readFileSync(`${dir}index.ts`, 'utf8');
  const map = new Map();
  for (const m of index.matchAll(/export\s+(type\s+)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    if (m[1]) continue;
    for (const raw of m[2].split(',')) {
      const spec = raw.trim();
      if (!spec || spec.startsWith('type ')) continue;
      const [name, alias] = spec.split(/\s+as\s+/);
      map.set((alias ?? name).trim(), { file: `${dir}${m[3].replace(/\.js$/, '.ts')}`, name: name.trim() });
    }
  }
  barrels.set(pkg, map);
  return map;
}
const deepImports = {
  name: 'deep-imports',
  setup(b) {
    // A workspace source that reads a JSON file beside itself at import time (e.g. its package.json for a
    // version) would look for it next to the bundle's chunk: inline the file's text at build time instead.
    b.onLoad(
      { filter: /\/packages\/(core|controller|resolver-registry|resolver-cache)\/src\/.*\.ts$/ },
      (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const contents = source.replace(
          /readFileSync\(\s*new URL\('([^']+\.json)', import\.meta\.url\),\s*'utf8',?\s*\)/g,
          (_, file) => JSON.stringify(readFileSync(new URL(file, pathToFileURL(args.path)), 'utf8')),
        );
        return { contents, loader: 'ts' };
      },
    );
    b.onLoad({ filter: /\/packages\/cli\/src\/.*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replace(
        /import\s*\{([^}]*)\}\s*from\s*'@agentbox\/(core|controller|resolver-registry|resolver-cache)';/g,
        (whole, specs, pkg) => {
          const map = barrelMap(pkg);
          const lines = [];
          for (const raw of specs.split(',')) {
            const spec = raw.trim();
            if (!spec || spec.startsWith('type ')) continue;
            const [name, alias] = spec.split(/\s+as\s+/);
            const target = map.get(name.trim());
            if (!target) return whole; // not a plain re-export: leave the import as it is
            lines.push(
              `import { ${target.name} as ${(alias ?? name).trim()} } from ${JSON.stringify(target.file)};`,
            );
          }
          return lines.join('\n');
        },
      );
      return { contents, loader: 'ts' };
    });
  },
};

/** Bundles the bin into `outdir` (the tests bundle into folders of their own). */
export async function bundle(outdir) {
  const result = await build({
    entryPoints: { agentbox: fileURLToPath(new URL('./src/bin/agentbox.ts', import.meta.url)) },
    absWorkingDir: fileURLToPath(new URL('.', import.meta.url)),
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Workspace packages are bundled from their TypeScript sources.
    conditions: ['@agentbox/source'],
    // Loaded only by commands that need them (exec plugins, the controller): left as runtime dependencies.
    external: ['@kubernetes/client-node', 'pino', 'prom-client', 'docker-registry-client'],
    define: { AGENTBOX_CLI_VERSION: JSON.stringify(pkg.version) },
    // CommonJS dependencies bundled into ESM call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __agentboxRequire } from 'node:module';\nconst require = __agentboxRequire(import.meta.url);",
    },
    plugins: [deepImports],
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: process.env.BUNDLE_META === '1',
  });
  if (result.metafile) writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = fileURLToPath(new URL('./dist', import.meta.url));
  // Only this build's own files: the tests' folders beside them may be in use.
  for (const f of ['agentbox.js', 'agentbox.js.map', 'chunks'])
    rmSync(join(dist, f), { recursive: true, force: true });
  await bundle(dist);
}
