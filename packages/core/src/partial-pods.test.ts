// Bad input: a pod missing metadata, spec, status, labels or annotations — or holding null
// there — never causes a TypeError; every function answers from what is there or throws a typed error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PodAnnotationInPlaceUpdateStateKey, SandboxPhaseLabelKey } from './constants.js';
import { AgentboxError } from './errors/agentbox-error.js';
import { explainUpdate } from './explain-update.js';
import { getPodPhaseDuration } from './get-pod-phase-duration.js';
import { getSandboxPhase } from './get-sandbox-phase.js';
import { hasUnexpectedRestart } from './has-unexpected-restart.js';
import { isInplaceUpdateCompleted } from './is-inplace-update-completed.js';
import { markUpdateCompleted } from './mark-update-completed.js';
import type { Pod } from './ports/pod.js';
import { getInplaceUpdateState } from './state/get-inplace-update-state.js';
import { serializeInplaceUpdateState } from './state/serialize-inplace-update-state.js';
import { FakeClock, fakeDigest, InMemoryPodClient, SeededDigestResolver } from './testing/index.js';
import { triggerUpdateWithOptions } from './trigger-update-with-options.js';
import type { UpdateOptions } from './update-options.js';

const opt = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(undefined), fc.constant(null), arb);
const record = <T>(fields: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(fields, { requiredKeys: [] });

const D = fakeDigest('app:v1');
const name = opt(fc.constantFrom('sandbox', 'sidecar', ''));
const image = opt(fc.constantFrom('pause:3.10', 'app:v1', 'docker.io/library/app:v1', '', 'Not A Ref'));
const stateText = fc.oneof(
  fc.constantFrom(
    '',
    '{"phase":',
    '[]',
    'null',
    '{"phase":"completed","targetPodPhase":"running","updateTimestamp":null}',
  ),
  fc
    .record({
      phase: fc.constantFrom('starting', 'stopping', 'completed', ''),
      targetImages: fc.constantFrom(undefined, { sandbox: 'app:v1' }),
      targetPodPhase: fc.constantFrom(undefined, 'running', 'idle'),
      updateTimestamp: fc.constantFrom(undefined, new Date('2026-01-01T00:00:00Z')),
      lastContainerStatuses: fc.constantFrom(undefined, { sandbox: { containerID: 'c1' } }, { ghost: {} }),
      stableContainerStatuses: fc.constantFrom(undefined, {
        sandbox: { containerID: 'c1', restartCount: 0 },
      }),
    })
    .map((s) =>
      serializeInplaceUpdateState(
        JSON.parse(JSON.stringify(s), (k, v) => (k === 'updateTimestamp' ? new Date(v) : v)),
      ),
    ),
);
const status = record({
  name,
  image,
  imageID: opt(fc.constantFrom(`app@${D}`, D, '', 'garbage')),
  containerID: opt(fc.constantFrom('c1', 'c2', '')),
  restartCount: opt(fc.integer({ min: 0, max: 3 })),
  state: opt(record({ waiting: opt(record({ reason: opt(fc.constantFrom('ErrImagePull', '')) })) })),
});
const partialPod = record({
  metadata: opt(
    record({
      name: opt(fc.constantFrom('p', '')),
      namespace: opt(fc.constantFrom('ns', '')),
      labels: opt(
        fc.dictionary(
          fc.constantFrom(SandboxPhaseLabelKey, 'x'),
          fc.constantFrom('idle', 'starting', 'running', 'stopping', 'bogus'),
        ),
      ),
      annotations: opt(fc.dictionary(fc.constantFrom(PodAnnotationInPlaceUpdateStateKey, 'y'), stateText)),
      creationTimestamp: opt(
        fc.constantFrom(new Date('2026-01-01T00:00:00Z'), '2026-01-01T00:00:00Z', 'garbage'),
      ),
    }),
  ),
  spec: opt(
    record({
      containers: opt(fc.array(opt(record({ name, image })), { maxLength: 3 })),
      imagePullSecrets: opt(
        fc.array(opt(record({ name: opt(fc.constantFrom('regcred', '')) })), { maxLength: 2 }),
      ),
    }),
  ),
  status: opt(
    record({
      phase: opt(fc.constantFrom('Running', 'Pending', 'Failed')),
      containerStatuses: opt(fc.array(opt(status), { maxLength: 3 })),
    }),
  ),
}) as unknown as fc.Arbitrary<Pod>;

const options: fc.Arbitrary<UpdateOptions> = record({
  containerImages: fc.constantFrom<Record<string, string>>(
    { sandbox: 'app:v1' },
    { sandbox: '' },
    { other: 'x:1' },
    {},
  ),
  labels: fc.constantFrom<Record<string, string>>({ a: 'b' }, {}),
  removeAnnotations: fc.constantFrom<string[]>(['y'], []),
  targetPodPhase: fc.constantFrom('running', 'idle', ''),
  updatePodPhase: fc.constantFrom('starting', 'stopping'),
  expectedCurrentSandboxPhase: fc.constantFrom('idle', ''),
});

/** Runs `fn`; only typed agentbox errors may escape. */
async function typedOnly(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(AgentboxError);
  }
}

describe('partial pods never cause a TypeError', () => {
  const resolver = new SeededDigestResolver({ digests: { 'app:v1': D, 'pause:3.10': D } });
  const deps = { clock: new FakeClock() };

  it('the describing functions always answer', () => {
    fc.assert(
      fc.property(partialPod, (pod) => {
        expect(typeof getSandboxPhase(pod)).toBe('string');
        expect(typeof hasUnexpectedRestart(pod)).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('the deciding functions answer or throw a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(partialPod, fc.constantFrom('', 'idle', 'running', 'starting'), async (pod, phase) => {
        await typedOnly(() => getInplaceUpdateState(pod));
        await typedOnly(() => getPodPhaseDuration(pod, phase, new Date('2026-02-01T00:00:00Z')));
        await typedOnly(() => isInplaceUpdateCompleted(pod, resolver));
        await typedOnly(() => explainUpdate(pod, resolver));
      }),
      { numRuns: 500 },
    );
  });

  it('trigger and mark on a stored partial pod answer or throw a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(partialPod, options, async (pod, opts) => {
        const client = new InMemoryPodClient([pod]);
        await typedOnly(() => triggerUpdateWithOptions(client, pod, opts, deps));
        await typedOnly(() => markUpdateCompleted(client, pod, resolver, deps));
      }),
      { numRuns: 500 },
    );
  });
});
