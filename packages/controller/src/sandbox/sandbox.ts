import {
  getSandboxPhase,
  type Pod,
  SandboxClaimedAtAnnotationKey,
  SandboxFailureReasonAnnotationKey,
  SandboxIDAnnotationKey,
  SandboxIDLabelKey,
  SandboxLastActiveAnnotationKey,
  type SandboxPhase,
  SandboxPoolLabelKey,
  SandboxStartedAtAnnotationKey,
  SandboxStopReasonAnnotationKey,
} from '@agentbox/core';

/** A claimed pool pod seen as a sandbox. Times are RFC3339 strings (seconds, UTC) as the annotations hold them. */
export interface Sandbox {
  /** The sandbox id (empty for a pod that is not claimed). */
  id: string;
  /** Namespace of the pod. */
  namespace: string;
  /** Name of the SandboxPool the pod belongs to. */
  pool: string;
  /** Name of the pod. */
  pod: string;
  /** Sandbox phase of the pod (`getSandboxPhase`). */
  phase: SandboxPhase;
  /** Container name → image in the pod spec. */
  images: Record<string, string>;
  /** When the pod was claimed. */
  claimedAt?: string;
  /** When the workload started running. */
  startedAt?: string;
  /** Last activity (`touch`, or the start). */
  lastActive?: string;
  /** Why the sandbox stopped (`Completed`, `Canceled`, `Released`, `Failed`), once released. */
  stopReason?: string;
  /** Machine-readable failure cause (`StartupTimeout`, `IdleTimeout`, `OOMKilled`, …). */
  failureReason?: string;
}

/** Names a sandbox: by its id (found through the `sandbox-id` label) or by its pod's name. */
export type SandboxRef = { namespace: string; sandboxId: string } | { namespace: string; pod: string };

/** The Sandbox view of a pool pod; the id comes from the `sandbox-id` label, else the annotation. */
export function sandboxFromPod(pod: Pod): Sandbox {
  const labels = pod.metadata?.labels ?? {};
  const annotations = pod.metadata?.annotations ?? {};
  const images: Record<string, string> = {};
  for (const c of pod.spec?.containers ?? []) {
    if (c.name) images[c.name] = c.image ?? '';
  }
  const sandbox: Sandbox = {
    id: labels[SandboxIDLabelKey] ?? annotations[SandboxIDAnnotationKey] ?? '',
    namespace: pod.metadata?.namespace ?? '',
    pool: labels[SandboxPoolLabelKey] ?? '',
    pod: pod.metadata?.name ?? '',
    phase: getSandboxPhase(pod),
    images,
  };
  const optional: [keyof Sandbox, string][] = [
    ['claimedAt', SandboxClaimedAtAnnotationKey],
    ['startedAt', SandboxStartedAtAnnotationKey],
    ['lastActive', SandboxLastActiveAnnotationKey],
    ['stopReason', SandboxStopReasonAnnotationKey],
    ['failureReason', SandboxFailureReasonAnnotationKey],
  ];
  for (const [field, key] of optional) {
    const value = annotations[key];
    if (value) (sandbox as unknown as Record<string, string>)[field] = value;
  }
  return sandbox;
}

/** A human-readable name of a ref: the sandbox id, or `pod/<name>`. */
export function describeSandboxRef(ref: SandboxRef): string {
  return 'sandboxId' in ref ? ref.sandboxId : `pod/${ref.pod}`;
}
