import {
  getSandboxPhase,
  isConflictError,
  type Pod,
  type PodClient,
  SandboxIDLabelKey,
  SandboxPhaseIdle,
  SandboxPhaseLabelKey,
  SandboxPhaseRunning,
  SandboxPhaseStarting,
  SandboxPoolLabelKey,
  SandboxScaleDownProtectedAnnotationKey,
  triggerUpdateWithOptions,
  UnexpectedPodPhaseError,
  type UpdateOptions,
} from '@agentbox/core';
import { createPodClient } from '../kube/create-pod-client.js';
import { isNotFoundError, KubeApiError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { podsPath } from '../kube/kube-paths.js';
import { parseKubeDuration } from '../pool/parse-kube-duration.js';
import type { SandboxPool } from '../pool/sandbox-pool.js';
import { claimImages } from './internal/claim-images.js';
import { buildClaimMetadata } from './internal/claim-metadata.js';
import { orderCandidates, protectionEndMs } from './internal/order-candidates.js';
import { readPool } from './internal/read-pool.js';
import type { SandboxContext } from './internal/sandbox-context.js';
import { isValidSandboxId, newSandboxId } from './internal/sandbox-id.js';
import { waitForPoolChange } from './internal/wait-for-pool-change.js';
import { withFirstRead } from './internal/with-first-read.js';
import { InvalidClaimError } from './invalid-claim-error.js';
import { NoIdlePodsInPoolError, type PoolPodCounts } from './no-idle-pods-in-pool-error.js';
import { type Sandbox, sandboxFromPod } from './sandbox.js';
import type { ClaimOptions } from './sandbox-client.js';

interface PodList {
  metadata?: { resourceVersion?: string };
  items?: Pod[];
}

/**
 * Claims an idle pod of a pool (CONTROLLER.md §6): reads the pool, validates the request against its
 * template, lists the pool's idle pods and tries them (Ready first, shuffled) with one unretried trigger
 * each; a lost race moves to the next. With none left it fails with the pool's counts, or, given
 * `waitForIdleMs`, waits for the pool's idle pods to change (a watch) and tries again until the deadline.
 */
export async function claim(ctx: SandboxContext, options: ClaimOptions): Promise<Sandbox> {
  const { namespace, pool: poolName, signal } = options;
  const opts = ctx.options;
  const sandboxId = options.sandboxId ?? newSandboxId();
  validateClaim(options, sandboxId);
  const kube = await ctx.kube();
  const poolKey = `${namespace}/${poolName}`;
  const pool = await ctx.claims.share(`pool ${poolKey}`, () => readPool(kube, namespace, poolName), signal);
  // Validation errors surface here, before any write.
  const containerImages = claimImages(pool, options);
  // A chosen id must not name a live sandbox already (a generated UUIDv7 cannot).
  if (options.sandboxId !== undefined) await refuseTakenId(kube, namespace, sandboxId, signal);
  const { labels, annotations } = buildClaimMetadata({
    sandboxId,
    managedBy: opts.managedBy,
    now: opts.clock.now(),
    startupTimeoutSeconds:
      options.startupTimeoutSeconds ?? poolStartupTimeoutSeconds(pool, opts.defaultStartupTimeoutSeconds),
    idleTimeoutSeconds: options.idleTimeoutSeconds,
    metadata: options.metadata,
    labels: options.labels,
    annotations: options.annotations,
  });
  const update: UpdateOptions = {
    containerImages,
    labels,
    annotations,
    removeAnnotations: [SandboxScaleDownProtectedAnnotationKey],
    targetPodPhase: SandboxPhaseRunning,
    updatePodPhase: SandboxPhaseStarting,
    expectedCurrentSandboxPhase: SandboxPhaseIdle,
    disableRetry: true,
  };
  const podClient = createPodClient(kube, { signal });
  const log = opts.logger.child({ namespace, pool: poolName, sandboxId });
  const began = Date.now();
  const deadline = began + Math.max(0, options.waitForIdleMs ?? 0);
  // Pods (at a resourceVersion) already tried and lost: not retried until they change.
  const tried = new Set<string>();

  for (;;) {
    signal?.throwIfAborted();
    const selector = `${SandboxPoolLabelKey}=${poolName},${SandboxPhaseLabelKey}=${SandboxPhaseIdle}`;
    const list = await ctx.claims.share(
      `idle ${poolKey}`,
      () => kube.request<PodList>({ path: podsPath(namespace), query: { labelSelector: selector } }),
      signal,
    );
    const items = list.items ?? [];
    const nowMs = opts.clock.now().getTime();
    const candidates = orderCandidates(items, {
      nowMs,
      protectionMs: opts.scaleDownProtectionMs,
      random: opts.random,
    }).filter((pod) => !tried.has(versionKey(pod)) && !ctx.claims.isTaken(versionKey(pod)));
    const tries = candidates.length;
    while (candidates.length > 0) {
      // Pods no sibling claim of this client is trying first; contested ones only when nothing else is left.
      const free = candidates.findIndex((p) => !ctx.claims.isContested(p.metadata?.uid ?? ''));
      const [candidate] = candidates.splice(Math.max(0, free), 1) as [Pod];
      if (ctx.claims.isTaken(versionKey(candidate))) continue;
      const uid = candidate.metadata?.uid ?? '';
      tried.add(versionKey(candidate));
      ctx.claims.startTrying(uid);
      try {
        // The listed copy is fresh enough to decide on: the PUT's resourceVersion check rejects a stale one (409).
        const stored = await triggerUpdateWithOptions(
          withFirstRead(podClient, candidate),
          candidate,
          update,
          {
            clock: opts.clock,
            signal,
          },
        );
        ctx.claims.markTaken(versionKey(candidate), Date.now());
        log.debug({ pod: stored.metadata?.name, phase: getSandboxPhase(stored) }, 'claimed');
        return sandboxFromPod(stored);
      } catch (err) {
        if (isUnansweredWrite(err)) {
          // The PUT may have been applied with its answer lost: the pod says whether it is ours.
          const ours = await ownedBy(podClient, candidate, sandboxId);
          if (ours !== undefined) {
            ctx.claims.markTaken(versionKey(candidate), Date.now());
            return sandboxFromPod(ours);
          }
        } else if (!isLostRace(err)) throw err;
        log.debug(
          { pod: candidate.metadata?.name, reason: lostReason(err) },
          'claim lost a race, next candidate',
        );
      } finally {
        ctx.claims.doneTrying(uid);
      }
    }
    // Every candidate went to another claimer: the pool may have more idle pods by now.
    if (tries > 0) continue;
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      throw await noIdlePods(
        kube,
        pool,
        namespace,
        poolName,
        Date.now() - began,
        nowMs,
        opts.scaleDownProtectionMs,
        signal,
      );
    // A protected pod becomes claimable when its window ends, without any event to say so.
    const nextProtectionEnd = Math.min(
      ...items.map((p) => protectionEndMs(p, opts.scaleDownProtectionMs) ?? Number.POSITIVE_INFINITY),
    );
    const wakeIn = Math.min(remaining, Math.max(1, nextProtectionEnd - nowMs));
    await waitForPoolChange(kube, {
      namespace,
      pool: poolName,
      resourceVersion: list.metadata?.resourceVersion,
      timeoutMs: wakeIn,
      signal,
    });
  }
}

function validateClaim(options: ClaimOptions, sandboxId: string): void {
  if (!options.namespace) throw new InvalidClaimError('claim: namespace is required');
  if (!options.pool) throw new InvalidClaimError('claim: pool is required');
  if (!isValidSandboxId(sandboxId))
    throw new InvalidClaimError(
      `claim: sandbox id ${JSON.stringify(sandboxId)} is not a label value (at most 63 letters, digits, '-', '_' or '.', alphanumeric at both ends)`,
    );
  for (const [name, value] of [
    ['idleTimeoutSeconds', options.idleTimeoutSeconds],
    ['startupTimeoutSeconds', options.startupTimeoutSeconds],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0))
      throw new InvalidClaimError(`claim: ${name} must be a whole number of seconds ≥ 0, got ${value}`);
  }
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (typeof value !== 'string')
      throw new InvalidClaimError(`claim: metadata ${JSON.stringify(key)} is not a string`);
  }
}

