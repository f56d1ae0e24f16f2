import { createHash } from 'node:crypto';
import { request } from 'undici';
import { ALL_MANIFEST_TYPES } from '../registry/push-image.js';
import { splitImage } from './container-runtime.js';
import { ImagePullError, type ImagePullErrorCode } from './image-pull-error.js';

/** Options of {@link createRegistryDigestResolver}. */
export interface RegistryDigestResolverOptions {
  /** Credentials per registry host (`127.0.0.1:5000`), used for Basic and token auth. Default: anonymous everywhere. */
  credentials?: Readonly<Record<string, { username: string; password: string }>>;
  /** Per-request timeout. Default: 10 000 ms. */
  timeoutMs?: number;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/**
 * The simulator's default way to "pull": what a runtime does to resolve a tag — a
 * HEAD of the manifest in the real registry (plain HTTP for loopback hosts, HTTPS
 * otherwise), answering a 401 challenge with Basic credentials or a Bearer token from
 * the challenge's realm, and taking `Docker-Content-Digest` (or the sha256 of a GET
 * when the header is missing). Deliberately independent of `@agentbox/resolver-registry`:
 * the harness must not test the resolver with itself.
 */
export function createRegistryDigestResolver(
  options: RegistryDigestResolverOptions = {},
): (image: string) => Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (image) => {
    const { host, path, tag, digest } = splitImage(image);
    const url = `${LOOPBACK.test(host) ? 'http' : 'https'}://${host}/v2/${path}/manifests/${digest ?? tag}`;
    const cred = options.credentials?.[host];
    const fail = (code: ImagePullErrorCode, why: string, cause?: unknown) =>
      new ImagePullError(
        code,
        `rpc error: code = ${code === 'ImageNotFound' ? 'NotFound' : 'Unknown'} desc = failed to pull and unpack ` +
          `image "${image}": failed to resolve reference "${image}": ${why}`,
        { cause },
      );
    const send = async (method: 'HEAD' | 'GET', authorization?: string) => {
      const headers: Record<string, string> = { accept: ALL_MANIFEST_TYPES };
      if (authorization) headers.authorization = authorization;
      try {
        const res = await request(url, {
          method,
          headers,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        return { status: res.statusCode, headers: res.headers, body };
      } catch (err) {
        throw fail('ImagePullFailed', `failed to do request: ${(err as Error).message}`, err);
      }
    };
    // 1. Anonymous first, as runtimes do; 2. answer the challenge; 3. read the digest.
    let authorization: string | undefined;
    let res = await send('HEAD');
    if (res.status === 401) {
      authorization = await answerChallenge(
        String(res.headers['www-authenticate'] ?? ''),
        path,
        cred,
        timeoutMs,
      );
      if (authorization) res = await send('HEAD', authorization);
    }
    if (res.status === 404) throw fail('ImageNotFound', `${image}: not found`);
    if (res.status === 401 || res.status === 403) {
      throw fail(
        'ImagePullUnauthorized',
        'pull access denied, repository does not exist or may require authorization',
      );
    }
    if (res.status !== 200)
      throw fail('ImagePullFailed', `unexpected status from HEAD request: ${res.status}`);
    const header = res.headers['docker-content-digest'];
    if (typeof header === 'string' && header.startsWith('sha256:')) return header;
    const got = await send('GET', authorization);
    if (got.status !== 200)
      throw fail('ImagePullFailed', `unexpected status from GET request: ${got.status}`);
    return `sha256:${createHash('sha256').update(got.body).digest('hex')}`;
  };
}

/** The Authorization header answering a `WWW-Authenticate` challenge, or undefined when it cannot be answered. */
async function answerChallenge(
  challenge: string,
  path: string,
  cred: { username: string; password: string } | undefined,
  timeoutMs: number,
): Promise<string | undefined> {
  const basic = cred
    ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`
    : undefined;
  const scheme = challenge.split(' ')[0]?.toLowerCase();
  if (scheme === 'basic') return basic;
  if (scheme !== 'bearer') return undefined;
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (!params.realm) return undefined;
  const realm = new URL(params.realm);
  if (params.service) realm.searchParams.set('service', params.service);
  realm.searchParams.set('scope', `repository:${path}:pull`);
  const res = await request(realm, {
    headers: basic ? { authorization: basic } : {},
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const body = (await res.body.json().catch(() => ({}))) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  return res.statusCode === 200 && token ? `Bearer ${token}` : undefined;
}
