// Packs every public package under packages/ the way `pnpm publish` would, checks each tarball's
// manifest and files, installs the tarballs with npm into a scratch consumer (no workspace), then
// typechecks (nodenext, strict) and runs an ES module consumer and a CommonJS one. A new public
// package joins by existing; its every export must import and require.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  [field: string]: unknown;
}

interface Packed {
  /** Folder name under packages/. */
  dir: string;
  manifest: Manifest;
  tarball: string;
  /** Where the tarball was unpacked (its `package/` folder). */
  unpacked: string;
  /** Every file of the tarball, relative to `package/`. */
  files: string[];
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const readJson = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

function workspaceManifests(parent: string): Array<{ dir: string; manifest: Manifest }> {
  return readdirSync(join(root, parent), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, parent, e.name, 'package.json')))
    .map((e) => ({ dir: e.name, manifest: readJson(join(root, parent, e.name, 'package.json')) }));
}

const publicPackages = workspaceManifests('packages').filter((p) => p.manifest.private !== true);
const privateNames = [...workspaceManifests('packages'), ...workspaceManifests('bench')]
  .filter((p) => p.manifest.private === true)
  .map((p) => p.manifest.name);

async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: process.env });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}

/** Every string target of an exports map, with the condition path that leads to it. */
function exportTargets(value: unknown, path: string[] = []): Array<{ path: string[]; target: string }> {
  if (typeof value === 'string') return [{ path, target: value }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => exportTargets(v, [...path, key]));
}

/** Every object of conditions in an exports map. */
function conditionObjects(value: unknown): Record<string, unknown>[] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Object.entries(value);
  const own = entries.some(([key]) => !key.startsWith('.')) ? [value as Record<string, unknown>] : [];
  return [...own, ...entries.flatMap(([, v]) => conditionObjects(v))];
}

const scratch = mkdtempSync(join(tmpdir(), 'agentbox-packaging-'));
const packed: Packed[] = [];
const consumer = join(scratch, 'consumer');

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(async () => {
  const tarballs = join(scratch, 'tarballs');
  mkdirSync(tarballs);
  // One at a time: each prepack rebuilds its package's dist.
  for (const { dir, manifest } of publicPackages) {
    const before = new Set(readdirSync(tarballs));
    await sh('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', dir));
    const name = readdirSync(tarballs).find((f) => !before.has(f) && f.endsWith('.tgz'));
    if (name === undefined) throw new Error(`pnpm pack wrote no tarball for ${manifest.name}`);
    const unpackDir = join(scratch, 'unpacked', dir);
    mkdirSync(unpackDir, { recursive: true });
    await sh('tar', ['-xzf', join(tarballs, name), '-C', unpackDir], scratch);
    const unpacked = join(unpackDir, 'package');
    packed.push({
      dir,
      manifest: readJson(join(unpacked, 'package.json')),
      tarball: join(tarballs, name),
      unpacked,
      files: listFiles(unpacked),
    });
  }

  cpSync(join(root, 'scripts', 'packaging', 'consumer'), consumer, { recursive: true });
  const rootManifest = readJson(join(root, 'package.json'));
  const typesNode = (rootManifest['devDependencies'] as Record<string, string>)['@types/node']!;
  writeFileSync(
    join(consumer, 'package.json'),
    `${JSON.stringify(
      {
        name: 'agentbox-consumer',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(packed.map((p) => [p.manifest.name, `file:${p.tarball}`])),
        devDependencies: { '@types/node': typesNode },
      },
      null,
      2,
    )}\n`,
  );
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], consumer);
}, 300_000);

