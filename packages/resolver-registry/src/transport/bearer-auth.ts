import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { InsecureTokenRealmError } from '../errors/insecure-token-realm-error.js';
import type { RegistryErrorContext } from '../errors/registry-error.js';
import { RegistryProtocolError } from '../errors/registry-protocol-error.js';
import { TokenServerError } from '../errors/token-server-error.js';
import { untilAborted } from '../internal/until-aborted.js';
import type { Credential } from '../keychain/keychain.js';

/** A bearer token with the time it stops being used. */
export interface BearerToken {
  readonly token: string;
  /** Epoch ms after which the token is fetched anew. */
  readonly expiresAt: number;
}

/** The token server's answer (Docker token auth spec); either field may carry the token. */
const tokenResponseSchema = z.object({
  token: z.string().min(1).optional(),
  access_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
  issued_at: z.string().optional(),
});

/** Lifetime the spec tells clients to assume when `expires_in` is missing. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;

/** Tokens are refreshed this long before they expire, so one never dies in flight. */
export const TOKEN_EXPIRY_MARGIN_MS = 5_000;

/**
 * Parses a token server's JSON into a token and its expiry: `token` or `access_token`; lifetime from
 * `expires_in` (default 60 s) counted from `issued_at` when given, else from `nowMs`.
 * The token never appears in an error.
 */
export function parseTokenResponse(json: unknown, nowMs: number, context: RegistryErrorContext): BearerToken {
  const parsed = tokenResponseSchema.safeParse(json);
  const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
  if (!parsed.success || token === undefined) {
    throw new TokenServerError('token server answered without a token', context);
  }
  const lifetimeMs = (parsed.data.expires_in ?? DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000;
  const issued = parsed.data.issued_at ? Date.parse(parsed.data.issued_at) : Number.NaN;
  // A server clock far from ours would make issued_at wrong; trust it only when it is not in our future.
  const start = Number.isNaN(issued) || issued > nowMs ? nowMs : issued;
  return { token, expiresAt: start + lifetimeMs - TOKEN_EXPIRY_MARGIN_MS };
}

/**
 * Checks a bearer challenge's realm before any credential is sent to it: it must be an absolute http(s) URL,
 * and plain http only when the registry itself may be spoken to over plain HTTP (insecure or loopback).
 */
export function checkTokenRealm(
  realm: string | undefined,
  plainHttpAllowed: boolean,
  context: RegistryErrorContext,
): URL {
  let url: URL;
  try {
    url = new URL(realm ?? '');
  } catch {
    throw new RegistryProtocolError('bearer challenge has no valid realm URL', context);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && plainHttpAllowed) return url;
  throw new InsecureTokenRealmError(
    `token realm ${url.origin} is not https; credentials are not sent there`,
    context,
  );
}

/** A stable, non-reversible fingerprint of a credential, so cached tokens of different credentials never mix. */
export function credentialFingerprint(credential: Credential | undefined): string {
  if (credential === undefined) return 'anonymous';
  const user = credential.kind === 'registryToken' ? '' : (credential.username ?? '');
  const secret = credential.kind === 'basic' ? credential.password : credential.token;
  return createHash('sha256').update(`${credential.kind}\0${user}\0${secret}`).digest('hex').slice(0, 32);
}

/**
 * Caches bearer tokens per registry host + scope + credential, until they expire; concurrent misses share one
 * fetch. The shared fetch runs on nobody's signal: each caller waits with its own and gives up alone, and the
 * fetch goes on for the others (a failed fetch is never stored).
 */
export interface BearerTokenCache {
  /** The cached token for the key, or the result of `fetch` (stored until its expiry); `signal` ends this wait only. */
  get(key: string, fetch: () => Promise<BearerToken>, signal?: AbortSignal): Promise<string>;
  /** Forgets a token the registry refused before its expiry. */
  invalidate(key: string, token: string): void;
}

/** Tokens kept at most: one per repository and credential in use; the least recently used goes first. */
export const MAX_CACHED_TOKENS = 1024;

/** Creates an empty {@link BearerTokenCache} reading time from `now`, holding at most `max` tokens. */
export function createBearerTokenCache(now: () => number, max = MAX_CACHED_TOKENS): BearerTokenCache {
  const tokens = new LRUCache<string, BearerToken>({ max });
  const inFlight = new Map<string, Promise<BearerToken>>();
  return {
    async get(key, fetch, signal) {
      const cached = tokens.get(key);
      if (cached !== undefined && now() < cached.expiresAt) return cached.token;
      let pending = inFlight.get(key);
      if (pending === undefined) {
        const started = fetch();
        pending = started;
        inFlight.set(key, started);
        started.then(
          (fresh) => {
            if (inFlight.get(key) === started) inFlight.delete(key);
            tokens.set(key, fresh);
          },
          () => {
            if (inFlight.get(key) === started) inFlight.delete(key);
          },
        );
      }
      return (await untilAborted(pending, signal)).token;
    },
    invalidate(key, token) {
      if (tokens.get(key)?.token === token) tokens.delete(key);
    },
  };
}

/** The cache key of a token: registry host, scope and credential fingerprint. */
export function bearerCacheKey(host: string, scope: string, credential: Credential | undefined): string {
  return `${host}\n${scope}\n${credentialFingerprint(credential)}`;
}
