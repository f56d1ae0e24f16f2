import { AgentboxError } from '@agentbox/core';

/** A registry or mirror was given as `http://` without being configured insecure or being on loopback. */
export class PlainHttpNotAllowedError extends AgentboxError {
  override readonly code = 'PlainHttpNotAllowed';
  /** The registry host that was refused. */
  readonly registry: string;

  constructor(registry: string) {
    super(`registry ${registry} is not configured insecure and is not loopback: refusing plain HTTP`);
    this.registry = registry;
  }
}
