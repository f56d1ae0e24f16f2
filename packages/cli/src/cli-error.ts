import { AgentboxError } from '@agentbox/core';

/**
 * An error the CLI reports as one line `error: <what>: <why>`; `exitCode` 2 marks a usage error (a bad flag
 * value, a missing argument), 1 anything else.
 */
export class CliError extends AgentboxError {
  override readonly code: string;
  /** The process exit code: 1 (error) or 2 (usage). */
  readonly exitCode: 1 | 2;

  constructor(message: string, options: { code?: string; exitCode?: 1 | 2; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code ?? (options.exitCode === 2 ? 'Usage' : 'Cli');
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A usage error: exit code 2. */
export function usageError(message: string): CliError {
  return new CliError(message, { exitCode: 2 });
}
