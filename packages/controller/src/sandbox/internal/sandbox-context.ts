import type { DigestResolver } from '@agentbox/core';
import type { KubeClient } from '../../kube/kube-client.js';
import type { ResolvedSandboxClientOptions } from '../sandbox-client-options.js';
import type { ClaimCoordinator } from './claim-coordinator.js';

/** What every operation of the sandbox client shares: one keep-alive KubeClient, the resolver, the options. */
export interface SandboxContext {
  /** The client's KubeClient (created on first use). */
  kube(): Promise<KubeClient>;
  /** The resolver for explanations (the default one is built on first use). */
  resolver(): Promise<DigestResolver>;
  options: ResolvedSandboxClientOptions;
  /** Shares LISTs and spreads the concurrent claims of this client. */
  claims: ClaimCoordinator;
}
