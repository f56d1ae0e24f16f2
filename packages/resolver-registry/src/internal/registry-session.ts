import { DeniedError } from '../errors/denied-error.js';
import { ManifestTooLargeError } from '../errors/manifest-too-large-error.js';
import { ManifestUnknownError } from '../errors/manifest-unknown-error.js';
import type { RegistryError, RegistryErrorContext } from '../errors/registry-error.js';
import { RegistryProtocolError } from '../errors/registry-protocol-error.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { TokenServerError } from '../errors/token-server-error.js';
import { TooManyRequestsError } from '../errors/too-many-requests-error.js';
import { UnauthorizedError } from '../errors/unauthorized-error.js';
import type { Credential, Keychain } from '../keychain/keychain.js';
import type { ResolvedRegistryResolverOptions } from '../registry-resolver-options.js';
import { basicAuthorization } from '../transport/basic-auth.js';
import {
  type BearerTokenCache,
  bearerCacheKey,
  checkTokenRealm,
  createBearerTokenCache,
  parseTokenResponse,
} from '../transport/bearer-auth.js';
import { type Challenge, parseChallenges } from '../transport/challenge.js';
import { parseRetryAfter, type RetryPolicy, withRetry } from '../transport/retry.js';
import { type HttpRequest, type HttpResponse, type HttpSettings, sendHttpRequest } from './http-request.js';
import type { RegistryEndpoint } from './registry-host.js';

/** Per-call context: which repository, for which pod, cancellable. */
export interface SessionCall {
  readonly repository: string;
  /** The tag or digest looked up, named in errors. */
  readonly reference?: string;
  readonly namespace?: string;
  readonly pullSecrets?: readonly string[];
  readonly signal?: AbortSignal;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Largest token answer read: a JWT of a few KiB, with room for large scopes. */
const MAX_TOKEN_BODY_BYTES = 1024 * 1024;

/**
 * Talks to registries on behalf of one resolver: remembers each host's auth challenge so later requests
 * authenticate up front, and caches bearer tokens per host + scope + credential until they expire.
 */
export class RegistrySession {
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens: BearerTokenCache;
  private readonly http: HttpSettings;
  private readonly retry: RetryPolicy;
  private readonly keychain: Keychain;

  constructor(options: ResolvedRegistryResolverOptions, http: HttpSettings) {
    this.tokens = createBearerTokenCache(() => options.clock.now().getTime());
    this.keychain = options.keychain;
    this.http = http;
    this.retry = {
      retries: options.retries,
      baseDelayMs: options.retryBaseDelayMs,
      maxDelayMs: options.retryMaxDelayMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
      sleep: options.sleep,
      random: options.random,
      now: () => options.clock.now().getTime(),
    };
  }

