// A sandbox's whole life on the in-memory fakes: claim (trigger), completion check, release.
// Run it: node --conditions=@agentbox/source --import tsx packages/core/examples/claim-and-release.ts
import assert from 'node:assert/strict';
import {
  explainUpdate,
  getSandboxPhase,
  isInplaceUpdateCompleted,
  markUpdateCompleted,
  type Pod,
  SandboxIDLabelKey,
  SandboxPhaseLabelKey,
  SandboxPoolLabelKey,
  triggerUpdateWithOptions,
} from '@agentbox/core';
import { FakeClock, fakeDigest, InMemoryPodClient, SeededDigestResolver } from '@agentbox/core/testing';

const PAUSE = fakeDigest('pause:3.10');
const PYTHON = fakeDigest('python:3.12');

// A warm pod of pool "demo": idle, running the pause image.
const idle: Pod = {
  metadata: {
    name: 'demo-0',
    namespace: 'sandboxes',
    labels: { [SandboxPoolLabelKey]: 'demo', [SandboxPhaseLabelKey]: 'idle' },
  },
  spec: { containers: [{ name: 'sandbox', image: 'pause:3.10' }] },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'sandbox',
        image: 'pause:3.10',
        imageID: `docker.io/library/pause@${PAUSE}`,
        containerID: 'containerd://1',
      },
    ],
  },
};
const client = new InMemoryPodClient([idle]); // in production: a PodClient on @kubernetes/client-node
const resolver = new SeededDigestResolver({ digests: { 'pause:3.10': PAUSE, 'python:3.12': PYTHON } });
const clock = new FakeClock('2026-01-01T00:00:00Z');

// kubelet's part, simulated: it replaces the container and reports the new image and container IDs, running.
function kubeletRuns(image: string, digest: string, containerID: string): Pod {
  return client.modify('sandboxes', 'demo-0', (pod) => {
    pod.status!.containerStatuses = [
      {
        name: 'sandbox',
        image,
        imageID: `docker.io/library/${image}@${digest}`,
        containerID,
        state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      },
    ];
  });
}

// 1. Claim: one write swaps the image, sets the sandbox id and moves the pod to `starting`.
const claimed = await triggerUpdateWithOptions(
  client,
  idle,
  {
    containerImages: { sandbox: 'python:3.12' },
    labels: { [SandboxIDLabelKey]: 'sb-42' },
    expectedCurrentSandboxPhase: 'idle', // another claimer got there first → UnexpectedPodPhaseError
    targetPodPhase: 'running',
    disableRetry: true, // on a conflict, move on to another idle pod instead
  },
  { clock },
);
assert.equal(getSandboxPhase(claimed), 'starting');

// 2. Completion: not yet — kubelet still runs the old container.
assert.equal(await isInplaceUpdateCompleted(claimed, resolver), false);
const [pending] = (await explainUpdate(claimed, resolver)).containers;
assert.equal(pending?.reason, 'ContainerIDUnchanged');

// Once kubelet has replaced it, the controller completes the transition in one write.
clock.advance(3_000);
const started = kubeletRuns('python:3.12', PYTHON, 'containerd://2');
assert.equal(await isInplaceUpdateCompleted(started, resolver), true);
const running = await markUpdateCompleted(client, started, resolver, { clock });
assert.equal(getSandboxPhase(running), 'running');
assert.equal(running?.metadata?.annotations?.['agentbox.navix.sh/started-at'], '2026-01-01T00:00:03Z');

// 3. Release: back to the idle image (`stopping`), then `idle` with the sandbox identity cleaned.
const stopping = await triggerUpdateWithOptions(
  client,
  running!,
  { containerImages: { sandbox: 'pause:3.10' }, updatePodPhase: 'stopping', targetPodPhase: 'idle' },
  { clock },
);
assert.equal(getSandboxPhase(stopping), 'stopping');
const idleAgain = await markUpdateCompleted(
  client,
  kubeletRuns('pause:3.10', PAUSE, 'containerd://3'),
  resolver,
  { clock },
);
assert.equal(getSandboxPhase(idleAgain), 'idle');
assert.equal(idleAgain?.metadata?.labels?.[SandboxIDLabelKey], undefined);

// A second completion attempt is a no-op, and says so.
assert.equal(await markUpdateCompleted(client, idleAgain!, resolver, { clock }), undefined);
console.log(`demo-0: idle → starting → running → stopping → idle in ${client.writes} writes`);
