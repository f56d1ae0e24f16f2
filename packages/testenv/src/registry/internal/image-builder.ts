import { type ImageKind, MediaTypes, type Platform } from '../image-kind.js';
import { sha256Digest, tarGzipLayer } from './tar-gzip-layer.js';

/** A blob to upload. */
export interface BuiltBlob {
  readonly digest: string;
  readonly bytes: Buffer;
}

/** A manifest (or index) ready to PUT. */
export interface BuiltManifest {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string;
}

/** A single-platform manifest with its blobs. */
export interface BuiltImageManifest extends BuiltManifest {
  readonly platform: Platform;
  readonly configDigest: string;
  readonly blobs: readonly BuiltBlob[];
}

/** Everything one push uploads: the top manifest and, for an index, its children. */
export interface BuiltImage {
  readonly top: BuiltManifest;
  /** The single manifest itself for `docker-v2`/`oci`; the platform children for an index. */
  readonly manifests: readonly BuiltImageManifest[];
  readonly isIndex: boolean;
}

/** Inputs of `buildImage` (every field resolved by the caller). */
export interface BuildImageInput {
  readonly kind: ImageKind;
  readonly content: string;
  readonly gzipLevel: number;
  readonly platforms: readonly Platform[];
  readonly annotations: Readonly<Record<string, string>> | undefined;
}

function platformName(p: Platform): string {
  return p.variant === undefined ? `${p.os}/${p.architecture}` : `${p.os}/${p.architecture}/${p.variant}`;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2), 'utf8');
}

function buildImageManifest(oci: boolean, input: BuildImageInput, platform: Platform): BuiltImageManifest {
  const layer = tarGzipLayer(
    'agentbox-testenv.txt',
    `${input.content}\nplatform: ${platformName(platform)}\n`,
    input.gzipLevel,
  );
  const config = json({
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant !== undefined ? { variant: platform.variant } : {}),
    created: '1970-01-01T00:00:00Z',
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/bin/sh'],
    },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'agentbox testenv pushImage' }],
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
    layers: [
      {
        mediaType: oci ? MediaTypes.ociLayer : MediaTypes.dockerLayer,
        size: layer.blob.length,
        digest: layer.digest,
      },
    ],
    ...(oci && input.annotations !== undefined ? { annotations: input.annotations } : {}),
  });
  return {
    bytes,
    digest: sha256Digest(bytes),
    mediaType,
    platform,
    configDigest,
    blobs: [
      { digest: configDigest, bytes: config },
      { digest: layer.digest, bytes: layer.blob },
    ],
  };
}

/**
 * Builds a real image of `kind`: config JSON with `rootfs.diff_ids`, a gzip tar layer whose
 * file holds `content` and the platform name, and for indexes one such child per platform.
 */
export function buildImage(input: BuildImageInput): BuiltImage {
  if (input.kind === 'docker-v2' || input.kind === 'oci') {
    const manifest = buildImageManifest(input.kind === 'oci', input, input.platforms[0] ?? linuxAmd64);
    return { top: manifest, manifests: [manifest], isIndex: false };
  }
  const oci = input.kind === 'oci-index';
  const manifests = input.platforms.map((p) => buildImageManifest(oci, input, p));
  const mediaType = oci ? MediaTypes.ociIndex : MediaTypes.dockerManifestList;
  const bytes = json({
    schemaVersion: 2,
    mediaType,
    manifests: manifests.map((m) => ({
      mediaType: m.mediaType,
      size: m.bytes.length,
      digest: m.digest,
      platform: {
        architecture: m.platform.architecture,
        os: m.platform.os,
        ...(m.platform.variant !== undefined ? { variant: m.platform.variant } : {}),
      },
    })),
    ...(oci && input.annotations !== undefined ? { annotations: input.annotations } : {}),
  });
  return { top: { bytes, digest: sha256Digest(bytes), mediaType }, manifests, isIndex: true };
}

/** linux/amd64, the default platform of single-platform images. */
export const linuxAmd64: Platform = { os: 'linux', architecture: 'amd64' };
/** linux/arm64, the second platform of the default index. */
export const linuxArm64: Platform = { os: 'linux', architecture: 'arm64' };
