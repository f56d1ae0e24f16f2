import { isValidImage } from '../container-runtime.js';
import { laterIfCurrent, type PodChain } from './pod-chain.js';
import { pullWithBackOff } from './pull-with-back-off.js';
import { type SimContainer, wait } from './sim-container.js';

/**
 * Plans the next runtime container of `c` from the image it wants, as kubelet does:
 * an invalid name, or a missing image under `imagePullPolicy: Never`, waits for good;
 * an image in the node's store starts at once unless the policy is `Always`; anything
 * else is pulled (after `pullDelayMs`) and then started.
 */
export function startContainer(pod: PodChain, c: SimContainer): void {
  const token = ++c.token;
  const image = c.want;
  const { ctx } = pod;
  if (!isValidImage(image)) {
    wait(
      c,
      'InvalidImageName',
      `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`,
    );
    return;
  }
  const policy = pod.spec(c.name)?.imagePullPolicy ?? 'IfNotPresent';
  const stored = ctx.images.get(image);
  if (stored !== undefined && policy !== 'Always') {
    laterIfCurrent(pod, c, token, 0, () => launch(pod, c, token, image, stored));
  } else if (policy === 'Never') {
    wait(c, 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
  } else {
    laterIfCurrent(pod, c, token, ctx.pullDelayMs, () =>
      pullWithBackOff(pod, c, token, image, (digest) => launch(pod, c, token, image, digest)),
    );
  }
}

/** A new runtime container from `image`: new containerID, imageID of `digest`, restartCount +1 after the first. */
async function launch(
  pod: PodChain,
  c: SimContainer,
  token: number,
  image: string,
  digest: string,
): Promise<void> {
  // After a pull this runs past an await, not behind laterIfCurrent's check: the plan may have moved on.
  if (token !== c.token) return;
  const { ctx } = pod;
  if (c.state.terminated) c.lastState = { terminated: c.state.terminated };
  if (c.containerID) c.restartCount += 1;
  c.containerID = ctx.format.newContainerId();
  c.image = ctx.format.statusImage(image);
  c.imageID = ctx.format.imageId(image, digest);
  c.state = { running: { startedAt: new Date() } };
  c.readyAfterDelay = ctx.readyDelayMs === 0;
  if (!c.readyAfterDelay) {
    laterIfCurrent(pod, c, token, ctx.readyDelayMs, async () => {
      c.readyAfterDelay = true;
      await pod.publish();
    });
  }
  await pod.publish();
}
