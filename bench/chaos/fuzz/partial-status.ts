import type { PodStatus } from '@agentbox/core';
import type { seededRandom } from '../random.js';
import { hostileImageID, hostileImageReference } from './hostile-image-reference.js';

type Random = ReturnType<typeof seededRandom>;

const time = (rnd: Random) =>
  new Date(Date.now() - rnd.int(0, 7_200_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A partial pod status as a kubelet (or a broken one) could write it through the status subresource: phase
 * alone or missing, no or empty containerStatuses, statuses for containers the spec does not have (or
 * missing some it has), empty imageIDs, waiting and terminated states mixed, lastState OOMKilled, odd restart
 * counts, Ready conditions that contradict the states. Undefined for a pod whose status is left alone.
 */
export function partialStatus(
  rnd: Random,
  containers: { name: string; image: string }[],
  port: number,
): PodStatus | undefined {
  if (rnd.next() < 0.25) return undefined;
  const status: Record<string, unknown> = {};
  if (rnd.next() < 0.85)
    status['phase'] = rnd.pick(['Pending', 'Running', 'Running', 'Failed', 'Succeeded', 'Unknown']);
  if (status['phase'] === 'Failed' && rnd.next() < 0.7) {
    status['reason'] = rnd.pick(['Evicted', 'OOMKilled', '', 'ü'.repeat(10)]);
    status['message'] = rnd.pick(['The node was low on resource: memory.', '', 'x'.repeat(2_000)]);
  }
  if (rnd.next() < 0.6) {
    status['conditions'] = [
      { type: 'Ready', status: rnd.pick(['True', 'False', 'Unknown']) },
      ...(rnd.next() < 0.3 ? [{ type: 'ContainersReady', status: 'True' }] : []),
    ];
  }
  const shape = rnd.weighted({ absent: 2, empty: 1, matching: 5, mismatched: 2, duplicate: 0.5 });
  if (shape === 'absent') return status as PodStatus;
  if (shape === 'empty') return { ...status, containerStatuses: [] } as PodStatus;
  const names = containers.map((c) => c.name);
  let targets = shape === 'mismatched' ? names.map((n) => rnd.pick([`${n}-x`, 'ghost', n]) as string) : names;
  if (shape === 'mismatched' && rnd.next() < 0.5) targets = targets.slice(0, -1);
  if (shape === 'duplicate') targets = [...names, names[0] ?? 'main'];
  status['containerStatuses'] = targets.map((name) => {
    const spec = containers.find((c) => c.name === name);
    const image = rnd.next() < 0.7 && spec ? spec.image : hostileImageReference(rnd, port);
    const cs: Record<string, unknown> = {
      name,
      image,
      imageID: hostileImageID(rnd, port, image),
      ready: rnd.next() < 0.5,
      restartCount: rnd.pick([0, 0, 1, 5, 2147483647]),
    };
    if (rnd.next() < 0.8)
      cs['containerID'] = rnd.pick(['', 'containerd://abc', `containerd://${rnd.int(0, 1e9)}`, 'x']);
    if (rnd.next() < 0.5) cs['started'] = rnd.next() < 0.5;
    const states = {
      running: { startedAt: time(rnd) },
      waiting: {
        reason: rnd.pick(['ImagePullBackOff', 'ErrImagePull', 'ContainerCreating', '', 'CrashLoopBackOff']),
        message: rnd.pick(['', 'Back-off pulling image', 'x'.repeat(3_000)]),
      },
      terminated: {
        exitCode: rnd.pick([0, 1, 137, -1, 255]),
        reason: rnd.pick(['OOMKilled', 'Error', 'Completed', '']),
        startedAt: time(rnd),
        finishedAt: time(rnd),
      },
    };
    const kind = rnd.weighted({ none: 1, empty: 1, running: 3, waiting: 2, terminated: 1, mixed: 1 });
    if (kind === 'empty') cs['state'] = {};
    else if (kind === 'mixed') cs['state'] = { waiting: states.waiting, terminated: states.terminated };
    else if (kind !== 'none') cs['state'] = { [kind]: states[kind] };
    if (rnd.next() < 0.3)
      cs['lastState'] = {
        terminated: { ...states.terminated, reason: rnd.pick(['OOMKilled', 'Error', '']) },
      };
    return cs;
  });
  return status as PodStatus;
}
