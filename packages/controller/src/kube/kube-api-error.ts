import { AgentboxError } from '@agentbox/core';

/** What the API server said about a failed request (a `metav1.Status`, when it sent one). */
export interface KubeApiErrorDetails {
  /** HTTP status code (409 for a conflict, 404 for not found, 0 when no response arrived). */
  status: number;
  /** The Status `reason` (`NotFound`, `Conflict`, `AlreadyExists`, `Forbidden`, `Expired`, …). */
  reason?: string;
  /** HTTP method and path of the request, without query secrets (the path never holds any). */
  method: string;
  path: string;
}

/**
 * A request to the Kubernetes API failed. `status` is the HTTP code (core's `isConflictError` reads it), `reason`
 * the API's machine-readable reason; network failures have status 0 and are retryable.
 */
export class KubeApiError extends AgentboxError {
  override readonly code = 'KubeApi';
  readonly status: number;
  readonly reason: string | undefined;
  readonly method: string;
  readonly path: string;

  constructor(message: string, details: KubeApiErrorDetails, options: { cause?: unknown } = {}) {
    const retryable = details.status === 0 || details.status === 429 || details.status >= 500;
    super(message, { cause: options.cause, retryable });
    this.status = details.status;
    this.reason = details.reason;
    this.method = details.method;
    this.path = details.path;
  }
}

/** True when `err` is a KubeApiError with HTTP status `status`. */
export function isKubeStatus(err: unknown, status: number): boolean {
  return err instanceof KubeApiError && err.status === status;
}

/** True for a 404 from the API server. */
export function isNotFoundError(err: unknown): boolean {
  return isKubeStatus(err, 404);
}

/** The KubeApiError of a non-2xx answer: its Status `reason` and `message` when the body is a Status object. */
export function kubeApiErrorFromResponse(
  method: string,
  path: string,
  status: number,
  text: string,
): KubeApiError {
  let reason: string | undefined;
  let message = text.slice(0, 300);
  try {
    const parsed = JSON.parse(text) as { reason?: unknown; message?: unknown };
    if (typeof parsed.reason === 'string') reason = parsed.reason;
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not a Status object; keep the start of the text.
  }
  return new KubeApiError(`${method} ${path}: ${message || `HTTP ${status}`} (HTTP ${status})`, {
    status,
    reason,
    method,
    path,
  });
}
