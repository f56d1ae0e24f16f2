import { type Clock, type DigestResolver, systemClock } from '@agentbox/core';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeClientOptions } from '../kube/kube-client-options.js';
import { type Logger, silentLogger } from '../observability/logger.js';

/** Options of createSandboxClient. */
export interface SandboxClientOptions {
  /** Where the cluster is and who we are. */
  kubeConfig: KubeConfig;
  /**
   * Resolves digests for `explain` and `wait`'s explanations. Default: a cached registry resolver reading
   * the pods' pull secrets through the cluster (built on first use, closed by `close()`).
   */
  resolver?: DigestResolver;
  /** Source of the times written to pods (`claimed-at`, `terminated-at`, `last-active`). Default: the system clock. */
  clock?: Clock;
  /** Where lost races and retries are logged (debug). Default: silent. */
  logger?: Logger;
  /** Value of the `managed-by` label a claim writes. Default: `agentbox`. */
  managedBy?: string;
  /** How long a `scale-down-protected` mark keeps claimers away. Default: 10000 ms. */
  scaleDownProtectionMs?: number;
  /** Startup timeout a claim writes when neither the claim nor the pool gives one. Default: 120 s. */
  defaultStartupTimeoutSeconds?: number;
  /** Options of the keep-alive Kubernetes client. Default: its own defaults. */
  kube?: KubeClientOptions;
  /** Source of randomness for the candidate shuffle (test seam). Default: `Math.random`. */
  random?: () => number;
}

/** SandboxClientOptions with every default applied. */
export interface ResolvedSandboxClientOptions {
  kubeConfig: KubeConfig;
  resolver: DigestResolver | undefined;
  clock: Clock;
  logger: Logger;
  managedBy: string;
  scaleDownProtectionMs: number;
  defaultStartupTimeoutSeconds: number;
  kube: KubeClientOptions;
  random: () => number;
}

/** Applies every default of SandboxClientOptions, in one place. */
export function resolveSandboxClientOptions(options: SandboxClientOptions): ResolvedSandboxClientOptions {
  return {
    kubeConfig: options.kubeConfig,
    resolver: options.resolver,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    managedBy: options.managedBy ?? 'agentbox',
    scaleDownProtectionMs: options.scaleDownProtectionMs ?? 10_000,
    defaultStartupTimeoutSeconds: options.defaultStartupTimeoutSeconds ?? 120,
    kube: options.kube ?? {},
    random: options.random ?? Math.random,
  };
}