/** The pool's `defaultStartupTimeout` in whole seconds, else `fallback`. */
export function poolStartupTimeoutSeconds(pool: SandboxPool, fallback: number): number {
  const ms = parseKubeDuration(pool.spec?.defaultStartupTimeout);
  return ms === undefined ? fallback : Math.round(ms / 1000);
}

// 409: another writer won the PUT; UnexpectedPodPhase: the pod is no longer idle (or, on the fast path, not
// yet Running); 404: the pod was deleted (scale-down). Each only means "try another pod".
function isLostRace(err: unknown): boolean {
  return isConflictError(err) || err instanceof UnexpectedPodPhaseError || isNotFoundError(err);
}

async function refuseTakenId(
  kube: KubeClient,
  namespace: string,
  sandboxId: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const list = await kube.request<PodList>({
    path: podsPath(namespace),
    query: { labelSelector: `${SandboxIDLabelKey}=${sandboxId}` },
    signal,
  });
  const holder = list.items?.find((p) => !p.metadata?.deletionTimestamp);
  if (holder)
    throw new InvalidClaimError(
      `claim: sandbox id ${sandboxId} is already in use by pod ${holder.metadata?.name}`,
    );
}

// No answer to the PUT (status 0; the caller's own abort is re-thrown as its reason, not as this).
function isUnansweredWrite(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 0;
}

