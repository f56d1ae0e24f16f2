/** Options every agentbox error accepts. */
export interface AgentboxErrorOptions {
  /** The underlying error, kept as the standard `Error.cause`. */
  cause?: unknown;
  /** Whether trying again (later, or with another pod) may succeed. Default: false. */
  retryable?: boolean;
  /**
   * The stable code; subclasses usually declare `override readonly code = 'X'` instead.
   * Default: 'Agentbox'.
   */
  code?: string;
}

/**
 * Base class of every error agentbox throws; callers branch on the stable `code`, never on the message.
 *
 * Subclass it in two lines (the field initialiser runs after `super`, so the literal wins):
 * ```ts
 * class ManifestUnknownError extends AgentboxError {
 *   override readonly code = 'ManifestUnknown';
 * }
 * ```
 * or pass `{ code }` in the options when the code is only known at run time.
 */
export class AgentboxError extends Error {
  /** Stable machine-readable code, e.g. 'InvalidState'. */
  readonly code: string;
  /** Whether trying again (later, or with another pod) may succeed. */
  readonly retryable: boolean;

  constructor(message: string, options: AgentboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'Agentbox';
    this.retryable = options.retryable ?? false;
  }
}

/**
 * True when `err` is an Error whose `code` is `code`. It checks the shape, not `instanceof AgentboxError`,
 * so errors from another copy of this package (two versions in one install) answer too.
 */
export function hasErrorCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === code;
}
