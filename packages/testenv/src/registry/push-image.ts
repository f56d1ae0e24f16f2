import { randomUUID } from 'node:crypto';
import { type ImageKind, MediaTypes, type Platform } from './image-kind.js';
import {
  type BuiltBlob,
  type BuiltManifest,
  buildImage,
  linuxAmd64,
  linuxArm64,
} from './internal/image-builder.js';
import { RegistryClient, responseHeader } from './internal/registry-client.js';
import { sha256Digest } from './internal/tar-gzip-layer.js';
import type { RegistryHandle } from './registry-handle.js';
import { RegistryHarnessError } from './registry-harness-error.js';

/** What to push. */
export interface PushImageSpec {
  /** Repository name, e.g. `project/app`. */
  readonly repository: string;
  /** Tag. Default: `'latest'`. */
  readonly tag?: string;
  /** Manifest shape. Default: `'docker-v2'`. */
  readonly kind?: ImageKind;
  /** Varies the image: pushes with different seeds differ. Default: a random UUID (every push is new). */
  readonly seed?: string;
  /** The text of the layer's one file; the same content gives the same config digest. Default: derived from `seed`. */
  readonly content?: string;
  /** gzip level of the layer (1–9): another level changes the layer and manifest digests but not the config. Default: 6. */
  readonly gzipLevel?: number;
  /** Annotations of an OCI manifest or index (ignored for Docker kinds). Default: none. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Platforms: the first one for a single manifest, all of them for an index. Default: linux/amd64 and linux/arm64. */
  readonly platforms?: readonly Platform[];
}

/** A platform child of a pushed index. */
export interface PushedChild {
  readonly platform: Platform;
  readonly digest: string;
  readonly configDigest: string;
  readonly mediaType: string;
  readonly manifest: Buffer;
}

/** What `pushImage` pushed. */
export interface PushedImage {
  /** `<host>/<repository>:<tag>`. */
  readonly reference: string;
  readonly repository: string;
  readonly tag: string;
  /** Digest of the manifest (or index) as the registry reported it in `Docker-Content-Digest`. */
  readonly digest: string;
  /** Config digest of the manifest; for an index, of the linux/amd64 child (else the first child). */
  readonly configDigest: string;
  /** The exact manifest (or index) bytes pushed. */
  readonly manifest: Buffer;
  readonly mediaType: string;
  /** The platform children, for `oci-index` and `docker-list`. */
  readonly children?: readonly PushedChild[];
}

interface ResolvedSpec {
  repository: string;
  tag: string;
  kind: ImageKind;
  content: string;
  gzipLevel: number;
  annotations: Readonly<Record<string, string>> | undefined;
  platforms: readonly Platform[];
}

function resolveSpec(spec: PushImageSpec): ResolvedSpec {
  const seed = spec.seed ?? randomUUID();
  return {
    repository: spec.repository,
    tag: spec.tag ?? 'latest',
    kind: spec.kind ?? 'docker-v2',
    content: spec.content ?? `agentbox testenv image, seed ${seed}`,
    gzipLevel: spec.gzipLevel ?? 6,
    annotations: spec.annotations,
    platforms: spec.platforms ?? [linuxAmd64, linuxArm64],
  };
}

/** Every manifest media type, for Accept headers. */
export const ALL_MANIFEST_TYPES = [
  MediaTypes.dockerManifest,
  MediaTypes.dockerManifestList,
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
].join(', ');

/** Uploads one blob monolithically (POST then PUT) unless the registry already has it. */
export async function uploadBlob(client: RegistryClient, repository: string, blob: BuiltBlob): Promise<void> {
  const exists = await client.send({ method: 'HEAD', path: `/v2/${repository}/blobs/${blob.digest}` });
  if (exists.status === 200) return;
  const started = await client.expect({ method: 'POST', path: `/v2/${repository}/blobs/uploads/` }, [202]);
  const location = responseHeader(started, 'location');
  if (location === undefined) {
    throw new RegistryHarnessError('RegistryHttpError', 'blob upload answered 202 without a Location');
  }
  const target = new URL(location, 'http://placeholder');
  target.searchParams.set('digest', blob.digest);
  const path = location.startsWith('http') ? target.toString() : `${target.pathname}${target.search}`;
  await client.expect(
    { method: 'PUT', path, headers: { 'content-type': 'application/octet-stream' }, body: blob.bytes },
    [201],
  );
}