async function ownedBy(client: PodClient, pod: Pod, sandboxId: string): Promise<Pod | undefined> {
  const fresh = await client.getPod(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '');
  return fresh.metadata?.labels?.[SandboxIDLabelKey] === sandboxId ? fresh : undefined;
}

function lostReason(err: unknown): string {
  if (isUnansweredWrite(err)) return 'no answer, not applied';
  if (err instanceof UnexpectedPodPhaseError)
    return `phase ${err.actual || '<none>'}, expected ${err.expected}`;
  return isNotFoundError(err) ? 'deleted' : 'conflict';
}

function versionKey(pod: Pod): string {
  return `${pod.metadata?.uid}/${pod.metadata?.resourceVersion}`;
}

async function noIdlePods(
  kube: KubeClient,
  pool: SandboxPool,
  namespace: string,
  poolName: string,
  waitedMs: number,
  nowMs: number,
  protectionMs: number,
  signal: AbortSignal | undefined,
): Promise<NoIdlePodsInPoolError> {
  const list = await kube.request<PodList>({
    path: podsPath(namespace),
    query: { labelSelector: `${SandboxPoolLabelKey}=${poolName}` },
    signal,
  });
  const counts: PoolPodCounts = {
    replicas: pool.spec?.replicas ?? 0,
    total: 0,
    idle: 0,
    starting: 0,
    running: 0,
    stopping: 0,
    failed: 0,
    idleUnclaimable: 0,
  };
  for (const pod of list.items ?? []) {
    counts.total++;
    const phase = getSandboxPhase(pod);
    counts[phase]++;
    if (phase === SandboxPhaseIdle) {
      const end = protectionEndMs(pod, protectionMs);
      if (pod.metadata?.deletionTimestamp || (end !== undefined && nowMs < end)) counts.idleUnclaimable++;
    }
  }
  return new NoIdlePodsInPoolError(namespace, poolName, counts, waitedMs);
}
