import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestNamespace, kubeConfigFor } from '../src/index.js';

const GROUP = 'agents.navix.sh';
const VERSION = 'v1alpha1';
const PLURAL = 'sandboxpools';

function pod(name: string): V1Pod {
  return { metadata: { name }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } };
}

function pool(name: string, replicas: number) {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'SandboxPool',
    metadata: { name },
    spec: { replicas, template: { spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } } },
  };
}

describe('the real control plane', () => {
  let kc: KubeConfig;
  let ns: string;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    kc = kubeConfigFor(inject('controlPlane'));
    ns = await createTestNamespace(kc, 'control-plane');
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
  });

  it('reports Kubernetes v1.35 at /version', async () => {
    const v = await kc.makeApiClient(VersionApi).getCode();
    expect(v.gitVersion).toMatch(/^v1\.35\.\d+$/);
    expect(v.minor).toBe('35');
  });

  it('creates, reads and watches a pod', async () => {
    const events: string[] = [];
    let seen!: () => void;
    const added = new Promise<void>((resolve) => {
      seen = resolve;
    });
    const watch = await new Watch(kc).watch(
      `/api/v1/namespaces/${ns}/pods`,
      {},
      (type, obj: V1Pod) => {
        events.push(`${type} ${obj.metadata?.name}`);
        if (type === 'ADDED' && obj.metadata?.name === 'watched') seen();
      },
      () => {},
    );
    try {
      const created = await core.createNamespacedPod({ namespace: ns, body: pod('watched') });
      expect(created.metadata?.uid).toBeTruthy();
      const read = await core.readNamespacedPod({ namespace: ns, name: 'watched' });
      expect(read.spec?.containers[0]?.image).toBe('busybox:1.36');
      expect(read.status?.phase).toBe('Pending');
      await added;
      expect(events).toContain('ADDED watched');
    } finally {
      watch.abort();
    }
  });

  it('answers 409 to a PUT with a stale resourceVersion', async () => {
    const created = await core.createNamespacedPod({ namespace: ns, body: pod('stale') });
    const fresh = structuredClone(created);
    fresh.metadata!.labels = { first: 'write' };
    await core.replaceNamespacedPod({ namespace: ns, name: 'stale', body: fresh });
    created.metadata!.labels = { second: 'write' };
    const err = await core
      .replaceNamespacedPod({ namespace: ns, name: 'stale', body: created })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<string>).code).toBe(409);
    expect(JSON.parse((err as ApiException<string>).body).reason).toBe('Conflict');
  });

  it('applies a merge PATCH without a resourceVersion', async () => {
    await core.createNamespacedPod({ namespace: ns, body: pod('patched') });
    const patched = await core.patchNamespacedPod(
      { namespace: ns, name: 'patched', body: { metadata: { labels: { a: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toEqual({ a: 'b' });
  });

  it.each([
    ['replicas: -1', { replicas: -1 }, 'spec.replicas'],
    ['a missing replicas', {}, 'spec.replicas'],
    [
      'an unknown podCreationImagePolicy',
      { replicas: 1, podCreationImagePolicy: 'Sometimes' },
      'podCreationImagePolicy',
    ],
  ])('the SandboxPool schema rejects %s', async (_label, spec, field) => {
    const body = { ...pool('invalid', 1), spec };
    const err = await custom
      .createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: PLURAL, body })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<string>).code).toBe(422);
    expect((err as ApiException<string>).body).toContain(field);
  });

  it('serves the SandboxPool scale subresource', async () => {
    const params = { group: GROUP, version: VERSION, namespace: ns, plural: PLURAL };
    const created = (await custom.createNamespacedCustomObject({ ...params, body: pool('scaled', 2) })) as {
      spec: { podCreationImagePolicy?: string };
    };
    expect(created.spec.podCreationImagePolicy).toBe('IdleImage');
    await custom.patchNamespacedCustomObjectStatus(
      {
        ...params,
        name: 'scaled',
        body: { status: { runningReplicas: 1, selector: 'agentbox.navix.sh/sandbox-pool=scaled' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const scale = (await custom.getNamespacedCustomObjectScale({ ...params, name: 'scaled' })) as {
      spec: { replicas: number };
      status: { replicas: number; selector: string };
    };
    expect(scale.spec.replicas).toBe(2);
    expect(scale.status).toEqual({ replicas: 1, selector: 'agentbox.navix.sh/sandbox-pool=scaled' });
    await custom.patchNamespacedCustomObjectScale(
      { ...params, name: 'scaled', body: { spec: { replicas: 5 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const after = (await custom.getNamespacedCustomObject({ ...params, name: 'scaled' })) as {
      spec: { replicas: number };
    };
    expect(after.spec.replicas).toBe(5);
  });

  it('enforces RBAC for a user without bindings', async () => {
    // The admin token belongs to system:masters; a service account has no rights until bound.
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'nobody' } } });
    const review = await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: ns });
    expect(review.items).toEqual([]);
    const { AuthorizationV1Api } = await import('@kubernetes/client-node');
    const sar = await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${ns}:nobody`,
          resourceAttributes: { namespace: ns, verb: 'list', resource: 'pods' },
        },
      },
    });
    expect(sar.status?.allowed).toBe(false);
  });
});