/** PUTs a manifest under `reference` and checks the digest the registry reports. */
export async function putManifest(
  client: RegistryClient,
  repository: string,
  reference: string,
  manifest: BuiltManifest,
): Promise<string> {
  const res = await client.expect(
    {
      method: 'PUT',
      path: `/v2/${repository}/manifests/${reference}`,
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
    },
    [201],
  );
  const digest = responseHeader(res, 'docker-content-digest');
  if (digest === undefined) {
    throw new RegistryHarnessError(
      'RegistryHttpError',
      `manifest PUT of ${reference} answered without a digest`,
    );
  }
  if (digest !== manifest.digest) {
    throw new RegistryHarnessError(
      'RegistryHttpError',
      `registry reported ${digest} for a manifest that hashes to ${manifest.digest}`,
    );
  }
  return digest;
}

/**
 * Pushes a real image over the registry HTTP API (monolithic blob uploads, then the
 * manifest; for an index the children by digest first), authenticating as the registry's user.
 */
export async function pushImage(registry: RegistryHandle, spec: PushImageSpec): Promise<PushedImage> {
  const s = resolveSpec(spec);
  const image = buildImage(s);
  const client = new RegistryClient(registry, s.repository);
  for (const manifest of image.manifests) {
    for (const blob of manifest.blobs) await uploadBlob(client, s.repository, blob);
  }
  if (image.isIndex) {
    for (const child of image.manifests) await putManifest(client, s.repository, child.digest, child);
  }
  const digest = await putManifest(client, s.repository, s.tag, image.top);
  const main = image.manifests.find((m) => m.platform.os === 'linux' && m.platform.architecture === 'amd64');
  const configDigest = (main ?? image.manifests[0])?.configDigest ?? '';
  return {
    reference: `${registry.host}/${s.repository}:${s.tag}`,
    repository: s.repository,
    tag: s.tag,
    digest,
    configDigest,
    manifest: image.top.bytes,
    mediaType: image.top.mediaType,
    ...(image.isIndex
      ? {
          children: image.manifests.map((m) => ({
            platform: m.platform,
            digest: m.digest,
            configDigest: m.configDigest,
            mediaType: m.mediaType,
            manifest: m.bytes,
          })),
        }
      : {}),
  };
}

/** Points `toTag` at the manifest `from` (a tag or digest) names, by re-putting its exact bytes; returns the digest. */
export async function retag(
  registry: RegistryHandle,
  repository: string,
  from: string,
  toTag: string,
): Promise<string> {
  const client = new RegistryClient(registry, repository);
  const res = await client.expect(
    { method: 'GET', path: `/v2/${repository}/manifests/${from}`, headers: { accept: ALL_MANIFEST_TYPES } },
    [200],
  );
  const mediaType = responseHeader(res, 'content-type') ?? MediaTypes.dockerManifest;
  return await putManifest(client, repository, toTag, {
    bytes: res.body,
    digest: sha256Digest(res.body),
    mediaType,
  });
}

/**
 * Deletes the manifest `reference` (a tag or digest) names. Distribution deletes by digest
 * only, so every tag pointing at that manifest disappears with it. Returns the deleted digest.
 */
export async function deleteImage(
  registry: RegistryHandle,
  repository: string,
  reference: string,
): Promise<string> {
  const client = new RegistryClient(registry, repository);
  let digest = reference;
  if (!reference.startsWith('sha256:')) {
    const head = await client.expect(
      {
        method: 'HEAD',
        path: `/v2/${repository}/manifests/${reference}`,
        headers: { accept: ALL_MANIFEST_TYPES },
      },
      [200],
    );
    digest = responseHeader(head, 'docker-content-digest') ?? '';
  }
  await client.expect({ method: 'DELETE', path: `/v2/${repository}/manifests/${digest}` }, [202]);
  return digest;
}
