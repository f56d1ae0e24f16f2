import {
  ContainerNotFoundError,
  getInplaceUpdateState,
  hasErrorCode,
  ManagedByLabelKey,
  NoIdlePodsAvailableError,
  type Pod,
  SandboxClaimedAtAnnotationKey,
  SandboxIDAnnotationKey,
  SandboxIDLabelKey,
  SandboxIdleTimeoutAnnotationKey,
  SandboxManagedAnnotationKeysAnnotationKey,
  SandboxManagedLabelKeysAnnotationKey,
  SandboxMetadataAnnotationKey,
  SandboxPhaseLabelKey,
  SandboxPoolLabelKey,
  SandboxScaleDownProtectedAnnotationKey,
  SandboxStartupTimeoutAnnotationKey,
  TargetImageRequiredError,
} from '@agentbox/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podsPath } from '../src/kube/kube-paths.js';
import { createSandboxClient } from '../src/sandbox/create-sandbox-client.js';
import { NoIdlePodsInPoolError } from '../src/sandbox/no-idle-pods-in-pool-error.js';
import { PoolNotFoundError } from '../src/sandbox/pool-not-found-error.js';
import type { SandboxClient } from '../src/sandbox/sandbox-client.js';
import { type SandboxFixture, startSandboxFixture } from './sandbox-fixture.js';

