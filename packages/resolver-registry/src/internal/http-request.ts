import { type Dispatcher, request } from 'undici';
import { ManifestTooLargeError } from '../errors/manifest-too-large-error.js';
import type { RegistryErrorContext } from '../errors/registry-error.js';
import { RegistryTimeoutError } from '../errors/registry-timeout-error.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { TlsCertificateError } from '../errors/tls-certificate-error.js';
import { tlsVerifyCode } from './tls-verify-code.js';

/** One HTTP exchange as the resolver needs it. */
export interface HttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A response whose body is still unread: read it bounded, or dump it. */
export interface HttpResponse {
  readonly status: number;
  /** The URL that answered (after redirects). */
  readonly url: string;
  /** Header value by lower-case name (the first one when repeated, except `www-authenticate`). */
  header(name: string): string | undefined;
  /** Every value of a header. */
  headerValues(name: string): string[];
  /** Reads the body, failing with ManifestTooLarge beyond `limit` bytes without reading further. */
  readBody(limit: number): Promise<Buffer>;
  /** Discards the body so the connection can be reused. */
  dump(): Promise<void>;
}

/** Transport settings shared by every request of a resolver. */
export interface HttpSettings {
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly userAgent: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Sends one request through undici with a per-request timeout combined with the caller's signal, following
 * redirects itself so that `Authorization` is dropped whenever the redirect leaves the origin (blob storage
 * must never see registry credentials). Network failures become RegistryUnavailable, timeouts Timeout, a
 * rejected certificate TlsCertificate; the caller's abort is rethrown as its own reason.
 */
export async function sendHttpRequest(
  req: HttpRequest,
  settings: HttpSettings,
  context: RegistryErrorContext,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  signal?.throwIfAborted();
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const fail = (err: unknown): never => {
    if (signal?.aborted) throw signal.reason;
    const code = (err as { code?: string }).code;
    if (timeout.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) {
      throw new RegistryTimeoutError(`no answer within ${settings.timeoutMs} ms`, { ...context, cause: err });
    }
    const verifyCode = tlsVerifyCode(err);
    if (verifyCode !== undefined) throw new TlsCertificateError(verifyCode, { ...context, cause: err });
    // undici's words when a proxy answers CONNECT with anything but 200 (407: proxy credentials missing or wrong).
    const proxyStatus = /^Proxy response \((\d{3})\)/.exec(String((err as Error)?.message))?.[1];
    if (proxyStatus !== undefined) {
      throw new RegistryUnavailableError(`the proxy refused the tunnel (HTTP ${proxyStatus} to CONNECT)`, {
        ...context,
        cause: err,
      });
    }
    throw new RegistryUnavailableError(`request failed: ${code ?? (err as Error).message}`, {
      ...context,
      cause: err,
    });
  };

  let url = req.url;
  let method = req.method;
  let headers: Record<string, string> = { 'user-agent': settings.userAgent, ...req.headers };
  let body = req.body;
  for (let hop = 0; ; hop++) {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        dispatcher: settings.dispatcher,
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: combined,
        headersTimeout: settings.timeoutMs,
        bodyTimeout: settings.timeoutMs,
      });
    } catch (err) {
      return fail(err);
    }
    const location = res.headers.location;
    if (REDIRECTS.has(res.statusCode) && typeof location === 'string' && hop < MAX_REDIRECTS) {
      await res.body.dump().catch(() => undefined);
      const next = new URL(location, url);
      if (next.origin !== new URL(url).origin) {
        const { authorization: _dropped, ...rest } = headers;
        headers = rest;
      }
      if (res.statusCode === 303 && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
      }
      url = next.toString();
      continue;
    }
    const responseHeaders = res.headers;
    const responseBody = res.body;
    const values = (name: string): string[] => {
      const v = responseHeaders[name];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    };
    return {
      status: res.statusCode,
      url,
      header: (name) => values(name)[0],
      headerValues: values,
      async readBody(limit) {
        const declared = Number(responseHeaders['content-length']);
        if (Number.isFinite(declared) && declared > limit) {
          discard(responseBody);
          throw new ManifestTooLargeError(`body of ${declared} bytes exceeds the ${limit}-byte bound`, {
            ...context,
            status: res.statusCode,
          });
        }
        const chunks: Buffer[] = [];
        let size = 0;
        try {
          for await (const chunk of responseBody) {
            size += (chunk as Buffer).length;
            if (size > limit) {
              discard(responseBody);
              throw new ManifestTooLargeError(`body exceeds the ${limit}-byte bound`, {
                ...context,
                status: res.statusCode,
              });
            }
            chunks.push(chunk as Buffer);
          }
        } catch (err) {
          if (err instanceof ManifestTooLargeError) throw err;
          return fail(err);
        }
        return Buffer.concat(chunks);
      },
      async dump() {
        await responseBody.dump().catch(() => undefined);
      },
    };
  }
}

/** Stops reading a body; the abort error undici emits on it is expected and swallowed. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}
