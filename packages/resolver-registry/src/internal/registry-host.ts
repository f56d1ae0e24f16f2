import { isIP } from 'node:net';
import { PlainHttpNotAllowedError } from '../errors/plain-http-not-allowed-error.js';

/** Every name Docker Hub is known by; keychains and endpoints treat them as one registry. */
const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/** The canonical name core's `parseImageReference` gives Docker Hub. */
export const DOCKER_HUB = 'docker.io';

/** The host that actually serves Docker Hub's distribution API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/**
 * Reduces a registry name as found in references or docker config keys (`https://index.docker.io/v1/`,
 * `http://reg:5000/v2/`, `REG:5000`) to a comparable `host[:port]`, mapping Docker Hub aliases to `docker.io`.
 */
export function normalizeRegistryName(name: string): string {
  let host = name.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  host = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** Splits `host[:port]` (with IPv6 in brackets) into its host part. */
export function hostnameOf(hostPort: string): string {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    return end > 0 ? hostPort.slice(1, end) : hostPort;
  }
  const colon = hostPort.lastIndexOf(':');
  return colon > 0 && hostPort.indexOf(':') === colon ? hostPort.slice(0, colon) : hostPort;
}

/** True for `localhost`, 127.0.0.0/8 and `::1`: the only hosts reachable over plain HTTP without opting in. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostnameOf(hostPort).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const kind = isIP(host);
  if (kind === 4) return host.startsWith('127.');
  if (kind === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Where and how to reach one registry (upstream or mirror). */
export interface RegistryEndpoint {
  /** The registry name credentials are looked up under (`docker.io` for Hub). */
  readonly registry: string;
  /** The `host[:port]` requests go to. */
  readonly host: string;
  /** Base URL without trailing slash, e.g. `https://registry-1.docker.io`: `origin` + `pathPrefix`. */
  readonly baseUrl: string;
  /** Scheme, host and port, e.g. `https://registry-1.docker.io`: where the connection goes. */
  readonly origin: string;
  /** Whether plain HTTP (and an http token realm) is acceptable for this endpoint. */
  readonly plainHttpAllowed: boolean;
  /** Path prefix a mirror serves the repository under (empty for the upstream). */
  readonly pathPrefix: string;
  /**
   * A loopback host named without a scheme and not listed insecure: `baseUrl` is plain HTTP, but the host is
   * first asked over https (see `EndpointSchemes`), so a local TLS registry works like a local plain one.
   */
  readonly httpsFirst: boolean;
}

/**
 * Builds the endpoint for a registry or mirror name (`host[:port]`, optionally with a scheme and path):
 * Docker Hub goes to `registry-1.docker.io`; plain HTTP is used only when the name says `http://`, the
 * registry is configured insecure, or the host is loopback (then after trying https first, `httpsFirst`).
 */
export function registryEndpoint(name: string, insecureRegistries: ReadonlySet<string>): RegistryEndpoint {
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(name.trim());
  const scheme = schemeMatch?.[1]?.toLowerCase();
  const rest = name.trim().slice(schemeMatch ? schemeMatch[0].length : 0);
  const slash = rest.indexOf('/');
  const rawHost = (slash >= 0 ? rest.slice(0, slash) : rest).toLowerCase();
  const pathPrefix = slash >= 0 ? rest.slice(slash).replace(/\/+$/, '') : '';
  const registry = normalizeRegistryName(rawHost);
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : rawHost;
  const insecure = insecureRegistries.has(registry) || insecureRegistries.has(rawHost);
  const loopback = isLoopbackHost(host);
  const plainHttpAllowed = insecure || loopback;
  const useHttp = scheme === 'http' ? plainHttpAllowed : scheme === 'https' ? false : plainHttpAllowed;
  if (scheme === 'http' && !plainHttpAllowed) {
    throw new PlainHttpNotAllowedError(rawHost);
  }
  const origin = `${useHttp ? 'http' : 'https'}://${host}`;
  return {
    registry,
    host,
    baseUrl: `${origin}${pathPrefix}`,
    origin,
    plainHttpAllowed,
    pathPrefix,
    httpsFirst: loopback && !insecure && scheme === undefined,
  };
}