  /**
   * Sends `GET`/`HEAD` to `path` of the endpoint and returns a 2xx response (body unread) or throws the mapped
   * registry error.
   *
   * 1. Authenticate up front when this host already challenged us (cached token or Basic).
   * 2. Send, retrying 429/5xx/dropped connections with back-off (honouring `Retry-After`).
   * 3. On 401: parse the challenge, ask the keychain for this registry's credentials, get Basic or a Bearer
   *    token for `repository:<repo>:pull` (realm checked first), and send once more.
   * 4. A second 401 is Unauthorized (Denied when the token lacks the scope); other statuses map to errors.
   */
  async request(
    endpoint: RegistryEndpoint,
    method: 'GET' | 'HEAD',
    path: string,
    accept: string,
    call: SessionCall,
    maxBodyBytes = 0,
  ): Promise<HttpResponse> {
    const context: RegistryErrorContext =
      call.reference !== undefined
        ? { registry: endpoint.registry, repository: call.repository, reference: call.reference }
        : { registry: endpoint.registry, repository: call.repository };
    const fullPath = endpoint.pathPrefix === '' ? path : `${endpoint.pathPrefix}${path}`;
    const send = (authorization: string | undefined) =>
      this.send(
        {
          origin: endpoint.origin,
          path: fullPath,
          method,
          maxBodyBytes,
          headers:
            authorization === undefined
              ? { 'user-agent': this.http.userAgent, accept }
              : { 'user-agent': this.http.userAgent, accept, authorization },
        },
        context,
        call.signal,
      );
    let credential: { value: Credential | undefined } | undefined;
    const credentialFor = async () => {
      credential ??= {
        value: await this.keychain.credentialsFor({
          registry: endpoint.registry,
          repository: call.repository,
          ...(call.namespace !== undefined ? { namespace: call.namespace } : {}),
          ...(call.pullSecrets !== undefined ? { pullSecrets: call.pullSecrets } : {}),
          ...(call.signal !== undefined ? { signal: call.signal } : {}),
        }),
      };
      return credential.value;
    };

    const known = this.challenges.get(endpoint.baseUrl);
    let auth = known
      ? await this.authorize(known, endpoint, call, context, await credentialFor())
      : undefined;
    let res = await send(auth?.header);
    if (res.status === 401) {
      if (auth?.tokenKey !== undefined) this.tokens.invalidate(auth.tokenKey, auth.token ?? '');
      const challenge = pickChallenge(parseChallenges(res.headerValues('www-authenticate')));
      if (challenge === undefined) {
        throw new UnauthorizedError('registry requires authentication with an unsupported scheme', {
          ...context,
          status: 401,
        });
      }
      this.challenges.set(endpoint.baseUrl, challenge);
      auth = await this.authorize(challenge, endpoint, call, context, await credentialFor());
      if (auth === undefined) {
        throw new UnauthorizedError('registry requires credentials and the keychain has none', {
          ...context,
          status: 401,
        });
      }
      res = await send(auth.header);
      if (res.status === 401 && credential?.value === undefined) {
        // An anonymous token without the pull action: what is missing is credentials, not permission.
        throw new UnauthorizedError('anonymous access refused and the keychain has no credentials', {
          ...context,
          status: 401,
        });
      }
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw errorFromResponse(res, context);
  }

  /** Builds the Authorization header for a challenge, fetching (or reusing) a bearer token when needed. */
  private async authorize(
    challenge: Challenge,
    endpoint: RegistryEndpoint,
    call: SessionCall,
    context: RegistryErrorContext,
    credential: Credential | undefined,
  ): Promise<{ header: string; tokenKey?: string; token?: string } | undefined> {
    if (challenge.scheme === 'basic') {
      if (credential?.kind !== 'basic') return undefined;
      return { header: basicAuthorization(credential.username, credential.password) };
    }
    if (credential?.kind === 'registryToken') return { header: `Bearer ${credential.token}` };
    const realm = checkTokenRealm(challenge.params.realm, endpoint.plainHttpAllowed, context);
    const scope = `repository:${call.repository}:pull`;
    const key = bearerCacheKey(endpoint.host, scope, credential);
    // The fetch is shared by every concurrent caller of this key, so it runs on nobody's signal (see
    // BearerTokenCache); `call.signal` ends only this caller's wait. The token server is no repository lookup:
    // its errors name the repository, not the tag.
    const tokenContext = { registry: context.registry, repository: context.repository };
    const token = await this.tokens.get(
      key,
      () => this.fetchToken(realm, challenge.params.service, scope, credential, tokenContext),
      call.signal,
    );
    return { header: `Bearer ${token}`, tokenKey: key, token };
  }

  /** Asks the token realm for a pull token: GET with Basic credentials, or the OAuth2 refresh-token POST. */
  private async fetchToken(
    realm: URL,
    service: string | undefined,
    scope: string,
    credential: Credential | undefined,
    context: RegistryErrorContext,
  ) {
    const url = new URL(realm);
    let req: HttpRequest;
    if (credential?.kind === 'identityToken') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credential.token,
        client_id: 'agentbox',
        scope,
        ...(service !== undefined ? { service } : {}),
      });
      req = {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: {
          'user-agent': this.http.userAgent,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
      };
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> = { 'user-agent': this.http.userAgent };
      if (credential?.kind === 'basic') {
        url.searchParams.set('account', credential.username);
        headers.authorization = basicAuthorization(credential.username, credential.password);
      }
      req = { origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET', headers };
    }
    let res: HttpResponse;
    try {
      res = await this.send({ ...req, maxBodyBytes: MAX_TOKEN_BODY_BYTES }, context, undefined);
    } catch (err) {
      if (!(err instanceof ManifestTooLargeError)) throw err;
      throw new TokenServerError(`token answer exceeds ${MAX_TOKEN_BODY_BYTES} bytes`, {
        ...context,
        status: err.status,
      });
    }
    if (res.status === 401 || res.status === 403) {
      throw new UnauthorizedError('token server refused the credentials', { ...context, status: res.status });
    }
    if (res.status < 200 || res.status >= 300) {
      throw new TokenServerError('token server failed', { ...context, status: res.status });
    }
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new TokenServerError('token server answered with something that is not JSON', {
        ...context,
        status: res.status,
      });
    }
    return parseTokenResponse(json, this.retry.now(), context);
  }

  /** One request with retries on 429, 5xx and dropped connections. */
  private send(req: HttpRequest, context: RegistryErrorContext, signal: AbortSignal | undefined) {
    return withRetry(
      () => sendHttpRequest(req, this.http, context, signal),
      (outcome) => {
        if ('error' in outcome) return { retry: outcome.error instanceof RegistryUnavailableError };
        if (!RETRY_STATUSES.has(outcome.value.status)) return { retry: false };
        const after = parseRetryAfter(outcome.value.header('retry-after'), this.retry.now());
        return after === undefined ? { retry: true } : { retry: true, retryAfterMs: after };
      },
      this.retry,
      signal ? { signal } : {},
    );
  }
}

/** Prefers Bearer (it scopes access to one repository) over Basic; other schemes are unsupported. */
function pickChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

/** Maps a non-2xx response to the error callers branch on, reading the registry's error code from the body. */
export function errorFromResponse(res: HttpResponse, base: RegistryErrorContext): RegistryError {
  let registryCode: string | undefined;
  try {
    if (res.body.length === 0) throw new SyntaxError('no body');
    const body = JSON.parse(res.body.toString('utf8')) as {
      errors?: { code?: unknown }[];
    };
    const code = body.errors?.[0]?.code;
    if (typeof code === 'string') registryCode = code;
  } catch {
    // No JSON error body (HEAD, proxies): the status alone decides.
  }
  const context = { ...base, status: res.status, ...(registryCode !== undefined ? { registryCode } : {}) };
  const insufficientScope = parseChallenges(res.headerValues('www-authenticate')).some(
    (c) => c.params.error === 'insufficient_scope',
  );
  switch (true) {
    case res.status === 401 && (insufficientScope || registryCode === 'DENIED'):
      return new DeniedError('access to the repository denied', context);
    case res.status === 401:
      return new UnauthorizedError('registry refused the credentials', context);
    case res.status === 403:
      return new DeniedError('access to the repository denied', context);
    case res.status === 404:
      return new ManifestUnknownError('manifest unknown', context);
    case res.status === 429:
      return new TooManyRequestsError('rate limited by the registry', context);
    case res.status >= 500:
      return new RegistryUnavailableError('registry failed', context);
    default:
      return new RegistryProtocolError('unexpected response', context);
  }
}
