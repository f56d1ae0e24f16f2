import { SandboxPoolGroup, SandboxPoolPlural, SandboxPoolVersion } from '@agentbox/core';

// REST paths of the resources the controller and the sandbox client touch. An empty namespace means
// "all namespaces" for collections.

/** Path of the pods collection (all namespaces when `namespace` is empty) or of one pod. */
export function podsPath(namespace?: string, name?: string, subresource?: string): string {
  return resourcePath('/api/v1', 'pods', namespace, name, subresource);
}

/** Path of the SandboxPool collection or of one pool. */
export function poolsPath(namespace?: string, name?: string, subresource?: string): string {
  return resourcePath(
    `/apis/${SandboxPoolGroup}/${SandboxPoolVersion}`,
    SandboxPoolPlural,
    namespace,
    name,
    subresource,
  );
}

/** Path of the core/v1 Events collection or of one Event. */
export function eventsPath(namespace?: string, name?: string): string {
  return resourcePath('/api/v1', 'events', namespace, name);
}

/** Path of the Secrets of a namespace or of one Secret. */
export function secretsPath(namespace: string, name?: string): string {
  return resourcePath('/api/v1', 'secrets', namespace, name);
}

/** Path of a coordination.k8s.io/v1 Lease. */
export function leasesPath(namespace: string, name?: string): string {
  return resourcePath('/apis/coordination.k8s.io/v1', 'leases', namespace, name);
}

function resourcePath(
  prefix: string,
  plural: string,
  namespace: string | undefined,
  name: string | undefined,
  subresource?: string,
): string {
  let path = namespace
    ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${plural}`
    : `${prefix}/${plural}`;
  if (name) path += `/${encodeURIComponent(name)}`;
  if (name && subresource) path += `/${subresource}`;
  return path;
}
