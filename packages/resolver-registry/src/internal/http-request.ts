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
  /** Largest body of a 2xx answer that is read; a larger one fails with ManifestTooLarge. Default: 0. */
  readonly maxBodyBytes?: number;
}

/** An answer with its (bounded) body read. */
export interface HttpResponse {
  readonly status: number;
  /** Header value by lower-case name (the first one when repeated, except `www-authenticate`). */
  header(name: string): string | undefined;
  /** Every value of a header. */
  headerValues(name: string): string[];
  /**
   * The body: of a 2xx answer up to the request's `maxBodyBytes`, of any other answer its first 64 KiB (the
   * registry's error JSON).
   */
  readonly body: Buffer;
}

/** Transport settings shared by every request of a resolver. */
export interface HttpSettings {
  /** The pool, as is: every request goes here first. */
  readonly dispatcher: Dispatcher;
  /**
   * The same pool behind undici's redirect interceptor (which drops `Authorization` when a redirect leaves the
   * origin): a request answered with a redirect is sent again through it.
   */
  readonly redirecting: Dispatcher;
  readonly timeoutMs: number;
  readonly userAgent: string;
}

/** Redirects followed per request: a registry sends at most one or two (to blob storage). */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Bytes of an error answer's body kept (enough for the registry's error JSON). */
const ERROR_BODY_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Sends one request through undici and keeps its connection alive afterwards (`reset: false`: undici
 * otherwise closes the connection after every HEAD, and each lookup would pay a new TCP and TLS handshake).
 * Redirects are followed by the dispatcher's redirect interceptor, which drops `Authorization` whenever a
 * redirect leaves the origin (blob storage must never see registry credentials). The answer is collected by a
 * small dispatch handler (no stream per request: a manifest lookup is a HEAD or a body of a few KiB), bounded
 * by `maxBodyBytes`. The time limit is undici's own connect, headers and body timeouts (no timer or signal is
 * made per request). Network failures become RegistryUnavailable, timeouts Timeout, a rejected certificate
 * TlsCertificate; the caller's abort is rethrown as its own reason.
 */
export function sendHttpRequest(
  req: HttpRequest,
  settings: HttpSettings,
  context: RegistryErrorContext,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<HttpResponse>((resolve, reject) => {
    const fail = (err: unknown) =>
      reject(err instanceof ManifestTooLargeError ? err : mapFailure(err, settings, context, signal));
    // A HEAD answer announces the length of a body it does not send: nothing to bound.
    const limit = req.method === 'HEAD' ? Number.POSITIVE_INFINITY : (req.maxBodyBytes ?? 0);
    const options: Dispatcher.DispatchOptions = {
      origin: req.origin,
      path: req.path,
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      reset: false,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    };
    const dispatch = (dispatcher: Dispatcher, handler: CollectingHandler) => {
      try {
        dispatcher.dispatch(options, handler);
      } catch (err) {
        handler.fail(err);
      }
    };
    // Redirects are rare (blob storage), and the interceptor's per-request bookkeeping is a tenth of a lookup's
    // CPU: so the request goes to the pool as is, and only one answered with a redirect is sent again through
    // the interceptor, which follows it (and every further hop) by its rules.
    const direct = new CollectingHandler(limit, context, signal, resolve, fail, () =>
      dispatch(settings.redirecting, new CollectingHandler(limit, context, signal, resolve, fail, undefined)),
    );
    dispatch(settings.dispatcher, direct);
  });
}

/** Collects one answer: status, headers and the bounded body; settles once. */
class CollectingHandler implements Dispatcher.DispatchHandler {
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #chunks: Buffer[] = [];
  #size = 0;
  #limit: number;
  #settled = false;
  #redirect = false;
  #onAbort: (() => void) | undefined;

