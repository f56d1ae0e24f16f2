import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ImageKind,
  pushImage,
  type RegistryAuth,
  RegistryHarnessError,
  startRegistry,
  type TestRegistry,
} from '../src/index.js';
import { ACCEPT_ALL, blobRequest, manifestRequest } from './registry-test-fetch.js';

const MEDIA_TYPES: Record<ImageKind, string> = {
  'docker-v2': 'application/vnd.docker.distribution.manifest.v2+json',
  oci: 'application/vnd.oci.image.manifest.v1+json',
  'oci-index': 'application/vnd.oci.image.index.v1+json',
  'docker-list': 'application/vnd.docker.distribution.manifest.list.v2+json',
};
const KINDS = Object.keys(MEDIA_TYPES) as ImageKind[];

const sha256 = (data: ArrayBuffer | Buffer): string =>
  `sha256:${createHash('sha256')
    .update(Buffer.from(data as ArrayBuffer))
    .digest('hex')}`;

describe.each<RegistryAuth>(['none', 'basic', 'token'])('startRegistry({ auth: %s })', (auth) => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('serves the distribution API on 127.0.0.1 with the expected challenge', async () => {
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(registry.url).toBe(`http://${registry.host}`);
    const res = await fetch(`${registry.url}/v2/`);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    if (auth === 'none') {
      expect(res.status).toBe(200);
      expect(registry.credentials).toBeUndefined();
    } else {
      expect(res.status).toBe(401);
      const challenge = res.headers.get('www-authenticate') ?? '';
      if (auth === 'basic') expect(challenge).toMatch(/^Basic realm=/);
      else {
        expect(challenge).toContain(`Bearer realm="${registry.tokenServer!.realm}"`);
        expect(challenge).toContain(`service="${registry.tokenServer!.service}"`);
      }
    }
  });

  it.each(KINDS)('pushes a %s image whose tag HEADs to the reported digest', async (kind) => {
    const pushed = await pushImage(registry, { repository: `project/${auth}-app`, tag: kind, kind });
    expect(pushed.reference).toBe(`${registry.host}/project/${auth}-app:${kind}`);
    expect(pushed.mediaType).toBe(MEDIA_TYPES[kind]);
    expect(pushed.digest).toBe(sha256(pushed.manifest));

    const head = await manifestRequest(registry, `project/${auth}-app`, kind, { accept: MEDIA_TYPES[kind] });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(pushed.digest);
    expect(head.headers.get('content-type')).toBe(MEDIA_TYPES[kind]);

    const get = await manifestRequest(registry, `project/${auth}-app`, pushed.digest, { method: 'GET' });
    const body = await get.arrayBuffer();
    expect(sha256(body)).toBe(pushed.digest);
    const manifest = JSON.parse(Buffer.from(body).toString('utf8')) as {
      config?: { digest: string };
      manifests?: { digest: string; platform: { os: string; architecture: string } }[];
    };
    if (kind === 'docker-v2' || kind === 'oci') {
      expect(manifest.config?.digest).toBe(pushed.configDigest);
      expect(pushed.children).toBeUndefined();
    } else {
      expect(manifest.manifests?.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual([
        'linux/amd64',
        'linux/arm64',
      ]);
      expect(pushed.children?.map((c) => c.digest)).toEqual(manifest.manifests?.map((m) => m.digest));
    }
  });

  it('pushes index children that are real manifests with their own config', async () => {
    const repository = `project/${auth}-multi`;
    const pushed = await pushImage(registry, { repository, kind: 'oci-index' });
    const children = pushed.children!;
    expect(children).toHaveLength(2);
    expect(new Set(children.map((c) => c.configDigest)).size).toBe(2);
    expect(pushed.configDigest).toBe(children.find((c) => c.platform.architecture === 'amd64')!.configDigest);
    for (const child of children) {
      const res = await manifestRequest(registry, repository, child.digest, { method: 'GET' });
      expect(res.status).toBe(200);
      const manifest = (await res.json()) as { config: { digest: string } };
      expect(manifest.config.digest).toBe(child.configDigest);
      const blob = await blobRequest(registry, repository, child.configDigest);
      const bytes = await blob.arrayBuffer();
      expect(sha256(bytes)).toBe(child.configDigest);
      const config = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
        architecture: string;
        os: string;
        rootfs: { type: string; diff_ids: string[] };
      };
      expect(config).toMatchObject({ os: child.platform.os, architecture: child.platform.architecture });
      expect(config.rootfs.type).toBe('layers');
      expect(config.rootfs.diff_ids).toHaveLength(1);
    }
  });

  it('lets anonymous pulls through only without auth, and refuses wrong passwords', async () => {
    const repository = `project/${auth}-private`;
    const pushed = await pushImage(registry, { repository });
    const anonymous = await fetch(`${registry.url}/v2/${repository}/manifests/latest`, {
      method: 'HEAD',
      headers: { accept: ACCEPT_ALL },
    });
    if (auth === 'none') {
      expect(anonymous.status).toBe(200);
      expect(anonymous.headers.get('docker-content-digest')).toBe(pushed.digest);
      return;
    }
    expect(anonymous.status).toBe(401);
    const wrong = {
      ...registry,
      credentials: { username: registry.credentials!.username, password: 'wrong' },
    };
    if (auth === 'basic') {
      const res = await manifestRequest(wrong, repository, 'latest');
      expect(res.status).toBe(401);
    } else {
      await expect(manifestRequest(wrong, repository, 'latest')).rejects.toThrow(
        /token request answered 401/,
      );
    }
    await expect(pushImage(wrong, { repository })).rejects.toMatchObject({
      code: auth === 'basic' ? 'RegistryHttpError' : 'TokenRequestFailed',
      status: 401,
    });
  });
});

