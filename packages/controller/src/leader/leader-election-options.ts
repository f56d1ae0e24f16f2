import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AgentboxError } from '@agentbox/core';

/** Leader election on a coordination.k8s.io/v1 Lease (client-go's semantics and defaults). */
export interface LeaderElectionOptions {
  /** Default: false (every replica reconciles; run one replica only). */
  enabled: boolean;
  /** Name of the Lease. */
  leaseName: string;
  /** Namespace of the Lease. */
  leaseNamespace: string;
  /** This replica's identity in the Lease. Default: `<hostname>_<uuid>`. */
  identity?: string;
  /** How long a Lease holds without renewal; others wait this long after its last change. Default: 15000 ms. */
  leaseDurationMs?: number;
  /** The leader gives up (and stops writing) when it could not renew for this long. Default: 10000 ms. */
  renewDeadlineMs?: number;
  /** Pause between attempts to acquire or renew. Default: 2000 ms. */
  retryPeriodMs?: number;
}

/** LeaderElectionOptions with every default applied. */
export type ResolvedLeaderElectionOptions = Required<LeaderElectionOptions>;

/** Leader election options that cannot work together. */
export class InvalidLeaderElectionOptionsError extends AgentboxError {
  override readonly code = 'InvalidLeaderElectionOptions';
}

/** Applies every default of LeaderElectionOptions and checks client-go's ordering of the durations. */
export function resolveLeaderElectionOptions(options: LeaderElectionOptions): ResolvedLeaderElectionOptions {
  const resolved: ResolvedLeaderElectionOptions = {
    enabled: options.enabled,
    leaseName: options.leaseName,
    leaseNamespace: options.leaseNamespace,
    identity: options.identity ?? `${hostname()}_${randomUUID()}`,
    leaseDurationMs: options.leaseDurationMs ?? 15_000,
    renewDeadlineMs: options.renewDeadlineMs ?? 10_000,
    retryPeriodMs: options.retryPeriodMs ?? 2_000,
  };
  if (resolved.enabled && (!resolved.leaseName || !resolved.leaseNamespace))
    throw new InvalidLeaderElectionOptionsError('leader election needs leaseName and leaseNamespace');
  // Without leaseDuration > renewDeadline a deposed leader could still write after another took over.
  if (resolved.leaseDurationMs <= resolved.renewDeadlineMs)
    throw new InvalidLeaderElectionOptionsError('leaseDurationMs must be greater than renewDeadlineMs');
  if (resolved.renewDeadlineMs <= resolved.retryPeriodMs * 1.2)
    throw new InvalidLeaderElectionOptionsError('renewDeadlineMs must be greater than 1.2 × retryPeriodMs');
  if (resolved.leaseDurationMs < 1000)
    throw new InvalidLeaderElectionOptionsError(
      'leaseDurationMs must be at least 1000 (the Lease counts seconds)',
    );
  return resolved;
}
