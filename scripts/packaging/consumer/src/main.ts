// What a new user writes after `npm install @agentbox/core @agentbox/resolver-registry
// @agentbox/resolver-cache`: an ES module consumer, typechecked with nodenext and strict.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  getSandboxPhase,
  markUpdateCompleted,
  type Pod,
  parseImageReference,
  SandboxIDLabelKey,
  SandboxPhaseLabelKey,
  triggerUpdateWithOptions,
} from '@agentbox/core';
import { FakeClock, fakeDigest, InMemoryPodClient, SeededDigestResolver } from '@agentbox/core/testing';
import { withCache } from '@agentbox/resolver-cache';
import { createRegistryResolver, DEFAULT_USER_AGENT } from '@agentbox/resolver-registry';

// Parse a reference.
assert.deepEqual(parseImageReference('python:3.12'), {
  name: 'docker.io/library/python',
  registry: 'docker.io',
  repository: 'library/python',
  tag: '3.12',
});

// Claim, complete and release with the testing fakes.
const PAUSE = fakeDigest('pause:3.10');
const PYTHON = fakeDigest('python:3.12');
const idle: Pod = {
  metadata: { name: 'demo-0', namespace: 'sandboxes', labels: { [SandboxPhaseLabelKey]: 'idle' } },
  spec: { containers: [{ name: 'sandbox', image: 'pause:3.10' }] },
  status: {
    phase: 'Running',
    containerStatuses: [
      { name: 'sandbox', image: 'pause:3.10', imageID: `pause@${PAUSE}`, containerID: 'containerd://1' },
    ],
  },
};
const client = new InMemoryPodClient([idle]);
const seeded = new SeededDigestResolver({ digests: { 'pause:3.10': PAUSE, 'python:3.12': PYTHON } });
const clock = new FakeClock('2026-01-01T00:00:00Z');
const kubeletRuns = (image: string, digest: string, containerID: string): Pod =>
  client.modify('sandboxes', 'demo-0', (pod) => {
    pod.status!.containerStatuses = [
      {
        name: 'sandbox',
        image,
        imageID: `${image}@${digest}`,
        containerID,
        state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      },
    ];
  });

const claimed = await triggerUpdateWithOptions(
  client,
  idle,
  {
    containerImages: { sandbox: 'python:3.12' },
    labels: { [SandboxIDLabelKey]: 'sb-1' },
    expectedCurrentSandboxPhase: 'idle',
    targetPodPhase: 'running',
  },
  { clock },
);
assert.equal(getSandboxPhase(claimed), 'starting');
const running = await markUpdateCompleted(
  client,
  kubeletRuns('python:3.12', PYTHON, 'containerd://2'),
  seeded,
  {
    clock,
  },
);
assert.equal(getSandboxPhase(running), 'running');
await triggerUpdateWithOptions(
  client,
  running!,
  { containerImages: { sandbox: 'pause:3.10' }, updatePodPhase: 'stopping', targetPodPhase: 'idle' },
  { clock },
);
const released = await markUpdateCompleted(
  client,
  kubeletRuns('pause:3.10', PAUSE, 'containerd://3'),
  seeded,
  {
    clock,
  },
);
assert.equal(getSandboxPhase(released), 'idle');
assert.equal(released?.metadata?.labels?.[SandboxIDLabelKey], undefined);

// Build a cached resolver; a pinned reference resolves without network.
const registry = createRegistryResolver();
const cached = withCache(registry);
const pinned = `registry.example/app@${PYTHON}`;
assert.equal(await cached.resolve(pinned), PYTHON);
assert.equal(cached.digestFromStatus('app', `docker-pullable://app@${PYTHON}`), PYTHON);
await registry.close();

// The user agent follows the installed version.
const require = createRequire(import.meta.url);
const manifest = JSON.parse(
  readFileSync(require.resolve('@agentbox/resolver-registry/package.json'), 'utf8'),
);
assert.equal(DEFAULT_USER_AGENT, `agentbox-resolver-registry/${manifest.version}`);

console.log('esm consumer: ok');
