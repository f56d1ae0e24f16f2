import { describe, expect, it } from 'vitest';
import { trimPod } from './trim-pod.js';
import { trimPool } from './trim-pool.js';

const fullPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    namespace: 'ns',
    uid: 'u-1',
    resourceVersion: '42',
    generation: 3,
    labels: { a: 'b' },
    annotations: { c: 'd' },
    creationTimestamp: '2026-01-01T00:00:00Z',
    deletionTimestamp: '2026-01-01T00:01:00Z',
    finalizers: ['f'],
    ownerReferences: [
      { apiVersion: 'agents.navix.sh/v1alpha1', kind: 'SandboxPool', name: 'pool', uid: 'x' },
    ],
    managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:metadata': {} } }],
    selfLink: '/x',
  },
  spec: {
    containers: [
      { name: 'main', image: 'img:1', command: ['sleep'], env: [{ name: 'A', value: 'B' }], resources: {} },
      { name: 'side', image: 'img:2', ports: [{ containerPort: 80 }] },
    ],
    imagePullSecrets: [{ name: 'pull' }],
    nodeName: 'node-1',
    volumes: [{ name: 'v', emptyDir: {} }],
    tolerations: [{ key: 't' }],
  },
  status: {
    phase: 'Running',
    reason: 'R',
    message: 'M',
    podIP: '10.0.0.1',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'x' }],
    containerStatuses: [
      {
        name: 'main',
        image: 'img:1',
        imageID: 'sha256:abc',
        containerID: 'containerd://1',
        restartCount: 1,
        ready: true,
        started: true,
        state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
        allocatedResources: { cpu: '1' },
        volumeMounts: [{ name: 'v', mountPath: '/v' }],
      },
    ],
  },
};

describe('trimPod', () => {
  it('keeps exactly the fields the controller reads', () => {
    expect(trimPod(fullPod)).toEqual({
      metadata: {
        name: 'p',
        namespace: 'ns',
        uid: 'u-1',
        resourceVersion: '42',
        generation: 3,
        labels: { a: 'b' },
        annotations: { c: 'd' },
        creationTimestamp: '2026-01-01T00:00:00Z',
        deletionTimestamp: '2026-01-01T00:01:00Z',
        finalizers: ['f'],
        ownerReferences: fullPod.metadata.ownerReferences,
      },
      spec: {
        containers: [
          { name: 'main', image: 'img:1' },
          { name: 'side', image: 'img:2' },
        ],
        imagePullSecrets: [{ name: 'pull' }],
        nodeName: 'node-1',
      },
      status: {
        phase: 'Running',
        reason: 'R',
        message: 'M',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          {
            name: 'main',
            image: 'img:1',
            imageID: 'sha256:abc',
            containerID: 'containerd://1',
            restartCount: 1,
            ready: true,
            started: true,
            state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
          },
        ],
      },
    });
  });

  it.each([
    { name: 'null', input: null, expected: {} },
    { name: 'an empty object', input: {}, expected: {} },
    { name: 'metadata only', input: { metadata: { name: 'x' } }, expected: { metadata: { name: 'x' } } },
    {
      name: 'a pod without status fields',
      input: { metadata: { name: 'x' }, spec: { containers: [] }, status: {} },
      expected: { metadata: { name: 'x' }, spec: { containers: [] }, status: {} },
    },
    {
      name: 'malformed containers entries',
      input: { spec: { containers: [null, 'x', { name: 'a' }] } },
      expected: { spec: { containers: [{}, {}, { name: 'a' }] } },
    },
  ])('never throws on $name', ({ input, expected }) => {
    expect(trimPod(input)).toEqual(expected);
  });

  it('does not copy fields that are absent (no undefined-valued keys)', () => {
    const trimmed = trimPod({ metadata: { name: 'x' } });
    expect(Object.keys(trimmed.metadata!)).toEqual(['name']);
  });
});

describe('trimPool', () => {
  it('drops managedFields and keeps everything else', () => {
    const pool = {
      apiVersion: 'agents.navix.sh/v1alpha1',
      kind: 'SandboxPool',
      metadata: { name: 'p', namespace: 'ns', generation: 2, managedFields: [{ manager: 'x' }] },
      spec: { replicas: 3, idleImage: 'i' },
      status: { phase: 'Ready' },
    };
    expect(trimPool(pool)).toEqual({
      apiVersion: 'agents.navix.sh/v1alpha1',
      kind: 'SandboxPool',
      metadata: { name: 'p', namespace: 'ns', generation: 2 },
      spec: { replicas: 3, idleImage: 'i' },
      status: { phase: 'Ready' },
    });
    expect(pool.metadata.managedFields).toHaveLength(1);
  });

  it('returns a pool without managedFields as it is', () => {
    const pool = { metadata: { name: 'p' }, spec: { replicas: 1 } };
    expect(trimPool(pool)).toBe(pool);
  });

  it('shares repeated values between trimmed pods, frozen', () => {
    const a = trimPod(structuredClone(fullPod));
    const b = trimPod(structuredClone(fullPod));
    expect(a).not.toBe(b);
    expect(a.metadata!.labels).toBe(b.metadata!.labels);
    expect(a.spec!.containers).toBe(b.spec!.containers);
    const conditions = (p: unknown) => (p as { status: { conditions: unknown } }).status.conditions;
    expect(conditions(a)).toBe(conditions(b));
    expect(Object.isFrozen(a.metadata!.labels)).toBe(true);
    expect(() => {
      a.metadata!.labels!['x'] = 'y';
    }).toThrow(TypeError);
    // Per-pod values stay per pod.
    const other = trimPod({
      ...structuredClone(fullPod),
      metadata: { ...fullPod.metadata, labels: { a: 'c' } },
    });
    expect(other.metadata!.labels).toEqual({ a: 'c' });
  });
});
