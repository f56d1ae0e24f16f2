// A deliberately independent HTTP client for the registry tests: it does not reuse the
// harness's own client, so a bug there cannot hide itself.
import type { RegistryHandle } from '../src/index.js';

/** The Accept header of a client that understands every manifest type. */
export const ACCEPT_ALL = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

function basic(registry: RegistryHandle): string {
  const c = registry.credentials!;
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** Fetches a pull token for `repository` from the registry's token server. */
export async function pullToken(registry: RegistryHandle, repository: string): Promise<string> {
  const server = registry.tokenServer!;
  const url = new URL(server.realm);
  url.searchParams.set('service', server.service);
  url.searchParams.set('scope', `repository:${repository}:pull`);
  const res = await fetch(url, { headers: { authorization: basic(registry) } });
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (res.status !== 200 || token === undefined) throw new Error(`token request answered ${res.status}`);
  return token;
}

/** Authorization header value a puller of `repository` sends, or undefined for an anonymous registry. */
export async function pullAuthorization(
  registry: RegistryHandle,
  repository: string,
): Promise<string | undefined> {
  if (registry.auth === 'basic') return basic(registry);
  if (registry.auth === 'token') return `Bearer ${await pullToken(registry, repository)}`;
  return undefined;
}

/** Sends a manifest request as an authorised puller, through `baseUrl` (a proxy) when given. */
export async function manifestRequest(
  registry: RegistryHandle,
  repository: string,
  reference: string,
  init: { method?: 'GET' | 'HEAD'; accept?: string; baseUrl?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { accept: init.accept ?? ACCEPT_ALL };
  const auth = await pullAuthorization(registry, repository);
  if (auth !== undefined) headers['authorization'] = auth;
  return await fetch(`${init.baseUrl ?? registry.url}/v2/${repository}/manifests/${reference}`, {
    method: init.method ?? 'HEAD',
    headers,
  });
}

/** GETs a blob as an authorised puller. */
export async function blobRequest(
  registry: RegistryHandle,
  repository: string,
  digest: string,
): Promise<Response> {
  const headers: Record<string, string> = {};
  const auth = await pullAuthorization(registry, repository);
  if (auth !== undefined) headers['authorization'] = auth;
  return await fetch(`${registry.url}/v2/${repository}/blobs/${digest}`, { headers });
}
