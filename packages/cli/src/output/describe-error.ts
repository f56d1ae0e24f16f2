import { CliError } from '../cli-error.js';

interface KubeErrorShape {
  code?: unknown;
  status?: unknown;
  reason?: unknown;
  method?: unknown;
  path?: unknown;
  name: string;
  message: string;
  cause?: unknown;
}

/**
 * Turns any error into the `<why>` of `error: <what>: <why>`: the API server's own message for an API error
 * (without the request line), "cannot reach the API server …" for a network failure, the message otherwise.
 */
export function describeError(err: unknown, server?: string): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as KubeErrorShape;
  if (e.code === 'KubeApi' && typeof e.status === 'number') {
    const prefix = `${String(e.method)} ${String(e.path)}: `;
    let msg = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    msg = msg.replace(/ \(HTTP \d+\)$/, '');
    if (e.status === 0) {
      const cause = e.cause instanceof Error ? e.cause : undefined;
      const detail = (cause as { code?: string } | undefined)?.code ?? msg;
      return `cannot reach the API server${server ? ` ${server}` : ''}: ${detail}`;
    }
    if (e.status === 401) return 'Unauthorized: the API server refused the kubeconfig credentials';
    return msg;
  }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.message || 'timed out';
  return e.message;
}

/** `err` as a CliError with `what` in front (a CliError already names its what and passes through). */
export function withWhat(what: string, err: unknown, server?: string): CliError {
  if (err instanceof CliError) return err;
  const code = err instanceof Error ? String((err as { code?: unknown }).code ?? 'Error') : 'Error';
  return new CliError(`${what}: ${describeError(err, server)}`, { code, cause: err });
}
