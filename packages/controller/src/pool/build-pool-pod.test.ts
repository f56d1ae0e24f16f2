import { describe, expect, it } from 'vitest';
import { buildPoolPod } from './build-pool-pod.js';
import { firstPendingReason } from './first-pending-reason.js';
import { testPool } from './internal/test-pods.js';
import { templateHashOf } from './template-hash.js';

describe('buildPoolPod', () => {
  it('builds an idle pod from the template with the idle image, labels, finalizer and owner', () => {
    const pool = testPool({
      template: {
        metadata: { labels: { app: 'x' }, annotations: { note: 'y' } },
        spec: {
          containers: [
            { name: 'main', image: 'work:1' },
            { name: 'side', image: 'side:1' },
          ],
        },
      },
    });
    const hash = templateHashOf(pool);
    const { pod } = buildPoolPod(pool, hash);
    expect(pod).toMatchObject({
      metadata: {
        generateName: 'p-',
        namespace: 'ns',
        labels: {
          app: 'x',
          'agentbox.navix.sh/sandbox-pool': 'p',
          'agentbox.navix.sh/sandbox-phase': 'idle',
          'agentbox.navix.sh/template-hash': hash.value,
        },
        annotations: { note: 'y' },
        finalizers: ['agentbox.navix.sh/sandbox-protection'],
        ownerReferences: [
          {
            apiVersion: 'agents.navix.sh/v1alpha1',
            kind: 'SandboxPool',
            name: 'p',
            uid: 'pool-uid',
            controller: true,
          },
        ],
      },
      spec: {
        containers: [
          { name: 'main', image: 'idle:1' },
          { name: 'side', image: 'side:1' },
        ],
      },
    });
    // The pool's own template is not modified.
    expect(pool.spec?.template?.spec?.containers?.[0]?.image).toBe('work:1');
  });

  it('keeps the template image under PoolDefaultImage or without an idle image', () => {
    const a = buildPoolPod(
      testPool({ podCreationImagePolicy: 'PoolDefaultImage' }),
      templateHashOf(testPool()),
    );
    expect(a.pod?.spec?.containers?.[0]?.image).toBe('work:1');
    const b = buildPoolPod(testPool({ idleImage: '' }), templateHashOf(testPool()));
    expect(b.pod?.spec?.containers?.[0]?.image).toBe('work:1');
  });

  it('reports a template that cannot make a whole pod instead of building half of one', () => {
    const hash = templateHashOf(testPool());
    expect(buildPoolPod(testPool({ template: {} }), hash).problem?.reason).toBe('InvalidTemplate');
    expect(
      buildPoolPod(testPool({ template: { spec: { containers: [{ name: 'main' }] } }, idleImage: '' }), hash)
        .problem?.reason,
    ).toBe('InvalidTemplate');
    expect(buildPoolPod(testPool({ idleImage: 'Not A Valid//Image' }), hash).problem?.reason).toBe(
      'InvalidImage',
    );
  });
});

describe('firstPendingReason', () => {
  it('puts kubelet waiting reason first, else the explanation reason', () => {
    const waiting = firstPendingReason({
      pod: 'ns/a',
      completed: false,
      containers: [
        { container: 'side', done: true, message: 'ok' },
        {
          container: 'main',
          done: false,
          reason: 'InvalidImageID',
          message: 'still pulling',
          waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' },
        },
      ],
    });
    expect(waiting).toBe('ImagePullBackOff: container main: Back-off pulling image "x"');
    const plain = firstPendingReason({
      pod: 'ns/a',
      completed: false,
      containers: [
        { container: 'main', done: false, reason: 'ContainerIDUnchanged', message: 'not replaced yet' },
      ],
    });
    expect(plain).toBe('ContainerIDUnchanged: container main: not replaced yet');
    expect(firstPendingReason({ pod: 'ns/a', completed: true, containers: [] })).toBeUndefined();
  });
});