  constructor(
    private readonly maxBodyBytes: number,
    private readonly context: RegistryErrorContext,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (res: HttpResponse) => void,
    private readonly reject: (err: unknown) => void,
    /** Called instead of `resolve` when the answer is a redirect (undefined: hand redirects to the caller). */
    private readonly onRedirect: (() => void) | undefined,
  ) {
    this.#limit = maxBodyBytes;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    const signal = this.signal;
    if (signal !== undefined && this.#onAbort === undefined) {
      this.#onAbort = () => controller.abort(signal.reason);
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.#status = statusCode;
    this.#headers = headers;
    if (
      this.onRedirect !== undefined &&
      REDIRECT_STATUSES.has(statusCode) &&
      headers.location !== undefined
    ) {
      this.#redirect = true;
      this.#limit = 0;
      return;
    }
    const ok = statusCode >= 200 && statusCode < 300;
    this.#limit = ok ? this.maxBodyBytes : ERROR_BODY_BYTES;
    const declared = Number(headers['content-length']);
    if (ok && Number.isFinite(declared) && declared > this.#limit) {
      controller.abort(this.#tooLarge(`body of ${declared} bytes exceeds the ${this.#limit}-byte bound`));
    }
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#redirect) return;
    if (this.#size + chunk.length > this.#limit) {
      // An error body beyond its bound is dropped (the connection stays usable); a 2xx one fails.
      if (this.#status >= 200 && this.#status < 300) {
        controller.abort(this.#tooLarge(`body exceeds the ${this.#limit}-byte bound`));
      }
      return;
    }
    this.#size += chunk.length;
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settle();
    if (this.#redirect) {
      this.onRedirect?.();
      return;
    }
    const headers = this.#headers;
    const chunks = this.#chunks;
    const response: HttpResponse = {
      status: this.#status,
      header: (name) => {
        const v = headers[name];
        return Array.isArray(v) ? v[0] : v;
      },
      headerValues: (name) => {
        const v = headers[name];
        return v === undefined ? [] : Array.isArray(v) ? v : [v];
      },
      body: chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
    };
    // undici hands the connection back to its pool in a setImmediate queued after this callback. A caller that
    // sent its next request before that would find every connection busy and make the pool open another, and
    // back-to-back lookups would take turns on two. Answering one event-loop turn later (an immediate queued from
    // an immediate runs on the next turn) lets the next request reuse this connection.
    setImmediate(() => setImmediate(this.resolve, response));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  fail(error: unknown): void {
    if (this.#settled) return;
    this.#settle();
    this.reject(error);
  }

  #settle(): void {
    this.#settled = true;
    if (this.#onAbort !== undefined) this.signal?.removeEventListener('abort', this.#onAbort);
  }

  #tooLarge(what: string): ManifestTooLargeError {
    return new ManifestTooLargeError(what, { ...this.context, status: this.#status });
  }
}

/** Maps a transport failure to the error callers branch on (the caller's abort stays its own reason). */
function mapFailure(
  err: unknown,
  settings: HttpSettings,
  context: RegistryErrorContext,
  signal: AbortSignal | undefined,
): unknown {
  if (signal?.aborted) return signal.reason;
  const code = (err as { code?: string }).code;
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new RegistryTimeoutError(`no answer within ${settings.timeoutMs} ms`, { ...context, cause: err });
  }
  const verifyCode = tlsVerifyCode(err);
  if (verifyCode !== undefined) return new TlsCertificateError(verifyCode, { ...context, cause: err });
  // undici's words when a proxy answers CONNECT with anything but 200 (407: proxy credentials missing or wrong).
  const proxyStatus = /^Proxy response \((\d{3})\)/.exec(String((err as Error)?.message))?.[1];
  if (proxyStatus !== undefined) {
    return new RegistryUnavailableError(`the proxy refused the tunnel (HTTP ${proxyStatus} to CONNECT)`, {
      ...context,
      cause: err,
    });
  }
  return new RegistryUnavailableError(`request failed: ${code ?? (err as Error).message}`, {
    ...context,
    cause: err,
  });
}
