import { z } from 'zod';
import { MEDIA_TYPES } from '../manifest-media-types.js';
import type { Platform } from '../registry-resolver-options.js';

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  platform: z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional(),
});

/** The fields of an image manifest or index that the resolver reads. */
export const manifestSchema = z.object({
  mediaType: z.string().optional(),
  config: descriptor.optional(),
  manifests: z.array(descriptor).optional(),
});

/** A parsed manifest or index. */
export type Manifest = z.infer<typeof manifestSchema>;

/** True when the document is an index / manifest list (by media type, else by shape). */
export function isIndex(manifest: Manifest, contentType: string | undefined): boolean {
  const type = manifest.mediaType ?? contentType?.split(';')[0]?.trim();
  if (type === MEDIA_TYPES.dockerManifestList || type === MEDIA_TYPES.ociIndex) return true;
  return type === undefined && manifest.manifests !== undefined && manifest.config === undefined;
}

/**
 * Picks the index child for a platform: os and architecture must match; a requested variant must match,
 * an unrequested one prefers a child without variant. Attestation entries (`unknown/unknown`) never match.
 */
export function selectPlatform(manifest: Manifest, platform: Platform): string | undefined {
  const candidates = (manifest.manifests ?? []).filter(
    (m) => m.platform?.os === platform.os && m.platform.architecture === platform.architecture,
  );
  if (platform.variant !== undefined)
    return candidates.find((m) => m.platform?.variant === platform.variant)?.digest;
  return (candidates.find((m) => m.platform?.variant === undefined) ?? candidates[0])?.digest;
}
