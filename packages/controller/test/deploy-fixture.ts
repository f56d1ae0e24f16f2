// Shared by the deploy tests: the manifests of deploy/ as objects, and server-side apply of one of them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllYaml } from '@kubernetes/client-node';
import type { KubeClient } from '../src/kube/kube-client.js';

export const deployDir = fileURLToPath(new URL('../../../deploy/', import.meta.url));

/** A Kubernetes object of a manifest. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Every YAML file under deploy/ (relative paths), the kustomization excluded. */
export function manifestFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (/\.ya?ml$/.test(entry.name) && entry.name !== 'kustomization.yaml')
        files.push(`${prefix}${entry.name}`);
    }
  };
  walk(deployDir, '');
  return files.sort();
}

/**
 * The objects of one manifest file, exactly as written. client-node's loadAllYaml turns known kinds into its
 * typed models (renaming `x-kubernetes-list-type` to `x_kubernetes_list_type`, `enum` to `_enum`), so top-level
 * kinds are disguised while parsing and restored after.
 */
export function loadManifests(file: string): Manifest[] {
  const text = readFileSync(join(deployDir, file), 'utf8').replace(/^kind: (\w+)$/gm, 'kind: Raw$1');
  return (loadAllYaml(text).filter(Boolean) as Manifest[]).map((o) => ({
    ...o,
    kind: o.kind.replace(/^Raw/, ''),
  }));
}

const PLURALS: Record<string, { plural: string; namespaced: boolean }> = {
  Namespace: { plural: 'namespaces', namespaced: false },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  CustomResourceDefinition: { plural: 'customresourcedefinitions', namespaced: false },
};

/** The REST path of an object. */
export function objectPath(obj: Manifest): string {
  const kind = PLURALS[obj.kind];
  if (!kind) throw new Error(`deploy test: no REST mapping for kind ${obj.kind}`);
  const prefix = obj.apiVersion === 'v1' ? '/api/v1' : `/apis/${obj.apiVersion}`;
  const ns = kind.namespaced ? `/namespaces/${obj.metadata.namespace}` : '';
  return `${prefix}${ns}/${kind.plural}/${obj.metadata.name}`;
}

/** Server-side apply (strict field validation), optionally as a dry run. */
export function apply(kube: KubeClient, obj: Manifest, dryRun: boolean): Promise<Manifest> {
  return kube.request<Manifest>({
    method: 'PATCH',
    path: objectPath(obj),
    query: {
      fieldManager: 'agentbox-deploy',
      force: true,
      fieldValidation: 'Strict',
      dryRun: dryRun ? 'All' : undefined,
    },
    contentType: 'application/apply-patch+yaml',
    body: obj,
  });
}

/** Applies every manifest of deploy/ (namespaces and CRDs first). */
export async function applyAll(kube: KubeClient, dryRun: boolean): Promise<Manifest[]> {
  const all = manifestFiles().flatMap(loadManifests);
  const first = (o: Manifest) => (o.kind === 'Namespace' || o.kind === 'CustomResourceDefinition' ? 0 : 1);
  const ordered = [...all].sort((a, b) => first(a) - first(b));
  const out: Manifest[] = [];
  for (const obj of ordered) out.push(await apply(kube, obj, dryRun));
  return out;
}
