import { AgentboxError } from './agentbox-error.js';

/** An image was requested for a container name the pod does not have. */
export class ContainerNotFoundError extends AgentboxError {
  override readonly code = 'ContainerNotFound';
  /** The requested container name. */
  readonly container: string;

  constructor(container: string) {
    super(`container not found in pod: ${container}`);
    this.container = container;
  }
}