describe('startRegistry lifecycle', () => {
  it('stops the process and removes its folder', async () => {
    const registry = await startRegistry();
    expect(registry.storageDir.startsWith('/dev/shm/agentbox-registry-')).toBe(true);
    expect(existsSync(registry.storageDir)).toBe(true);
    expect(typeof registry.logs()).toBe('string');
    await registry.stop();
    expect(existsSync(registry.storageDir)).toBe(false);
    await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
    await registry.stop(); // idempotent
  });

  it('sweeps folders left by registries whose test process died', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'agentbox-sweep-test-'));
    try {
      const dead = spawnSync('true').pid!;
      for (const [name, owner] of [
        ['agentbox-registry-stale', dead],
        ['agentbox-registry-live', process.pid],
      ] as const) {
        mkdirSync(join(parent, name));
        writeFileSync(join(parent, name, 'harness.pid'), String(owner));
      }
      mkdirSync(join(parent, 'unrelated'));
      const registry = await startRegistry({ storageParent: parent });
      await registry.stop();
      expect(readdirSync(parent).sort()).toEqual(['agentbox-registry-live', 'unrelated']);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('keeps the password out of inspect, JSON and the log', async () => {
    const registry = await startRegistry({ auth: 'basic' });
    try {
      const password = registry.credentials!.password;
      expect(password.length).toBeGreaterThanOrEqual(24);
      expect(inspect(registry, { depth: 5 })).not.toContain(password);
      expect(JSON.stringify(registry)).not.toContain(password);
      expect(JSON.stringify(registry.credentials)).toContain('<redacted>');
      await pushImage(registry, { repository: 'secret/app' });
      expect(registry.logs()).not.toContain(password);
    } finally {
      await registry.stop();
    }
  });

  it('is killed, and its folder removed, when the process that started it is SIGKILLed', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'agentbox-registry-orphan-'));
    try {
      const entry = join(scratch, 'runner.mts');
      const source = fileURLToPath(new URL('../src/registry/start-registry.ts', import.meta.url));
      writeFileSync(
        entry,
        `import { startRegistry } from ${JSON.stringify(source)};\n` +
          'const r = await startRegistry();\n' +
          'console.log(JSON.stringify({ url: r.url, dir: r.storageDir }));\n' +
          'setInterval(() => {}, 1000);\n',
      );
      const child = spawn(process.execPath, ['--conditions=@agentbox/source', '--import', 'tsx', entry], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const started = await new Promise<{ url: string; dir: string }>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve(JSON.parse(line));
        });
        child.once('exit', (code) => reject(new Error(`runner exited early (${code})`)));
      });
      expect((await fetch(`${started.url}/v2/`)).status).toBe(200);
      child.kill('SIGKILL');
      const deadline = Date.now() + 15_000;
      const answers = () =>
        fetch(`${started.url}/v2/`).then(
          () => true,
          () => false,
        );
      while ((await answers()) || existsSync(started.dir)) {
        if (Date.now() > deadline) throw new Error('the registry or its folder outlived its test process');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('fails with the registry log when the process cannot start', async () => {
    const error = await startRegistry({ binary: '/bin/false' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryHarnessError);
    expect(error).toMatchObject({ code: 'RegistryStartFailed' });
    expect((error as Error).message).toMatch(/exited with 1; its log/);
  });
});
