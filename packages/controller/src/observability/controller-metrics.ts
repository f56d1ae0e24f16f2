/** Transitions whose duration is measured (from the state's updateTimestamp to the completing write). */
export type MeasuredTransition = 'idle_to_running' | 'starting_to_running' | 'stopping_to_idle';

/**
 * The controller's Prometheus metrics (names in the controller's contract; no per-pod labels). The reconcile
 * and the manager call these; the implementation owns the prom-client registry.
 */
export interface ControllerMetrics {
  /** `agentbox_pool_sandboxes{namespace,pool,phase}` and `agentbox_pool_replicas_desired{namespace,pool}`. */
  setPoolCounts(
    namespace: string,
    pool: string,
    counts: Readonly<Record<string, number>>,
    desired: number,
  ): void;
  /** Drops the gauges of a deleted pool. */
  deletePool(namespace: string, pool: string): void;
  /** `agentbox_transition_duration_seconds{namespace,pool,transition}`. */
  observeTransition(namespace: string, pool: string, transition: MeasuredTransition, seconds: number): void;
  /** Remembers when a pod's watch event arrived (for `agentbox_reaction_seconds`). */
  notePodEvent(podKey: string): void;
  /** Observes `agentbox_reaction_seconds` from the pod's last noted event to now (a completing write was acknowledged). */
  observeReaction(podKey: string): void;
  /** `agentbox_reconcile_total{result}` (`success|error|requeue`) and `agentbox_reconcile_duration_seconds`. */
  observeReconcile(result: 'success' | 'error' | 'requeue', seconds: number): void;
  /** `agentbox_workqueue_depth`. */
  setQueueDepth(depth: number): void;
  /** `agentbox_workqueue_retries_total`. */
  incQueueRetries(): void;
  /** `agentbox_resolver_requests_total{result}` (`hit|miss|error`), fed by the resolver cache's events. */
  incResolverRequests(result: 'hit' | 'miss' | 'error'): void;
  /** `agentbox_releases_total{namespace,pool,reason}`. */
  incReleases(namespace: string, pool: string, reason: string): void;
  /** `agentbox_leader` (0/1). */
  setLeader(isLeader: boolean): void;
}
