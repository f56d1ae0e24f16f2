import { type Clock, type DigestResolver, systemClock } from '@agentbox/core';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { KubeClientOptions } from './kube/kube-client-options.js';
import {
  type LeaderElectionOptions,
  type ResolvedLeaderElectionOptions,
  resolveLeaderElectionOptions,
} from './leader/leader-election-options.js';
import { createLogger } from './observability/create-logger.js';
import type { Logger } from './observability/logger.js';
import type { ResolverBackend } from './resolver/create-default-resolver.js';

/** Options of startController; every default is applied by resolveControllerOptions. */
export interface ControllerOptions {
  /** Where the API server is and how to authenticate (client-node's KubeConfig, current context). */
  kubeConfig: KubeConfig;
  /** Watch and reconcile one namespace only. Default: all namespaces. */
  namespace?: string;
  /**
   * Digest resolver for completions. Default: `withCache(createRegistryResolver(…))` with the pods' pull secrets
   * read through the cluster (see `resolverBackend`, `resolverCacheTtlMs`, `dockerConfigPath`).
   */
  resolver?: DigestResolver;
  /** Backend of the default resolver. Default: `registry`. */
  resolverBackend?: ResolverBackend;
  /** Positive TTL of the default resolver's cache. Default: 60000 ms. */
  resolverCacheTtlMs?: number;
  /** A docker `config.json` whose credentials the default resolver uses besides the pods' pull secrets. Default: none. */
  dockerConfigPath?: string;
  /** Leader election on a Lease. Default: off (every replica reconciles). */
  leaderElection?: LeaderElectionOptions;
  /** `host:port` of the `/metrics` server (port 0 = any free port). Default: `''` (off). */
  metricsAddress?: string;
  /** `host:port` of the `/healthz` and `/readyz` server (port 0 = any free port). Default: `''` (off). */
  healthAddress?: string;
  /** pino-compatible logger. Default: a pino JSON logger at `info` on stdout. */
  logger?: Logger;
  /** Time source of the reconcile and Events. Default: the system clock. */
  clock?: Clock;
  /** Pools reconciled at once. Default: 8. */
  concurrency?: number;
  /**
   * Per-pod completions written at once, on a queue and workers of their own: a completion is one small
   * request, so a burst of them is bounded by the API client's connections, not by the pool workers, and
   * never waits behind a pool's full reconcile. Default: 32.
   */
  completionConcurrency?: number;
  /** A pool with no earlier deadline is reconciled again after this long (jittered ±10 %). Default: 30000 ms. */
  resyncIntervalMs?: number;
  /** How long stop() waits for in-flight reconciles before aborting them. Default: 10000 ms. */
  drainTimeoutMs?: number;
  /**
   * A pod event enqueues its pool this long after it (a per-pod completion goes at once): the pod events of a
   * burst fold into one pool reconcile (status, Events, timeouts, scale) instead of one each, which would
   * take API requests and workers from the completions. 0 enqueues at once. Default: 100 ms.
   */
  podEventBatchMs?: number;
  /** prom-client registry for the controller's metrics. Default: a fresh one. */
  metricsRegistry?: Registry;
  /** Transport tuning of the API client. Default: see resolveKubeClientOptions. */
  kubeClient?: KubeClientOptions;
  /** `source.component` of the Events written. Default: `agentbox-controller`. */
  eventComponent?: string;
}

/** ControllerOptions with every default applied. */
export interface ResolvedControllerOptions {
  kubeConfig: KubeConfig;
  namespace: string | undefined;
  resolver: DigestResolver | undefined;
  resolverBackend: ResolverBackend;
  resolverCacheTtlMs: number;
  dockerConfigPath: string | undefined;
  leaderElection: ResolvedLeaderElectionOptions | undefined;
  metricsAddress: string;
  healthAddress: string;
  logger: Logger;
  clock: Clock;
  concurrency: number;
  completionConcurrency: number;
  resyncIntervalMs: number;
  drainTimeoutMs: number;
  podEventBatchMs: number;
  metricsRegistry: Registry | undefined;
  kubeClient: KubeClientOptions | undefined;
  eventComponent: string;
}

/** Applies every default of ControllerOptions, in one place. */
export function resolveControllerOptions(options: ControllerOptions): ResolvedControllerOptions {
  return {
    kubeConfig: options.kubeConfig,
    namespace: options.namespace || undefined,
    resolver: options.resolver,
    resolverBackend: options.resolverBackend ?? 'registry',
    resolverCacheTtlMs: options.resolverCacheTtlMs ?? 60_000,
    dockerConfigPath: options.dockerConfigPath || undefined,
    leaderElection: options.leaderElection?.enabled
      ? resolveLeaderElectionOptions(options.leaderElection)
      : undefined,
    metricsAddress: options.metricsAddress ?? '',
    healthAddress: options.healthAddress ?? '',
    logger: options.logger ?? createLogger(),
    clock: options.clock ?? systemClock,
    concurrency: Math.max(1, Math.floor(options.concurrency ?? 8)),
    completionConcurrency: Math.max(1, Math.floor(options.completionConcurrency ?? 32)),
    resyncIntervalMs: options.resyncIntervalMs ?? 30_000,
    drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
    podEventBatchMs: Math.max(0, options.podEventBatchMs ?? 100),
    metricsRegistry: options.metricsRegistry,
    kubeClient: options.kubeClient,
    eventComponent: options.eventComponent ?? 'agentbox-controller',
  };
}