describe('SandboxClient.claim against the real kube-apiserver and the kubelet simulator', () => {
  let fx: SandboxFixture;
  let client: SandboxClient;

  beforeAll(async () => {
    fx = await startSandboxFixture('sandbox-claim');
    client = createSandboxClient({ kubeConfig: fx.kc, resolver: fx.resolver });
  });
  afterAll(async () => {
    await client?.close();
    await fx?.close();
  });

  const readPod = (name: string) => fx.kube.request<Pod>({ path: podsPath(fx.namespace, name) });

  it('claims an idle pod: starting, workload image, every claim label and annotation written', async () => {
    await fx.createPool('web', { defaultStartupTimeout: '3m0s' });
    const [idle] = await fx.createIdlePods('web', 1);
    // An old scale-down mark (outside the window) does not keep the claim away, and the claim removes it.
    idle!.metadata!.annotations = { [SandboxScaleDownProtectedAnnotationKey]: '2020-01-01T00:00:00Z' };
    await fx.kube.request({ method: 'PUT', path: podsPath(fx.namespace, idle!.metadata!.name), body: idle });

    const sandbox = await client.claim({
      namespace: fx.namespace,
      pool: 'web',
      image: fx.images.app2,
      labels: { team: 'search' },
      annotations: { 'example.com/note': 'hi' },
      metadata: { user: 'u1', b: '2' },
      idleTimeoutSeconds: 600,
    });
    expect(sandbox).toMatchObject({
      namespace: fx.namespace,
      pool: 'web',
      pod: idle!.metadata!.name,
      phase: 'starting',
      images: { main: fx.images.app2 },
    });
    expect(sandbox.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sandbox.claimedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const pod = await readPod(sandbox.pod);
    const labels = pod.metadata!.labels!;
    const annotations = pod.metadata!.annotations!;
    expect(labels[SandboxPhaseLabelKey]).toBe('starting');
    expect(labels[SandboxIDLabelKey]).toBe(sandbox.id);
    expect(labels[ManagedByLabelKey]).toBe('agentbox');
    expect(labels[SandboxPoolLabelKey]).toBe('web');
    expect(labels['team']).toBe('search');
    expect(annotations[SandboxIDAnnotationKey]).toBe(sandbox.id);
    expect(annotations[SandboxClaimedAtAnnotationKey]).toBe(sandbox.claimedAt);
    expect(annotations[SandboxStartupTimeoutAnnotationKey]).toBe('180');
    expect(annotations[SandboxIdleTimeoutAnnotationKey]).toBe('600');
    expect(annotations[SandboxMetadataAnnotationKey]).toBe('{"b":"2","user":"u1"}');
    expect(annotations[SandboxManagedLabelKeysAnnotationKey]).toBe('["team"]');
    expect(annotations[SandboxManagedAnnotationKeysAnnotationKey]).toBe('["example.com/note"]');
    expect(annotations['example.com/note']).toBe('hi');
    expect(annotations[SandboxScaleDownProtectedAnnotationKey]).toBeUndefined();
    expect(pod.spec!.containers![0]!.image).toBe(fx.images.app2);
    const state = getInplaceUpdateState(pod)!;
    expect(state.phase).toBe('starting');
    expect(state.targetPodPhase).toBe('running');
    expect(state.targetImages).toEqual({ main: fx.images.app2 });
    expect(state.lastContainerStatuses?.['main']?.containerID).toBe(
      idle!.status!.containerStatuses![0]!.containerID,
    );
  });

  it('takes the same-image fast path: straight to running, started-at set, spec untouched', async () => {
    await fx.createPool('fast');
    const [idle] = await fx.createIdlePods('fast', 1);
    const sandbox = await client.claim({ namespace: fx.namespace, pool: 'fast', image: fx.images.idle });
    expect(sandbox.phase).toBe('running');
    expect(sandbox.pod).toBe(idle!.metadata!.name);
    expect(sandbox.startedAt).toBeTruthy();
    const pod = await readPod(sandbox.pod);
    expect(getInplaceUpdateState(pod)?.phase).toBe('completed');
    expect(pod.metadata!.resourceVersion).not.toBe(idle!.metadata!.resourceVersion);
    expect(pod.spec!.containers![0]!.image).toBe(fx.images.idle);
  });

  it('uses the startup timeout of the claim over the pool default, and 120 s without either', async () => {
    await fx.createPool('timeouts');
    await fx.createIdlePods('timeouts', 2);
    const a = await client.claim({ namespace: fx.namespace, pool: 'timeouts', image: fx.images.app });
    const b = await client.claim({
      namespace: fx.namespace,
      pool: 'timeouts',
      image: fx.images.app,
      startupTimeoutSeconds: 5,
    });
    expect((await readPod(a.pod)).metadata!.annotations![SandboxStartupTimeoutAnnotationKey]).toBe('120');
    expect((await readPod(b.pod)).metadata!.annotations![SandboxStartupTimeoutAnnotationKey]).toBe('5');
  });

  it('an unknown pool is PoolNotFound', async () => {
    const err = await client
      .claim({ namespace: fx.namespace, pool: 'nope', image: fx.images.app })
      .catch((e) => e);
    expect(err).toBeInstanceOf(PoolNotFoundError);
    expect(err.code).toBe('PoolNotFound');
    expect(err.message).toContain(`${fx.namespace}/nope`);
  });

  it('validation errors surface before any write', async () => {
    await fx.createPool('valid');
    const [idle] = await fx.createIdlePods('valid', 1);
    const empty = await client.claim({ namespace: fx.namespace, pool: 'valid', image: '' }).catch((e) => e);
    expect(empty).toBeInstanceOf(TargetImageRequiredError);
    const unknown = await client
      .claim({ namespace: fx.namespace, pool: 'valid', containerImages: { nosuch: fx.images.app } })
      .catch((e) => e);
    expect(unknown).toBeInstanceOf(ContainerNotFoundError);
    const badId = await client
      .claim({ namespace: fx.namespace, pool: 'valid', image: fx.images.app, sandboxId: 'not a label' })
      .catch((e) => e);
    expect(badId.code).toBe('InvalidClaim');

    expect((await readPod(idle!.metadata!.name!)).metadata!.resourceVersion).toBe(
      idle!.metadata!.resourceVersion,
    );
  });

  it('a chosen sandbox id already in use is refused', async () => {
    await fx.createPool('dup');
    await fx.createIdlePods('dup', 2);
    const first = await client.claim({
      namespace: fx.namespace,
      pool: 'dup',
      image: fx.images.app,
      sandboxId: 'dup-1',
    });
    const taken = await client
      .claim({ namespace: fx.namespace, pool: 'dup', image: fx.images.app, sandboxId: 'dup-1' })
      .catch((e) => e);
    expect(taken.code).toBe('InvalidClaim');
    expect(taken.message).toBe(`claim: sandbox id dup-1 is already in use by pod ${first.pod}`);
    expect((await client.list({ namespace: fx.namespace, pool: 'dup' })).map((s) => s.id)).toEqual(['dup-1']);
  });

  it('no idle pod: NoIdlePodsAvailable naming the pool counts', async () => {
    await fx.createPool('busy', { replicas: 2 });
    await fx.createIdlePods('busy', 1);
    await client.claim({ namespace: fx.namespace, pool: 'busy', image: fx.images.app });
    const err = await client
      .claim({ namespace: fx.namespace, pool: 'busy', image: fx.images.app })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NoIdlePodsAvailableError);
    expect(err).toBeInstanceOf(NoIdlePodsInPoolError);
    expect(hasErrorCode(err, 'NoIdlePodsAvailable')).toBe(true);
    expect(err.counts).toMatchObject({ replicas: 2, total: 1, idle: 0, starting: 1 });
    expect(err.message).toBe(
      `no idle sandboxes available for creating: pool ${fx.namespace}/busy has 0 idle of 1 pods (replicas 2: 0 running, 1 starting, 0 stopping, 0 failed)`,
    );
  });

  it('waitForIdleMs: a waiting claim wins as soon as a pod turns idle', async () => {
    await fx.createPool('later');
    const waiting = client.claim({
      namespace: fx.namespace,
      pool: 'later',
      image: fx.images.app,
      sandboxId: 'waits-for-idle',
      waitForIdleMs: 60_000,
    });
    // Let the claim find the pool empty and start watching, then give it a pod.
    await new Promise((r) => setTimeout(r, 300));
    const [idle] = await fx.createIdlePods('later', 1);
    const sandbox = await waiting;
    expect(sandbox.id).toBe('waits-for-idle');
    expect(sandbox.pod).toBe(idle!.metadata!.name);
  });

  it('a waiting claim stops at once when its signal aborts', async () => {
    await fx.createPool('aborted');
    const ac = new AbortController();
    const waiting = client
      .claim({
        namespace: fx.namespace,
        pool: 'aborted',
        image: fx.images.app,
        waitForIdleMs: 60_000,
        signal: ac.signal,
      })
      .catch((e) => e);
    setTimeout(() => ac.abort(new Error('caller gave up')), 200);
    expect((await waiting).message).toBe('caller gave up');
  });

  it('a claimed sandbox can be read back and listed', async () => {
    await fx.createPool('listed');
    await fx.createIdlePods('listed', 2);
    const a = await client.claim({ namespace: fx.namespace, pool: 'listed', image: fx.images.app });
    expect(await client.get({ namespace: fx.namespace, sandboxId: a.id })).toMatchObject({
      id: a.id,
      pod: a.pod,
    });
    expect(await client.get({ namespace: fx.namespace, pod: a.pod })).toMatchObject({ id: a.id });
    const listed = await client.list({ namespace: fx.namespace, pool: 'listed' });
    expect(listed.map((s) => s.id)).toEqual([a.id]);
    const all = await client.list();
    expect(all.map((s) => s.id)).toContain(a.id);
    const missing = await client.get({ namespace: fx.namespace, sandboxId: 'nope' }).catch((e) => e);
    expect(missing.code).toBe('SandboxNotFound');
  });
});
