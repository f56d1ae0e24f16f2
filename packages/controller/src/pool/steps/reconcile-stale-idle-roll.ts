import { SandboxPhaseIdle, SandboxPhaseStopping, triggerUpdateWithOptions } from '@agentbox/core';
import { chooseStaleIdle } from '../choose-stale-idle.js';
import { logTransition, noteWriteError } from '../internal/pod-writes.js';
import { protectAndDelete } from '../internal/protect-and-delete.js';
import { beforeWrite, type ReconcileContext, replaceWorking } from '../internal/reconcile-context.js';
import { maxUnavailableOf } from '../max-unavailable.js';
import { effectiveIdleImage, onlyIdleImageChanged, type TemplateHash } from '../template-hash.js';
import { TemplateHashLabelKey } from '../template-hash-label.js';
import { expectationsSatisfied } from './reconcile-scale.js';

/**
 * The stale idle roll (controller contract §5): idle pods whose template-hash label is not the pool's are
 * replaced oldest first (NotReady ones first), at most `maxUnavailable` at a time counting the pods already
 * away (deleting, still to be created, switching, not Ready). When only the idle image changed, the pod is
 * switched in place — a trigger of container 0 to the new idle image with target `idle` through `stopping`
 * — instead of recreated. Running sandboxes are never touched.
 */
export async function reconcileStaleIdleRoll(
  ctx: ReconcileContext,
  hash: TemplateHash,
  deleting: number,
): Promise<void> {
  if (ctx.created > 0 || ctx.deleted > 0 || !expectationsSatisfied(ctx)) return;
  const replicas = Math.max(0, ctx.pool?.spec?.replicas ?? 0);
  const pending = ctx.pendingAtSnapshot;
  const missing = Math.max(0, replicas - ctx.working.length);
  const inFlight = deleting + pending.deletes + Math.max(missing, pending.creates);
  const max = maxUnavailableOf(ctx.pool?.spec?.maxUnavailable, replicas);
  const plan = chooseStaleIdle(ctx.working, hash.value, max, inFlight, (p) =>
    ctx.invalid.has(p.metadata?.name ?? ''),
  );
  for (const pod of plan.replace) {
    const label = pod.metadata?.labels?.[TemplateHashLabelKey];
    try {
      if (onlyIdleImageChanged(label, hash)) {
        const first = pod.spec?.containers?.[0]?.name;
        const image = effectiveIdleImage(ctx.pool!);
        if (!first || !image) continue;
        beforeWrite(ctx);
        const stored = await triggerUpdateWithOptions(
          ctx.podClient,
          pod,
          {
            containerImages: { [first]: image },
            labels: { [TemplateHashLabelKey]: hash.value },
            targetPodPhase: SandboxPhaseIdle,
            updatePodPhase: SandboxPhaseStopping,
            expectedCurrentSandboxPhase: SandboxPhaseIdle,
            disableRetry: true,
          },
          { clock: ctx.clock, signal: ctx.signal },
        );
        replaceWorking(ctx, stored);
        logTransition(ctx, pod, 'idle_image_switched', undefined, { image });
      } else if (await protectAndDelete(ctx, pod)) {
        logTransition(ctx, pod, 'stale_idle_deleted', undefined, { templateHash: label });
      }
    } catch (err) {
      noteWriteError(ctx, pod, 'roll a stale idle pod', err);
    }
  }
}