describe.each(publicPackages.map((p) => p.dir))('packed %s', (dir) => {
  const get = (): Packed => packed.find((p) => p.dir === dir)!;

  it('has no workspace ranges, no source condition, and caret ranges for its agentbox dependencies', () => {
    const { manifest, unpacked } = get();
    const text = readFileSync(join(unpacked, 'package.json'), 'utf8');
    expect(text).not.toContain('workspace:');
    expect(text).not.toContain('@agentbox/source');
    for (const field of ['dependencies', 'peerDependencies', 'devDependencies']) {
      const deps = (manifest[field] ?? {}) as Record<string, string>;
      for (const [name, range] of Object.entries(deps)) {
        expect(privateNames, `${field} names the private ${name}`).not.toContain(name);
        if (name.startsWith('@agentbox/')) expect(range, `${field}.${name}`).toMatch(/^\^/);
      }
    }
  });

  it('has complete metadata', () => {
    const { manifest } = get();
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest['description']).toEqual(expect.any(String));
    expect((manifest['keywords'] as string[]).length).toBeGreaterThan(0);
    expect(manifest['license']).toBe('Apache-2.0');
    expect(manifest['repository']).toMatchObject({
      type: 'git',
      url: expect.any(String),
      directory: `packages/${dir}`,
    });
    expect(manifest['homepage']).toEqual(expect.any(String));
    expect(manifest['bugs']).toMatchObject({ url: expect.any(String) });
    expect(manifest['engines']).toMatchObject({ node: expect.any(String) });
    expect(manifest['sideEffects']).toBeDefined();
    expect(manifest['publishConfig']).toMatchObject({ access: 'public' });
  });

  it('ships README and LICENSE, and exports (and bins) only files it contains, types first', () => {
    const { manifest, files } = get();
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    const exportsMap = (manifest['exports'] ?? {}) as Record<string, unknown>;
    expect(exportsMap['./package.json']).toBe('./package.json');
    const bin = manifest['bin'];
    const targets = [
      ...exportTargets(exportsMap),
      ...exportTargets(typeof bin === 'string' ? { [manifest.name]: bin } : (bin ?? {}), ['bin']),
    ];
    // A package with a main entry point also names it at the top level, for resolvers without exports.
    if ('.' in exportsMap) {
      targets.push({ path: ['main'], target: manifest['main'] as string });
      targets.push({ path: ['types'], target: manifest['types'] as string });
    }
    for (const { path, target } of targets) {
      expect(files, `${path.join(' → ')} → ${target}`).toContain(target.replace(/^\.\//, ''));
    }
    for (const conditions of conditionObjects(exportsMap)) {
      if ('types' in conditions) expect(Object.keys(conditions)[0]).toBe('types');
    }
  });

  it('has source maps whose sources are inside the tarball or inlined', () => {
    const { files, unpacked } = get();
    const maps = files.filter((f) => f.endsWith('.map'));
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(unpacked, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown[];
      };
      map.sources.forEach((source, i) => {
        const inside = files.includes(relative(unpacked, resolve(join(unpacked, file, '..'), source)));
        expect(inside || typeof map.sourcesContent?.[i] === 'string', `${file}: ${source}`).toBe(true);
      });
    }
  });
});

describe('a consumer installing the tarballs with npm', () => {
  it('gets one copy of each agentbox package', async () => {
    const tree = JSON.parse(await sh('npm', ['ls', '--all', '--json'], consumer)) as object;
    const copies = new Map<string, Set<string>>();
    const walk = (deps: Record<string, { version: string; dependencies?: object }> | undefined): void => {
      for (const [name, node] of Object.entries(deps ?? {})) {
        if (name.startsWith('@agentbox/'))
          copies.set(name, (copies.get(name) ?? new Set()).add(node.version));
        walk(node.dependencies as never);
      }
    };
    walk((tree as { dependencies?: never }).dependencies);
    for (const p of packed)
      expect(copies.get(p.manifest.name), p.manifest.name).toEqual(new Set([p.manifest.version]));
    const nested = listFiles(join(consumer, 'node_modules', '@agentbox')).filter((f) =>
      f.includes('node_modules/@agentbox/'),
    );
    expect(nested).toEqual([]);
  });

  it('imports and requires every export of every package', async () => {
    const specs = packed.flatMap(({ manifest }) =>
      Object.keys((manifest['exports'] ?? {}) as object)
        .filter((sub) => sub !== './package.json')
        .map((sub) => (sub === '.' ? manifest.name : `${manifest.name}/${sub.slice(2)}`)),
    );
    writeFileSync(
      join(consumer, 'import-all.mjs'),
      `${specs.map((s) => `await import(${JSON.stringify(s)});`).join('\n')}\n`,
    );
    writeFileSync(
      join(consumer, 'require-all.cjs'),
      `${specs.map((s) => `require(${JSON.stringify(s)});`).join('\n')}\n`,
    );
    await sh(process.execPath, ['import-all.mjs'], consumer);
    await sh(process.execPath, ['require-all.cjs'], consumer);
  });

  it('typechecks an ES module and a CommonJS consumer (nodenext, strict) and runs both', async () => {
    await sh(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      consumer,
    );
    expect(await sh(process.execPath, ['dist/main.js'], consumer)).toContain('esm consumer: ok');
    expect(await sh(process.execPath, ['dist/legacy.cjs'], consumer)).toContain('cjs consumer: ok');
  });

  it('runs with the workspace-only @agentbox/source condition set (it is stripped on publish)', async () => {
    const out = await sh(process.execPath, ['--conditions=@agentbox/source', 'dist/main.js'], consumer);
    expect(out).toContain('esm consumer: ok');
  });
});
