import { AgentboxError } from './agentbox-error.js';

/** An update asked for an empty image for a container. */
export class TargetImageRequiredError extends AgentboxError {
  override readonly code = 'TargetImageRequired';
  /** The container whose target image was empty. */
  readonly container: string;

  constructor(container: string) {
    super(`container ${JSON.stringify(container)}: target image is required`);
    this.container = container;
  }
}
