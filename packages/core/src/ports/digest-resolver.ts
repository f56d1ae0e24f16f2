/** Per-call options of a DigestResolver. */
export interface ResolveOptions {
  /** Namespace of the pod, where `pullSecrets` live. */
  namespace?: string;
  /** Names of the pod's image pull secrets (`.dockerconfigjson` secrets). */
  pullSecrets?: readonly string[];
  /** Aborts the resolution. */
  signal?: AbortSignal;
}

/** Turns image references into content digests (`sha256:<64 hex>`). */
export interface DigestResolver {
  /** Manifest (or index) digest the reference points at; a reference with a digest needs no network. */
  resolve(ref: string, opts?: ResolveOptions): Promise<string>;
  /** Digest of the image config (the platform child's config for an index). */
  resolveConfigDigest(ref: string, opts?: ResolveOptions): Promise<string>;
  /** Digest of a running container, parsed from its status `image` and `imageID`; throws on a malformed ID. */
  digestFromStatus(image: string, imageID: string): string;
}
