import { laterIfCurrent, type PodChain } from './pod-chain.js';
import { type SimContainer, wait } from './sim-container.js';

/**
 * Pulls `image` for `c` as kubelet does: a success stores the digest in the node's
 * image store and hands it to `onPulled`; a failure shows as `ErrImagePull`, turns
 * into `ImagePullBackOff` after `pullBackOffMs`, and the pull is retried after a
 * back-off that doubles per attempt up to `maxPullBackOffMs`, until it succeeds or
 * the container gets a new plan.
 */
export async function pullWithBackOff(
  pod: PodChain,
  c: SimContainer,
  token: number,
  image: string,
  onPulled: (digest: string) => Promise<void>,
  attempt = 0,
): Promise<void> {
  if (token !== c.token) return;
  const { ctx } = pod;
  let digest: string;
  try {
    digest = await ctx.resolveDigest(image);
  } catch (err) {
    // The plan may have changed while the registry answered: its failure is then nobody's business.
    if (token !== c.token) return;
    wait(c, 'ErrImagePull', err instanceof Error ? err.message : String(err));
    await pod.publish();
    const backOff = Math.min(ctx.pullBackOffMs * 2 ** attempt, ctx.maxPullBackOffMs);
    laterIfCurrent(pod, c, token, ctx.pullBackOffMs, async () => {
      wait(c, 'ImagePullBackOff', `Back-off pulling image "${image}"`);
      await pod.publish();
      laterIfCurrent(pod, c, token, backOff, () =>
        pullWithBackOff(pod, c, token, image, onPulled, attempt + 1),
      );
    });
    return;
  }
  // The image is on the node now even if the plan changed: a later start finds it in the store.
  ctx.images.set(image, digest);
  await onPulled(digest);
}
