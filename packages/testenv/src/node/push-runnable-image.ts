import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type ImageKind, MediaTypes, type Platform } from '../registry/image-kind.js';
import { type BuiltBlob, linuxAmd64, linuxArm64 } from '../registry/internal/image-builder.js';
import { RegistryClient } from '../registry/internal/registry-client.js';
import { sha256Digest } from '../registry/internal/tar-gzip-layer.js';
import { putManifest, uploadBlob } from '../registry/push-image.js';
import type { RegistryHandle } from '../registry/registry-handle.js';
import { type TarLayer, tarLayer } from './internal/tar-archive.js';
import { RealNodeError } from './real-node-error.js';

/**
 * What a runnable test image does, as PID 1 (`/bin/sh /agentbox/app.sh`):
 * - `pause`: sleeps until SIGTERM, then exits 0 (the node's sandbox image);
 * - `graceful`: prints `started <seed>`, exits 0 on SIGTERM (ends `Completed`);
 * - `ignore-sigterm`: prints `started <seed>`, ignores SIGTERM (killed after the grace period: 137);
 * - `oom`: after `AGENTBOX_OOM_AFTER` seconds (default 3; the image's or the pod's env) reads 512 MiB into one buffer, which a
 *   smaller memory limit turns into an OOM kill (137, `OOMKilled`);
 * - `exit`: after `AGENTBOX_EXIT_AFTER` seconds (default 1) exits with `AGENTBOX_EXIT_CODE` (default 1).
 */
export type RunnableApp = 'pause' | 'graceful' | 'ignore-sigterm' | 'oom' | 'exit';

const SCRIPTS: Record<RunnableApp, string> = {
  pause: "trap 'exit 0' TERM INT\nwhile :; do sleep 3600 & wait $!; done\n",
  graceful:
    'echo "started $AGENTBOX_SEED"\n' +
    "trap 'echo stopping; exit 0' TERM INT\nwhile :; do sleep 1 & wait $!; done\n",
  'ignore-sigterm': 'trap \'\' TERM\necho "started $AGENTBOX_SEED"\nwhile :; do sleep 1; done\n',
  oom:
    'echo "started $AGENTBOX_SEED"\nsleep "$AGENTBOX_OOM_AFTER"\n' +
    'exec dd if=/dev/zero of=/dev/null bs=512M count=1\n',
  exit: 'echo "started $AGENTBOX_SEED"\nsleep "$AGENTBOX_EXIT_AFTER"\nexit "$AGENTBOX_EXIT_CODE"\n',
};

/** What to push with {@link pushRunnableImage}. */
export interface RunnableImageSpec {
  /** Repository name, e.g. `real-node/app`. */
  readonly repository: string;
  /** Tag. Default: a fresh random `t-<12 hex>`, so no two pushes share a tag. */
  readonly tag?: string;
  /** Manifest shape (indexes get linux/amd64 and linux/arm64 children). Default: `'docker-v2'`. */
  readonly kind?: ImageKind;
  /** What the image runs. Default: `'graceful'`. */
  readonly app?: RunnableApp;
  /** A shell script to run instead of the app's (busybox `sh`). Default: the app's script. */
  readonly script?: string;
  /** Environment of the image config, over `PATH`, `AGENTBOX_SEED` and the apps' defaults. Default: none. */
  readonly env?: Readonly<Record<string, string>>;
  /** Varies the image; the same seed, app and env give the same digests. Default: random (a new image). */
  readonly seed?: string;
  /** A static busybox binary for the base layer. Default: `/bin/busybox` (Debian's busybox-static). */
  readonly busybox?: string;
}

/** What {@link pushRunnableImage} pushed. */
export interface PushedRunnableImage {
  /** `<host>/<repository>:<tag>`. */
  readonly reference: string;
  readonly repository: string;
  readonly tag: string;
  /** Manifest (or index) digest, as the registry reported it. */
  readonly digest: string;
  /** Config digest of the linux/amd64 manifest (what containerd keys its image record by). */
  readonly configDigest: string;
  /** Digest of the linux/amd64 manifest (the index child for index kinds, else `digest`). */
  readonly platformDigest: string;
  readonly mediaType: string;
  readonly app: RunnableApp | 'script';
  readonly seed: string;
}

const APPLETS = [
  'sh',
  'sleep',
  'echo',
  'cat',
  'dd',
  'ls',
  'true',
  'false',
  'env',
  'kill',
  'ps',
  'head',
  'touch',
];

// The busybox layer is the same for every image: built once per process and per binary.
const baseLayers = new Map<string, TarLayer>();

