import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestNamespace, kubeConfigFor } from '@agentbox/testenv';
import { loadYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  fetchPodTemplateSource,
  podTemplateSchema,
  renderCrd,
} from '../../../scripts/generate-crd-schema.js';
import { KubeApiError } from '../src/kube/kube-api-error.js';
import { createKubeClient, type KubeClient } from '../src/kube/kube-client.js';
import { poolsPath } from '../src/kube/kube-paths.js';
import { apply, deployDir, loadManifests, type Manifest, manifestFiles } from './deploy-fixture.js';

describe('deploy/ on the real kube-apiserver', () => {
  const access = inject('controlPlane');
  const kc = kubeConfigFor(access);
  let kube: KubeClient;

  beforeAll(async () => {
    kube = await createKubeClient(kc);
  });
  afterAll(async () => {
    await kube.close();
  });

  it('the kustomization lists exactly the manifest files', () => {
    const kustomization = loadYaml<{ resources: string[] }>(
      readFileSync(join(deployDir, 'kustomization.yaml'), 'utf8'),
    );
    expect([...kustomization.resources].sort()).toEqual(manifestFiles());
  });

  it('applies every manifest: server-side dry run, then for real, with strict field validation', async () => {
    const all = manifestFiles().flatMap(loadManifests);
    expect(all.map((o) => o.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'Deployment',
      'Namespace',
      'Role',
      'RoleBinding',
      'ServiceAccount',
    ]);
    const namespace = all.find((o) => o.kind === 'Namespace')!;
    const rest = all.filter((o) => o !== namespace);
    // A dry run cannot create the namespace the other objects are dry-run into: it goes first, for real.
    await apply(kube, namespace, true);
    await apply(kube, namespace, false);
    for (const obj of rest) await apply(kube, obj, true);
    const applied: Manifest[] = [];
    for (const obj of rest) applied.push(await apply(kube, obj, false));
    const deployment = applied.find((o) => o.kind === 'Deployment') as Manifest & {
      spec: { replicas: number; template: { spec: { containers: Array<{ args: string[] }> } } };
    };
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0]!.args).toContain('--leader-elect');
    const crd = applied.find((o) => o.kind === 'CustomResourceDefinition')!;
    expect(crd.metadata.name).toBe('sandboxpools.agents.navix.sh');
  });

  it("the CRD's spec.template schema is what the generator makes from this server's OpenAPI (no drift)", async () => {
    const { doc, source } = await fetchPodTemplateSource(access);
    const file = join(deployDir, 'crds/agents.navix.sh_sandboxpools.yaml');
    const current = readFileSync(file, 'utf8');
    expect(renderCrd(current, podTemplateSchema(doc), source)).toBe(current);
  });

  it('validates a pool template as a real PodTemplateSpec; maxUnavailable is an int or a percentage', async () => {
    const namespace = await createTestNamespace(kc, 'deploy-crd');
    const create = (name: string, spec: Record<string, unknown>) =>
      kube.request<{ spec: Record<string, unknown> }>({
        method: 'POST',
        path: poolsPath(namespace),
        query: { fieldValidation: 'Strict' },
        body: { apiVersion: 'agents.navix.sh/v1alpha1', kind: 'SandboxPool', metadata: { name }, spec },
      });
    const container = {
      name: 'main',
      image: 'busybox:1.36',
      resources: { requests: { cpu: 1, memory: '64Mi' } },
      ports: [{ containerPort: 8080 }],
    };
    const ok = await create('ok', {
      replicas: 1,
      maxUnavailable: '50%',
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [container] } },
    });
    const template = ok.spec.template as {
      spec: { containers: Array<{ ports: Array<{ protocol: string }> }> };
    };
    expect(template.spec.containers[0]!.ports[0]!.protocol).toBe('TCP'); // the OpenAPI default
    await create('count', { replicas: 1, maxUnavailable: 2 });

    const rejected = async (name: string, spec: Record<string, unknown>) => {
      const err = await create(name, spec).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).status).toBe(422);
      return (err as KubeApiError).message;
    };
    expect(await rejected('no-containers', { replicas: 1, template: { spec: {} } })).toMatch(/containers/);
    expect(
      await rejected('bad-type', {
        replicas: 1,
        template: { spec: { containers: [{ name: 'm', image: 1 }] } },
      }),
    ).toMatch(/image/);
    expect(
      await rejected('bad-enum', {
        replicas: 1,
        template: { spec: { restartPolicy: 'Sometimes', containers: [container] } },
      }),
    ).toMatch(/restartPolicy/);
    expect(await rejected('bad-max', { replicas: 1, maxUnavailable: 'lots' })).toMatch(/maxUnavailable/);
    // An unknown template field is an error under strict validation (it was silently kept before).
    expect(
      await create('unknown', {
        replicas: 1,
        template: { spec: { containers: [container], bogus: true } },
      }).catch((e: unknown) => (e as KubeApiError).message),
    ).toMatch(/bogus/);
  });
});
