import { isValidImage } from '../container-runtime.js';
import { recordContainerStarted } from './node-runtime.js';
import { laterIfCurrent, type PodChain } from './pod-chain.js';
import { pullWithBackOff } from './pull-with-back-off.js';
import { type SimContainer, wait } from './sim-container.js';

/**
 * Plans the next runtime container of `c` from the image it wants, as kubelet does:
 * an invalid name, or a missing image under `imagePullPolicy: Never`, waits for good;
 * an image in the node's store starts at once unless the policy is `Always`; anything
 * else is pulled (after `pullDelayMs`) and then started.
 */
export function startContainer(pod: PodChain, c: SimContainer, specChanged = false): void {
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
  if (inCrashBackOff(pod, c, token, image, specChanged)) return;
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

/**
 * kubelet's doBackOff: it looks at the newest exited container of this name — for a start
 * after an image change, the one before the container killed in that same sync — and a start
 * of the same container + image within that key's back-off waits in `CrashLoopBackOff` (and
 * retries when it ends); otherwise the start goes ahead and the key's back-off is set (first
 * `crashLoopBackOffMs`, then doubled, forgotten after twice the cap without starts). So the
 * first crash restarts at once and the second waits, and flip-flopping A→B→A→B waits on the
 * fourth swap. True when the start must wait.
 */
function inCrashBackOff(
  pod: PodChain,
  c: SimContainer,
  token: number,
  image: string,
  specChanged: boolean,
): boolean {
  const { ctx } = pod;
  const exited = specChanged
    ? c.lastState.terminated?.finishedAt
    : (c.state.terminated?.finishedAt ?? c.lastState.terminated?.finishedAt);
  if (ctx.crashLoopBackOffMs <= 0 || c.containerID === '' || exited === undefined) return false;
  const key = `${pod.uid}/${c.name}/${image}`;
  const now = Date.now();
  const since = now - new Date(exited).getTime();
  const entry = ctx.crashBackOff.get(key);
  const expired = entry !== undefined && now - entry.lastUpdate > 2 * ctx.maxCrashLoopBackOffMs;
  if (entry !== undefined && !expired && since < entry.backOffMs) {
    wait(
      c,
      'CrashLoopBackOff',
      `back-off ${Math.round(entry.backOffMs / 1000)}s restarting failed container=${c.name} pod=${pod.uid ?? ''}`,
    );
    laterIfCurrent(pod, c, token, 0, () => pod.publish());
    laterIfCurrent(pod, c, token, entry.backOffMs - since, () => startContainer(pod, c));
    return true;
  }
  const backOffMs =
    entry === undefined || expired
      ? ctx.crashLoopBackOffMs
      : Math.min(entry.backOffMs * 2, ctx.maxCrashLoopBackOffMs);
  ctx.crashBackOff.set(key, { backOffMs, lastUpdate: now });
  return false;
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
  recordContainerStarted(ctx.nodeName, c.containerID, image);
  const own = { image: ctx.format.statusImage(image), imageID: ctx.format.imageId(image, digest) };
  // containerd reports the image record of the content: the first name it was pulled under.
  let record = ctx.imageRecords?.get(digest);
  if (record === undefined) {
    record = own;
    ctx.imageRecords?.set(digest, own);
  }
  c.image = record.image;
  c.imageID = record.imageID;
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
