import { Agent, type Dispatcher, request } from 'undici';
import type { RegistryHandle } from '../registry-handle.js';
import { RegistryHarnessError } from '../registry-harness-error.js';

/** An answer with its body read. */
export interface ClientResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A request to the registry; `path` is relative to the registry URL or an absolute URL (upload locations). */
export interface ClientRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
}

// One connection pool per test CA (a handful per run), so pushes to a TLS registry reuse connections.
const agentsByCa = new Map<string, Agent>();

/** The dispatcher for a registry: undici's global one, or a pool trusting the registry's test CA. */
function dispatcherFor(registry: RegistryHandle): Dispatcher | undefined {
  const ca = registry.caCertificate;
  if (ca === undefined) return undefined;
  let agent = agentsByCa.get(ca);
  if (agent === undefined) {
    agent = new Agent({ connect: { ca } });
    agentsByCa.set(ca, agent);
  }
  return agent;
}

function header(res: ClientResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses `Bearer realm="…",service="…",scope="…"` into its parameters. */
function parseChallenge(value: string): { scheme: string; params: Record<string, string> } {
  const space = value.indexOf(' ');
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of value.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    params[match[1]!.toLowerCase()] = match[2]!;
  }
  return { scheme, params };
}

/**
 * Talks to a test registry as one repository's pusher: sends Basic credentials to a basic
 * registry, and fetches (and reuses) a bearer token for `repository:<repo>:pull,push,delete`
 * from a token registry's realm.
 */
export class RegistryClient {
  private token: string | undefined;

  constructor(
    private readonly registry: RegistryHandle,
    private readonly repository: string,
  ) {}

  /** Sends `req` and returns the answer whatever its status. */
  async send(req: ClientRequest): Promise<ClientResponse> {
    let res = await this.once(req);
    if (res.status === 401 && this.registry.auth === 'token') {
      // A token that expired (or a first request): fetch one from the challenge and retry once.
      const challenge = parseChallenge(header(res, 'www-authenticate') ?? '');
      this.token = await this.fetchToken(challenge.params['realm'], challenge.params['service']);
      res = await this.once(req);
    }
    return res;
  }

  /** Sends `req` and throws a `RegistryHarnessError` unless the status is one of `expected`. */
  async expect(req: ClientRequest, expected: readonly number[]): Promise<ClientResponse> {
    const res = await this.send(req);
    if (!expected.includes(res.status)) {
      const text = res.body.toString('utf8').slice(0, 500);
      throw new RegistryHarnessError(
        'RegistryHttpError',
        `${req.method} ${this.registry.host}${new URL(req.path, this.registry.url).pathname} answered ${res.status}: ${text}`,
        { status: res.status },
      );
    }
    return res;
  }

  private async once(req: ClientRequest): Promise<ClientResponse> {
    const headers: Record<string, string> = { ...req.headers };
    const auth = await this.authorization();
    if (auth !== undefined) headers['authorization'] = auth;
    if (req.body !== undefined) headers['content-length'] = String(req.body.length);
    const dispatcher = dispatcherFor(this.registry);
    const res = await request(new URL(req.path, this.registry.url), {
      ...(dispatcher !== undefined ? { dispatcher } : {}),
      method: req.method,
      headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers, body };
  }

  private async authorization(): Promise<string | undefined> {
    const creds = this.registry.credentials;
    if (this.registry.auth === 'basic' && creds !== undefined) {
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    if (this.registry.auth === 'token') {
      this.token ??= await this.fetchToken(undefined, undefined);
      return `Bearer ${this.token}`;
    }
    return undefined;
  }

  private async fetchToken(realm: string | undefined, service: string | undefined): Promise<string> {
    const server = this.registry.tokenServer;
    const realmUrl = realm ?? server?.realm;
    const serviceName = service ?? server?.service;
    if (realmUrl === undefined || serviceName === undefined) {
      throw new RegistryHarnessError('TokenRequestFailed', `no token realm known for ${this.registry.host}`);
    }
    const url = new URL(realmUrl);
    url.searchParams.set('service', serviceName);
    url.searchParams.set('scope', `repository:${this.repository}:pull,push,delete`);
    const headers: Record<string, string> = {};
    const creds = this.registry.credentials;
    if (creds !== undefined) {
      headers['authorization'] =
        `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    const res = await request(url, { method: 'GET', headers });
    const text = await res.body.text();
    if (res.statusCode !== 200) {
      throw new RegistryHarnessError('TokenRequestFailed', `token server answered ${res.statusCode}`, {
        status: res.statusCode,
      });
    }
    const parsed = JSON.parse(text) as { token?: string; access_token?: string };
    const token = parsed.token ?? parsed.access_token;
    if (token === undefined) {
      throw new RegistryHarnessError('TokenRequestFailed', 'token server answered without a token');
    }
    return token;
  }
}

/** First value of a response header. */
export function responseHeader(res: ClientResponse, name: string): string | undefined {
  return header(res, name);
}