function baseLayer(busybox: string): TarLayer {
  let layer = baseLayers.get(busybox);
  if (layer === undefined) {
    const binary = readFileSync(busybox);
    if (!isStaticElf(binary)) {
      throw new RealNodeError(
        'RealNodeUnavailable',
        `${busybox} is not a statically linked ELF binary: install Debian's busybox-static`,
      );
    }
    layer = tarLayer(
      [
        { type: 'dir', path: 'bin' },
        { type: 'file', path: 'bin/busybox', data: binary, mode: 0o755 },
        ...APPLETS.map((a) => ({ type: 'symlink' as const, path: `bin/${a}`, target: 'busybox' })),
        { type: 'dir', path: 'tmp', mode: 0o1777 },
        { type: 'dir', path: 'etc' },
        { type: 'file', path: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/:/bin/sh\n') },
        { type: 'file', path: 'etc/group', data: Buffer.from('root:x:0:\n') },
      ],
      1,
    );
    baseLayers.set(busybox, layer);
  }
  return layer;
}

/** True for a 64-bit little-endian ELF without a PT_INTERP program header (no dynamic loader). */
function isStaticElf(b: Buffer): boolean {
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return false;
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    if (b.readUInt32LE(phoff + i * phentsize) === 3) return false;
  }
  return true;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

interface PlatformManifest {
  readonly platform: Platform;
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string;
  readonly configDigest: string;
  readonly blobs: readonly BuiltBlob[];
}

function platformManifest(
  oci: boolean,
  platform: Platform,
  layers: readonly TarLayer[],
  env: readonly string[],
): PlatformManifest {
  const config = json({
    architecture: platform.architecture,
    os: platform.os,
    created: '1970-01-01T00:00:00Z',
    config: { Env: env, Entrypoint: ['/bin/sh', '/agentbox/app.sh'], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({
      created: '1970-01-01T00:00:00Z',
      created_by: 'agentbox pushRunnableImage',
    })),
  });
  const configDigest = sha256Digest(config);
  const mediaType = oci ? MediaTypes.ociManifest : MediaTypes.dockerManifest;
  const bytes = json({
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: oci ? MediaTypes.ociConfig : MediaTypes.dockerConfig,
      size: config.length,
      digest: configDigest,
    },
    layers: layers.map((l) => ({
      mediaType: oci ? MediaTypes.ociLayer : MediaTypes.dockerLayer,
      size: l.blob.length,
      digest: l.digest,
    })),
  });
  return {
    platform,
    bytes,
    digest: sha256Digest(bytes),
    mediaType,
    configDigest,
    blobs: [
      { digest: configDigest, bytes: config },
      ...layers.map((l) => ({ digest: l.digest, bytes: l.blob })),
    ],
  };
}

/**
 * Pushes an image a real node can run: a shared layer with a static busybox (`/bin/sh` and a few
 * applets) and a small layer with the app's script and a seed file, as a single manifest (Docker
 * v2 or OCI) or an index. Every call without `tag` and `seed` pushes a new image under a fresh tag.
 */
export async function pushRunnableImage(
  registry: RegistryHandle,
  spec: RunnableImageSpec,
): Promise<PushedRunnableImage> {
  const seed = spec.seed ?? randomBytes(8).toString('hex');
  const tag = spec.tag ?? `t-${randomBytes(6).toString('hex')}`;
  const kind = spec.kind ?? 'docker-v2';
  const app = spec.app ?? 'graceful';
  const script = spec.script ?? SCRIPTS[app];
  const base = baseLayer(spec.busybox ?? '/bin/busybox');
  const appLayer = tarLayer([
    { type: 'dir', path: 'agentbox' },
    { type: 'file', path: 'agentbox/app.sh', data: Buffer.from(script), mode: 0o755 },
    { type: 'file', path: 'agentbox/seed', data: Buffer.from(`${seed}\n`) },
  ]);
  const vars: Record<string, string> = {
    PATH: '/bin',
    AGENTBOX_SEED: seed,
    AGENTBOX_OOM_AFTER: '3',
    AGENTBOX_EXIT_AFTER: '1',
    AGENTBOX_EXIT_CODE: '1',
    ...spec.env,
  };
  const env = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  const oci = kind === 'oci' || kind === 'oci-index';
  const isIndex = kind === 'oci-index' || kind === 'docker-list';
  const platforms = isIndex ? [linuxAmd64, linuxArm64] : [linuxAmd64];
  const manifests = platforms.map((p) => platformManifest(oci, p, [base, appLayer], env));
  const client = new RegistryClient(registry, spec.repository);
  for (const m of manifests) for (const blob of m.blobs) await uploadBlob(client, spec.repository, blob);
  let top: { bytes: Buffer; digest: string; mediaType: string } = manifests[0]!;
  if (isIndex) {
    for (const m of manifests) await putManifest(client, spec.repository, m.digest, m);
    const mediaType = oci ? MediaTypes.ociIndex : MediaTypes.dockerManifestList;
    const bytes = json({
      schemaVersion: 2,
      mediaType,
      manifests: manifests.map((m) => ({
        mediaType: m.mediaType,
        size: m.bytes.length,
        digest: m.digest,
        platform: { architecture: m.platform.architecture, os: m.platform.os },
      })),
    });
    top = { bytes, digest: sha256Digest(bytes), mediaType };
  }
  const digest = await putManifest(client, spec.repository, tag, top);
  return {
    reference: `${registry.host}/${spec.repository}:${tag}`,
    repository: spec.repository,
    tag,
    digest,
    configDigest: manifests[0]!.configDigest,
    platformDigest: manifests[0]!.digest,
    mediaType: top.mediaType,
    app: spec.script === undefined ? app : 'script',
    seed,
  };
}
