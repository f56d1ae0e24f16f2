import { isConflictError } from '@agentbox/core';
import { InMemoryPodClient } from '@agentbox/core/testing';
import { describe, expect, it } from 'vitest';
import type { SandboxPool } from '../pool/sandbox-pool.js';
import { releasePod, releaseUpdate } from './release-pod.js';

const p = 'agentbox.navix.sh/';
const now = new Date('2026-03-04T05:06:07.890Z');
const pool: SandboxPool = {
  spec: {
    replicas: 1,
    idleImage: 'pause:3.10',
    template: {
      spec: {
        containers: [
          { name: 'main', image: 'app:v1' },
          { name: 'side', image: 'envoy:1' },
        ],
      },
    },
  },
};
const claimed = (mainImage: string) => ({
  metadata: {
    name: 'pod-a',
    namespace: 'ns',
    labels: {
      [`${p}sandbox-phase`]: 'running',
      [`${p}sandbox-id`]: 'sb',
      [`${p}managed-by`]: 'agentbox',
      team: 't',
    },
    annotations: {
      [`${p}managed-label-keys`]: '["team"]',
      [`${p}managed-annotation-keys`]: '["x.io/n"]',
      'x.io/n': '1',
      [`${p}idle-timeout`]: '60',
    },
  },
  spec: {
    containers: [
      { name: 'main', image: mainImage },
      { name: 'side', image: 'envoy:1' },
    ],
  },
  status: { containerStatuses: [{ name: 'main', containerID: 'containerd://abc' }] },
});

describe('releaseUpdate', () => {
  it('a running sandbox: idle images for the changed containers, stop record, claim keys removed', () => {
    const update = releaseUpdate(claimed('app:v2'), pool, 'running', {}, now);
    expect(update).toEqual({
      containerImages: { main: 'pause:3.10' },
      annotations: {
        [`${p}stop-reason`]: 'Completed',
        [`${p}terminated-at`]: '2026-03-04T05:06:07Z',
        [`${p}running-images`]: '{"main":"app:v2","side":"envoy:1"}',
        [`${p}container-id`]: 'containerd://abc',
      },
      removeLabels: ['team', `${p}managed-by`],
      removeAnnotations: [
        'x.io/n',
        `${p}managed-label-keys`,
        `${p}managed-annotation-keys`,
        `${p}idle-timeout`,
        `${p}last-active`,
        `${p}scale-down-protected`,
      ],
      targetPodPhase: 'idle',
      updatePodPhase: 'stopping',
      expectedCurrentSandboxPhase: 'running',
      disableRetry: true,
    });
  });

  it('starting → Canceled; a given reason and the failure record win', () => {
    expect(releaseUpdate(claimed('app:v2'), pool, 'starting', {}, now).annotations?.[`${p}stop-reason`]).toBe(
      'Canceled',
    );
    const timeout = releaseUpdate(
      claimed('app:v2'),
      pool,
      'starting',
      {
        stopReason: 'Released',
        failureReason: 'StartupTimeout',
        failureMessage: 'ImagePullBackOff: x',
        exitCode: 137,
      },
      now,
    );
    expect(timeout.annotations).toMatchObject({
      [`${p}stop-reason`]: 'Released',
      [`${p}failure-reason`]: 'StartupTimeout',
      [`${p}failure-message`]: 'ImagePullBackOff: x',
      [`${p}exit-code`]: '137',
    });
  });

  it('a sandbox already at the idle images (fast path) goes to idle with its identity removed, no image change', () => {
    const update = releaseUpdate(claimed('docker.io/library/pause:3.10'), pool, 'running', {}, now);
    expect(update.containerImages).toBeUndefined();
    expect(update.updatePodPhase).toBeUndefined();
    expect(update.targetPodPhase).toBe('idle');
    expect(update.removeLabels).toContain(`${p}sandbox-id`);
    expect(update.removeAnnotations).toEqual(
      expect.arrayContaining([`${p}sandbox-id`, `${p}claimed-at`, `${p}stop-reason`]),
    );
    expect(update.annotations?.[`${p}inplace-update-state`]).toBe(
      '{"phase":"completed","targetPodPhase":"idle","updateTimestamp":"2026-03-04T05:06:07Z"}',
    );
  });
});

describe('releasePod', () => {
  const stored = () =>
    new InMemoryPodClient([
      { ...claimed('app:v2'), status: { phase: 'Running', ...claimed('app:v2').status } },
    ]);
  const clock = { now: () => now };

  it('writes the release once; a lost race re-reads and decides again', async () => {
    const client = stored();
    client.injectConflicts(2);
    const result = await releasePod(client, { metadata: { namespace: 'ns', name: 'pod-a' } }, pool, {
      clock,
    });
    expect(result.released).toBe(true);
    expect(client.writes).toBe(1);
    expect(result.pod.metadata?.labels?.[`${p}sandbox-phase`]).toBe('stopping');
    expect(result.pod.spec?.containers?.[0]?.image).toBe('pause:3.10');
  });

  it('a pod released by another writer meanwhile is not released twice (T8)', async () => {
    const client = stored();
    client.injectConflicts(1, (pod) => {
      pod.metadata!.labels![`${p}sandbox-phase`] = 'stopping';
    });
    const result = await releasePod(client, { metadata: { namespace: 'ns', name: 'pod-a' } }, pool, {
      clock,
    });
    expect(result.released).toBe(false);
    expect(client.writes).toBe(0);
  });

  it('writes nothing outside the expected phase or for another sandbox id', async () => {
    const client = stored();
    const ref = { metadata: { namespace: 'ns', name: 'pod-a' } };
    expect((await releasePod(client, ref, pool, { expectedPhase: 'starting' })).released).toBe(false);
    expect((await releasePod(client, ref, pool, { sandboxId: 'other' })).released).toBe(false);
    expect(client.writes).toBe(0);
  });

  it('gives up after its attempts with the conflict', async () => {
    const client = stored();
    client.injectConflicts(10);
    const err = await releasePod(client, { metadata: { namespace: 'ns', name: 'pod-a' } }, pool, {
      attempts: 3,
    }).catch((e) => e);
    expect(isConflictError(err)).toBe(true);
    expect(client.replaceAttempts).toBe(3);
  });
});
