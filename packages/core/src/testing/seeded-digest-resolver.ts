import { AgentboxError } from '../errors/agentbox-error.js';
import { digestFromImageID } from '../image/digest-from-image-id.js';
import { normalizeImage } from '../image/normalize-image.js';
import { parseImageReference } from '../image/parse-image-reference.js';
import { digestProblem } from '../internal/validate-digest.js';
import type { DigestResolver, ResolveOptions } from '../ports/digest-resolver.js';

/**
 * The resolver was asked for a reference it was not seeded with. Its code is the one a registry's 404
 * carries (`ManifestUnknown`), so code that branches with `hasErrorCode` treats both alike.
 */
export class UnseededReferenceError extends AgentboxError {
  override readonly code = 'ManifestUnknown';
}

/** Seeds of a SeededDigestResolver. */
export interface SeededDigestResolverOptions {
  /** Reference → manifest digest (references compared after normalisation). Default: none. */
  digests?: Readonly<Record<string, string>>;
  /** Reference or manifest digest → config digest. Default: none. */
  configDigests?: Readonly<Record<string, string>>;
}

/** One call a SeededDigestResolver received. */
export interface ResolverCall {
  method: 'resolve' | 'resolveConfigDigest';
  ref: string;
  opts: ResolveOptions | undefined;
}

/**
 * A DigestResolver answering from seeded tables, without network: a reference with a digest resolves to
 * it, a seeded tag to its digest, anything else fails with UnseededReferenceError. Records every call.
 */
export class SeededDigestResolver implements DigestResolver {
  /** Every resolve / resolveConfigDigest call, in order. */
  readonly calls: ResolverCall[] = [];
  private readonly digests = new Map<string, string>();
  private readonly configDigests = new Map<string, string>();
  private readonly failures = new Map<string, unknown>();

  constructor(options: SeededDigestResolverOptions = {}) {
    for (const [ref, digest] of Object.entries(options.digests ?? {})) this.setDigest(ref, digest);
    for (const [ref, digest] of Object.entries(options.configDigests ?? {}))
      this.setConfigDigest(ref, digest);
  }

  /** Points `ref` (a tag) at `digest`, as a push would. */
  setDigest(ref: string, digest: string): void {
    this.digests.set(normalizeImage(ref), digest);
  }

  /** Sets the config digest of a reference or of a manifest digest. */
  setConfigDigest(refOrDigest: string, configDigest: string): void {
    this.configDigests.set(configKey(refOrDigest), configDigest);
  }

  /** Makes every call about `ref` fail with `error` until cleared with `fail(ref, undefined)`. */
  fail(ref: string, error: unknown): void {
    if (error === undefined) this.failures.delete(normalizeImage(ref));
    else this.failures.set(normalizeImage(ref), error);
  }

  /** The reference's own digest, else the seeded one; UnseededReferenceError when unseeded. */
  async resolve(ref: string, opts?: ResolveOptions): Promise<string> {
    this.calls.push({ method: 'resolve', ref, opts });
    this.check(ref, opts);
    const digest = parseImageReference(ref).digest ?? this.digests.get(normalizeImage(ref));
    if (digest === undefined) throw new UnseededReferenceError(`manifest unknown: ${ref}`);
    return digest;
  }

  /** The config digest seeded for the reference, or for the manifest digest it resolves to. */
  async resolveConfigDigest(ref: string, opts?: ResolveOptions): Promise<string> {
    this.calls.push({ method: 'resolveConfigDigest', ref, opts });
    this.check(ref, opts);
    const byRef = this.configDigests.get(configKey(ref));
    if (byRef !== undefined) return byRef;
    const digest = parseImageReference(ref).digest ?? this.digests.get(normalizeImage(ref));
    const byDigest = digest === undefined ? undefined : this.configDigests.get(digest);
    if (byDigest === undefined) throw new UnseededReferenceError(`config unknown: ${ref}`);
    return byDigest;
  }

  /** Parses the status imageID with core's digestFromImageID. */
  digestFromStatus(_image: string, imageID: string): string {
    return digestFromImageID(imageID);
  }

  private check(ref: string, opts: ResolveOptions | undefined): void {
    opts?.signal?.throwIfAborted();
    const failure = this.failures.get(normalizeImage(ref));
    if (failure !== undefined) throw failure;
  }
}

function configKey(refOrDigest: string): string {
  return digestProblem(refOrDigest) === undefined ? refOrDigest : normalizeImage(refOrDigest);
}
