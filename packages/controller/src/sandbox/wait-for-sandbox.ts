import {
  explainUpdate,
  getSandboxPhase,
  type Pod,
  SandboxFailureMessageAnnotationKey,
  SandboxFailureReasonAnnotationKey,
  SandboxIDLabelKey,
  SandboxPhaseFailed,
  SandboxPhaseIdle,
  SandboxPhaseRunning,
  SandboxPhaseStarting,
  SandboxStopReasonAnnotationKey,
  type UpdateExplanation,
} from '@agentbox/core';
import { isNotFoundError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { podsPath } from '../kube/kube-paths.js';
import { summarizeExplanation } from './explanation-summary.js';
import { findSandboxPod } from './internal/find-sandbox-pod.js';
import { formatGoDuration } from './internal/go-duration.js';
import type { SandboxContext } from './internal/sandbox-context.js';
import { type Sandbox, type SandboxRef, sandboxFromPod } from './sandbox.js';
import type { WaitOptions, WaitPhase } from './sandbox-client.js';
import { SandboxNotFoundError } from './sandbox-not-found-error.js';
import { SandboxStoppedError } from './sandbox-stopped-error.js';
import { WaitTimeoutError } from './wait-timeout-error.js';

/** Longest time spent reading and explaining a timed-out wait (the resolver may be slow or unreachable). */
const EXPLAIN_ON_TIMEOUT_MS = 5_000;

/** Lifetime of one watch request before it is renewed from the last resourceVersion. */
const WATCH_RESTART_MS = 30_000;

type Verdict = { done: Sandbox } | { fail: Error } | undefined;

/**
 * Waits until a sandbox reaches `phase`, watching its pod (a watch with a field selector on the pod's name
 * from the resourceVersion of a fresh read, so no change is missed; not polling). Reports every change to
 * `onProgress`. Resolves with the sandbox; rejects with WaitTimeoutError (carrying the last explanation) when
 * time runs out, SandboxStoppedError when it can no longer get there (released or failed while waiting for
 * running, deleted), or the signal's reason.
 */
export async function waitForSandbox(
  ctx: SandboxContext,
  ref: SandboxRef,
  options: WaitOptions,
): Promise<Sandbox> {
  const { signal } = options;
  const began = performance.now();
  const kube = await ctx.kube();
  let pod: Pod;
  try {
    pod = await findSandboxPod(kube, ref, signal);
  } catch (err) {
    // Like `kubectl wait --for=delete`: a sandbox id no pod carries any more is released.
    if (options.phase === 'released' && 'sandboxId' in ref && err instanceof SandboxNotFoundError)
      return {
        id: ref.sandboxId,
        namespace: ref.namespace,
        pool: '',
        pod: '',
        phase: SandboxPhaseIdle,
        images: {},
      };
    throw err;
  }
  const name = pod.metadata?.name ?? '';
  const namespace = ref.namespace;
  let sandboxId = 'sandboxId' in ref ? ref.sandboxId : (pod.metadata?.labels?.[SandboxIDLabelKey] ?? '');
  let lastSandbox = sandboxFromPod(pod);

  const stop = new AbortController();
  let verdict: Verdict;
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      stop.abort();
    },
    Math.max(0, options.timeoutMs),
  );
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });

  let progress: Promise<void> = Promise.resolve();
  const report = (current: Pod | undefined) => {
    if (!options.onProgress) return;
    const phase = current === undefined ? 'deleted' : getSandboxPhase(current);
    const elapsedMs = performance.now() - began;
    const onProgress = options.onProgress;
    progress = progress.then(async () => {
      let explanation: UpdateExplanation | undefined;
      if (options.explain && current !== undefined) explanation = await explainQuietly(ctx, current, signal);
      try {
        onProgress(explanation ? { phase, elapsedMs, explanation } : { phase, elapsedMs });
      } catch {
        // A throwing progress callback must not break the wait.
      }
    });
  };
  const observe = (current: Pod | undefined) => {
    if (current !== undefined) {
      pod = current;
      lastSandbox = sandboxFromPod(current);
      // A wait on an unclaimed pod (by name) follows the first sandbox that claims it.
      if (sandboxId === '' && lastSandbox.id !== '') sandboxId = lastSandbox.id;
    }
    report(current);
    verdict = decide(options.phase, current, lastSandbox, sandboxId, name);
    if (verdict !== undefined) stop.abort();
  };

  try {
    observe(pod);
    let resourceVersion = pod.metadata?.resourceVersion;
    while (verdict === undefined && !stop.signal.aborted) {
      let expired = false;
      // Each watch is restarted from the last resourceVersion after WATCH_RESTART_MS, so a stream that went
      // silent (a half-dead connection) costs at most that long.
      const attempt = new AbortController();
      const endAttempt = () => attempt.abort();
      stop.signal.addEventListener('abort', endAttempt, { once: true });
      const restart = setTimeout(endAttempt, WATCH_RESTART_MS);
      try {
        await kube.watch({
          path: podsPath(namespace),
          query: {
            fieldSelector: `metadata.name=${name}`,
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: Math.ceil(WATCH_RESTART_MS / 1000),
          },
          signal: attempt.signal,
          onEvent: (event) => {
            if (verdict !== undefined) return;
            const object = event.object as Pod;
            if (event.type === 'ERROR') {
              expired = true;
              return;
            }
            if (object?.metadata?.resourceVersion) resourceVersion = object.metadata.resourceVersion;
            if (event.type === 'ADDED' || event.type === 'MODIFIED') observe(object);
            else if (event.type === 'DELETED') observe(undefined);
          },
        });
      } catch {
        // The watch failed (the API server restarting, a dropped connection): read again and watch on.
        expired = true;
        await pause(200, stop.signal);
      } finally {
        clearTimeout(restart);
        stop.signal.removeEventListener('abort', endAttempt);
      }
      if (expired && verdict === undefined && !stop.signal.aborted) {
        try {
          const fresh = await readPod(kube, namespace, name, stop.signal);
          resourceVersion = fresh?.metadata?.resourceVersion;
          if (fresh === undefined || fresh.metadata?.resourceVersion !== pod.metadata?.resourceVersion)
            observe(fresh);
        } catch {
          // Still unreachable: watch again from the last resourceVersion (a 410 brings us back here).
          await pause(500, stop.signal);
        }
      }
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  await progress;
  if (verdict !== undefined) {
    if ('done' in verdict) return verdict.done;
    throw verdict.fail;
  }
  signal?.throwIfAborted();
  if (!timedOut) throw new Error('wait ended without a verdict');
  // One last read: the phase may have been reached in the moment the watch could not report it.
  const last = await readPod(kube, namespace, name, AbortSignal.timeout(EXPLAIN_ON_TIMEOUT_MS)).catch(
    () => pod,
  );
  const final = decide(options.phase, last, lastSandbox, sandboxId, name);
  if (final !== undefined) {
    if ('done' in final) return final.done;
    throw final.fail;
  }
  if (last !== undefined) pod = last;
  const explanation = await explainQuietly(ctx, pod, AbortSignal.timeout(EXPLAIN_ON_TIMEOUT_MS));
  throw new WaitTimeoutError({
    sandboxId: sandboxId || lastSandbox.id,
    pod: name,
    waitedFor: options.phase,
    phase: getSandboxPhase(pod),
    timeoutMs: options.timeoutMs,
    timeoutText: formatGoDuration(options.timeoutMs),
    explanation,
    summary: explanation ? summarizeExplanation(explanation) : undefined,
  });
}

/** Whether the pod (undefined: deleted) has reached the wanted phase, can no longer reach it, or neither yet. */
export function decide(
  want: WaitPhase,
  pod: Pod | undefined,
  last: Sandbox,
  sandboxId: string,
  podName: string,
): Verdict {
  const stopped = (phase: string, from?: Pod) => {
    const annotations = from?.metadata?.annotations ?? {};
    return {
      fail: new SandboxStoppedError({
        sandboxId,
        pod: podName,
        waitedFor: want,
        phase,
        stopReason: annotations[SandboxStopReasonAnnotationKey],
        failureReason:
          annotations[SandboxFailureReasonAnnotationKey] ??
          (phase === SandboxPhaseFailed ? from?.status?.reason : undefined),
        failureMessage:
          annotations[SandboxFailureMessageAnnotationKey] ??
          (phase === SandboxPhaseFailed ? from?.status?.message : undefined),
      }),
    };
  };
  if (pod === undefined) return want === 'released' ? { done: last } : stopped('deleted');
  const phase = getSandboxPhase(pod);
  const id = pod.metadata?.labels?.[SandboxIDLabelKey] ?? '';
  const sandbox = sandboxFromPod(pod);
  if (want === 'released') {
    return (sandboxId !== '' && id !== sandboxId) || phase === SandboxPhaseIdle
      ? { done: sandbox }
      : undefined;
  }
  if (want === 'idle') {
    if (phase === SandboxPhaseIdle) return { done: sandbox };
    return phase === SandboxPhaseFailed ? stopped(phase, pod) : undefined;
  }
  // running
  if (sandboxId === '' && phase === SandboxPhaseIdle) return undefined;
  if (id !== sandboxId) return stopped(phase === SandboxPhaseIdle ? SandboxPhaseIdle : 'reclaimed', pod);
  if (phase === SandboxPhaseRunning) return { done: sandbox };
  if (phase === SandboxPhaseStarting) return undefined;
  return stopped(phase, pod);
}

async function readPod(
  kube: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<Pod | undefined> {
  try {
    return await kube.request<Pod>({ path: podsPath(namespace, name), signal });
  } catch (err) {
    if (isNotFoundError(err)) return undefined;
    throw err;
  }
}

async function explainQuietly(
  ctx: SandboxContext,
  pod: Pod,
  signal?: AbortSignal,
): Promise<UpdateExplanation | undefined> {
  try {
    return await explainUpdate(pod, await ctx.resolver(), { signal });
  } catch {
    // A malformed state or an aborted resolve leaves the report without an explanation.
    return undefined;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
