import type { Dispatcher } from 'undici';
import { ManifestTooLargeError } from '../errors/manifest-too-large-error.js';
import type { RegistryErrorContext } from '../errors/registry-error.js';
import { RegistryTimeoutError } from '../errors/registry-timeout-error.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { TlsCertificateError } from '../errors/tls-certificate-error.js';
import { tlsVerifyCode } from './tls-verify-code.js';

/** One HTTP exchange as the resolver needs it. */
export interface HttpRequest {
  /** `https://host[:port]`, no path. */
  readonly origin: string;
  /** Path with query, e.g. `/v2/app/manifests/v1`. */
  readonly path: string;
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A response whose body is still unread: read it bounded, or dump it. */
export interface HttpResponse {
  readonly status: number;
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
  /** Follows redirects itself (undici's redirect interceptor), dropping `Authorization` when one leaves the origin. */
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly userAgent: string;
}

/** Redirects followed per request: a registry sends at most one or two (to blob storage). */
export const MAX_REDIRECTS = 5;

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Sends one request through undici and keeps its connection alive afterwards (`reset: false`: undici
 * otherwise closes the connection after every HEAD, and each lookup would pay a new TCP and TLS handshake).
 * Redirects are followed by the dispatcher's redirect interceptor, which drops `Authorization` whenever a
 * redirect leaves the origin (blob storage must never see registry credentials). The time limit is undici's
 * own connect, headers and body timeouts (no timer or signal is made per request). Network failures become
 * RegistryUnavailable, timeouts Timeout, a rejected certificate TlsCertificate; the caller's abort is
 * rethrown as its own reason.
 */
export async function sendHttpRequest(
  req: HttpRequest,
  settings: HttpSettings,
  context: RegistryErrorContext,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  signal?.throwIfAborted();
  let res: Dispatcher.ResponseData;
  try {
    res = await settings.dispatcher.request({
      origin: req.origin,
      path: req.path,
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal: signal ?? null,
      reset: false,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
  } catch (err) {
    return failed(err, settings, context, signal);
  }
  return new UndiciResponse(res, settings, context, signal);
}

/** A response whose body is still unread. */
class UndiciResponse implements HttpResponse {
  readonly status: number;

  constructor(
    private readonly res: Dispatcher.ResponseData,
    private readonly settings: HttpSettings,
    private readonly context: RegistryErrorContext,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.status = res.statusCode;
  }

  header(name: string): string | undefined {
    const v = this.res.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }

  headerValues(name: string): string[] {
    const v = this.res.headers[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }

  async readBody(limit: number): Promise<Buffer> {
    const body = this.res.body;
    const declared = Number(this.res.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      discard(body);
      throw new ManifestTooLargeError(`body of ${declared} bytes exceeds the ${limit}-byte bound`, {
        ...this.context,
        status: this.status,
      });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (size > limit) {
          discard(body);
          throw new ManifestTooLargeError(`body exceeds the ${limit}-byte bound`, {
            ...this.context,
            status: this.status,
          });
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof ManifestTooLargeError) throw err;
      return failed(err, this.settings, this.context, this.signal);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  async dump(): Promise<void> {
    await this.res.body.dump().catch(() => undefined);
  }
}

/** Maps a transport failure to the error callers branch on (the caller's abort stays its own reason). */
function failed(
  err: unknown,
  settings: HttpSettings,
  context: RegistryErrorContext,
  signal: AbortSignal | undefined,
): never {
  if (signal?.aborted) throw signal.reason;
  const code = (err as { code?: string }).code;
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
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
}

/** Stops reading a body; the abort error undici emits on it is expected and swallowed. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}
