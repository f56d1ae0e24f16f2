import { readFileSync } from 'node:fs';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
// The typed client's own deserializer (what its loadYaml calls after parsing): the repository parses YAML
// with one library, `yaml`, so the documents arrive here already parsed. client-node 1.4 has no exports
// map and does not re-export it from its index.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { parseAllDocuments } from 'yaml';
import { ControlPlaneError } from './control-plane-error.js';
import { pollUntil } from './internal/poll.js';

/** Options of {@link installCrds}. */
export interface InstallCrdsOptions {
  /** Deadline for each CRD to be Established and discoverable. Default: 30 000 ms. */
  timeoutMs?: number;
}

/**
 * Creates (or replaces) every CustomResourceDefinition in the YAML `files`, then
 * waits for each to be `Established` and for its plural to appear in discovery, so
 * the next request for the new resource cannot get a 404. Returns the CRD names.
 */
export async function installCrds(
  kubeConfig: KubeConfig,
  files: readonly string[],
  options: InstallCrdsOptions = {},
): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const crds = files.flatMap(readCrds);
  for (const crd of crds) await apply(api, crd);
  for (const crd of crds) {
    const name = crd.metadata!.name!;
    await pollUntil(
      `CRD ${name} to be Established`,
      async () => {
        const got = await api.readCustomResourceDefinition({ name });
        const established = got.status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        );
        return established ? true : undefined;
      },
      { timeoutMs },
    ).catch((err: unknown) => {
      throw new ControlPlaneError('CrdNotEstablished', `CRD ${name} was not established`, { cause: err });
    });
    const group = crd.spec.group;
    for (const v of crd.spec.versions.filter((x) => x.served)) {
      await pollUntil(
        `${crd.spec.names.plural} in discovery of ${group}/${v.name}`,
        async () => {
          const list = await custom.getAPIResources({ group, version: v.name });
          return list.resources.some((r) => r.name === crd.spec.names.plural) ? true : undefined;
        },
        { timeoutMs },
      ).catch((err: unknown) => {
        throw new ControlPlaneError('CrdNotEstablished', `CRD ${name} never appeared in discovery`, {
          cause: err,
        });
      });
    }
  }
  return crds.map((c) => c.metadata!.name!);
}

function readCrds(file: string): V1CustomResourceDefinition[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: V1CustomResourceDefinition[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      throw new ControlPlaneError('CrdInvalid', `${file}: ${doc.errors[0]?.message}`);
    }
    const raw = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    if (raw === null) continue;
    if (raw.kind !== 'CustomResourceDefinition' || !raw.metadata?.name) {
      throw new ControlPlaneError(
        'CrdInvalid',
        `${file}: not a named CustomResourceDefinition (kind ${raw.kind})`,
      );
    }
    // The typed client serializes its own field names (`xKubernetesPreserveUnknownFields`,
    // `_default`): wire-format keys must be deserialized first or they are silently dropped.
    out.push(ObjectSerializer.deserialize(raw, 'V1CustomResourceDefinition') as V1CustomResourceDefinition);
  }
  return out;
}

async function apply(api: ApiextensionsV1Api, crd: V1CustomResourceDefinition): Promise<void> {
  const name = crd.metadata!.name!;
  try {
    await api.createCustomResourceDefinition({ body: crd });
  } catch (err) {
    if (!(err instanceof ApiException) || err.code !== 409) {
      throw new ControlPlaneError('CrdInvalid', `creating CRD ${name} failed: ${describe(err)}`, {
        cause: err,
      });
    }
    const current = await api.readCustomResourceDefinition({ name });
    const body = {
      ...crd,
      metadata: { ...crd.metadata, resourceVersion: current.metadata?.resourceVersion },
    };
    await api.replaceCustomResourceDefinition({ name, body });
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiException) return `HTTP ${err.code}: ${String(err.body)}`;
  return err instanceof Error ? err.message : String(err);
}
