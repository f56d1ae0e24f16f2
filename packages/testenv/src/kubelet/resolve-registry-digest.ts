import { createHash } from 'node:crypto';
import { request } from 'undici';
import { splitImage } from './container-runtime.js';
import { ImagePullError } from './image-pull-error.js';

/** The manifest media types a pull accepts (SPEC 3): Docker v2, Docker list, OCI manifest, OCI index. */
export const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/** Options of {@link createRegistryDigestResolver}. */
export interface RegistryDigestResolverOptions {
  /** Basic credentials per registry host (`127.0.0.1:5000`). Default: anonymous everywhere. */
  credentials?: Readonly<Record<string, { username: string; password: string }>>;
  /** Per-request timeout. Default: 10 000 ms. */
  timeoutMs?: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/**
 * The simulator's default way to "pull": a HEAD of the manifest in the real registry
 * (plain HTTP for loopback hosts, HTTPS otherwise) whose `Docker-Content-Digest` is
 * the digest kubelet would report; a GET hashed with sha256 when the header is
 * missing. Deliberately independent of `@agentbox/resolver-registry`: the harness
 * must not test the resolver with itself.
 */
export function createRegistryDigestResolver(
  options: RegistryDigestResolverOptions = {},
): (image: string) => Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (image) => {
    const { host, path, tag, digest } = splitImage(image);
    const scheme = LOOPBACK.test(host) ? 'http' : 'https';
    const url = `${scheme}://${host}/v2/${path}/manifests/${digest ?? tag}`;
    const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
    const cred = options.credentials?.[host];
    if (cred)
      headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    const fail = (
      code: 'ImageNotFound' | 'ImagePullUnauthorized' | 'ImagePullFailed',
      why: string,
      cause?: unknown,
    ) =>
      new ImagePullError(
        code,
        `rpc error: code = ${code === 'ImageNotFound' ? 'NotFound' : 'Unknown'} desc = failed to pull and unpack image ` +
          `"${image}": failed to resolve reference "${image}": ${why}`,
        { cause },
      );
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        method: 'HEAD',
        headers,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
    } catch (err) {
      throw fail('ImagePullFailed', `failed to do request: ${(err as Error).message}`, err);
    }
    if (res.statusCode === 404) throw fail('ImageNotFound', `${image}: not found`);
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw fail(
        'ImagePullUnauthorized',
        `pull access denied, repository does not exist or may require authorization`,
      );
    }
    if (res.statusCode !== 200)
      throw fail('ImagePullFailed', `unexpected status from HEAD request: ${res.statusCode}`);
    const header = res.headers['docker-content-digest'];
    if (typeof header === 'string' && header.startsWith('sha256:')) return header;
    const got = await request(url, {
      method: 'GET',
      headers,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const body = Buffer.from(await got.body.arrayBuffer());
    if (got.statusCode !== 200)
      throw fail('ImagePullFailed', `unexpected status from GET request: ${got.statusCode}`);
    return `sha256:${createHash('sha256').update(body).digest('hex')}`;
  };
}
