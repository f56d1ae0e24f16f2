import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signJwt } from './internal/jwt.js';
import type { SigningKey } from './internal/signing-key.js';

/** Which fields of the token answer carry the token (the protocol allows either or both). */
export type TokenField = 'token' | 'access_token';

/** Options of `startTokenServer`. */
export interface TokenServerOptions {
  /** The registry's `auth.token.service`; a request naming another service is refused with 400. */
  readonly service: string;
  /** The registry's `auth.token.issuer`. */
  readonly issuer: string;
  /** Key and certificate the registry trusts. */
  readonly key: SigningKey;
  /** The one user that is granted what it asks for. */
  readonly credentials: { readonly username: string; readonly password: string };
  /** Lifetime announced in `expires_in` and put in the JWT `exp`, in seconds. Default: 60. */
  readonly expiresIn?: number;
  /** Fields of the answer that carry the token. Default: `['token', 'access_token']`. */
  readonly fields?: readonly TokenField[];
}

/** One request the token server answered. */
export interface TokenRequestRecord {
  /** `scope` parameters as sent, e.g. `repository:app:pull`. */
  readonly scopes: readonly string[];
  /** Whether valid Basic credentials came with it (false: anonymous or wrong). */
  readonly authenticated: boolean;
  /** HTTP status of the answer. */
  readonly status: number;
}

/** A running Docker token server (the `realm` of a token-auth registry). */
export interface TokenServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The token endpoint, `<url>/token`. */
  readonly realm: string;
  /** The service name tokens are issued for. */
  readonly service: string;
  /** Number of token requests received so far (every answer counts, refusals included). */
  tokenRequests(): number;
  /** Every token request received so far, oldest first. */
  tokenRequestLog(): readonly TokenRequestRecord[];
  /** Closes the server. */
  stop(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** Splits `type:name:actions`; the name may itself contain ':' (a host with a port). */
function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '');
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

function basicCredentials(req: IncomingMessage): { username: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Starts a Docker token server (GET realm?service=&scope=…) on 127.0.0.1 and a free port. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const expiresIn = options.expiresIn ?? 60;
  const fields = options.fields ?? ['token', 'access_token'];
  const log: TokenRequestRecord[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ').filter((p) => p !== ''));
    const record = (status: number, authenticated: boolean): void => {
      log.push({ scopes, authenticated, status });
    };
    if (url.pathname !== '/token') {
      record(404, false);
      sendJson(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'unknown path' }] });
      return;
    }
    if (req.method !== 'GET') {
      record(405, false);
      sendJson(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'only GET is supported' }] });
      return;
    }
    if (url.searchParams.get('service') !== options.service) {
      record(400, false);
      sendJson(res, 400, { errors: [{ code: 'INVALID_REQUEST', message: 'unknown or missing service' }] });
      return;
    }
    const given = basicCredentials(req);
    const authenticated =
      given !== undefined &&
      given.username === options.credentials.username &&
      given.password === options.credentials.password;
    if (given !== undefined && !authenticated) {
      record(401, false);
      sendJson(
        res,
        401,
        { details: 'incorrect username or password' },
        { 'www-authenticate': 'Basic realm="agentbox-testenv"' },
      );
      return;
    }
    // Anonymous callers get a valid token with an empty access list, as Docker Hub's
    // token server does: the registry then answers 401 to the actual request.
    const access = authenticated
      ? scopes.map(parseScope).filter((a): a is Access => a !== undefined && a.actions.length > 0)
      : [];
    const now = Math.floor(Date.now() / 1000);
    const jwt = signJwt(
      {
        iss: options.issuer,
        sub: authenticated ? options.credentials.username : '',
        aud: options.service,
        exp: now + expiresIn,
        nbf: now - 1,
        iat: now,
        jti: randomUUID(),
        access,
      },
      options.key,
    );
    const body: Record<string, unknown> = {
      expires_in: expiresIn,
      issued_at: new Date(now * 1000).toISOString(),
    };
    for (const field of fields) body[field] = jwt;
    record(200, authenticated);
    sendJson(res, 200, body);
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    realm: `${url}/token`,
    service: options.service,
    tokenRequests: () => log.length,
    tokenRequestLog: () => [...log],
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
