import { AgentboxError } from '@agentbox/core';

/** A cache option has a value the cache cannot work with (negative TTL, `maxEntries` < 1, …). */
export class InvalidCacheOptionsError extends AgentboxError {
  override readonly code = 'InvalidCacheOptions';
  readonly option: string;

  constructor(option: string, value: unknown) {
    super(`invalid cache option ${option}: ${String(value)}`);
    this.option = option;
  }
}
