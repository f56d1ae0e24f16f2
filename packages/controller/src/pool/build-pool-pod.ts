import {
  type Pod,
  parseImageReference,
  SandboxPhaseIdle,
  SandboxPhaseLabelKey,
  SandboxPoolGroup,
  SandboxPoolKind,
  SandboxPoolLabelKey,
  SandboxPoolVersion,
  SandboxProtectionFinalizer,
} from '@agentbox/core';
import type { PoolProblem } from './compute-pool-status.js';
import type { SandboxPool } from './sandbox-pool.js';
import type { TemplateHash } from './template-hash.js';
import { TemplateHashLabelKey } from './template-hash-label.js';

/** A pod to create (T1), or why none can be made from the pool. */
export type PoolPodResult = { pod: Pod; problem?: undefined } | { pod?: undefined; problem: PoolProblem };

/**
 * The pod T1 creates for a pool: the template, container 0's image := `idleImage` under the policy
 * `IdleImage`, labels pool + phase `idle` + template hash, the protection finalizer, an owner reference to
 * the pool and `generateName: <pool>-`. A template that cannot make a whole pod (no containers, a container
 * without a name or image, an image that does not parse) gives a problem instead: never a half-made pod.
 */
export function buildPoolPod(pool: SandboxPool, hash: TemplateHash): PoolPodResult {
  const name = pool.metadata?.name ?? '';
  const template = structuredClone(pool.spec?.template ?? {});
  const spec = template.spec;
  const containers = spec?.containers;
  if (spec === undefined || !Array.isArray(containers) || containers.length === 0) {
    return {
      problem: { reason: 'InvalidTemplate', message: `pool ${name}: the template has no containers` },
    };
  }
  const idleImage = pool.spec?.idleImage;
  if ((pool.spec?.podCreationImagePolicy ?? 'IdleImage') === 'IdleImage' && idleImage) {
    containers[0]!.image = idleImage;
  }
  for (const [i, c] of containers.entries()) {
    if (typeof c?.name !== 'string' || c.name === '') {
      return { problem: { reason: 'InvalidTemplate', message: `pool ${name}: container ${i} has no name` } };
    }
    if (typeof c.image !== 'string' || c.image === '') {
      return {
        problem: { reason: 'InvalidTemplate', message: `pool ${name}: container ${c.name} has no image` },
      };
    }
    try {
      parseImageReference(c.image);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { problem: { reason: 'InvalidImage', message: `pool ${name}: container ${c.name}: ${why}` } };
    }
  }
  const metadata = template.metadata ?? {};
  const pod: Pod & { metadata: Record<string, unknown> } = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${name}-`,
      namespace: pool.metadata?.namespace,
      labels: {
        ...(metadata.labels ?? {}),
        [SandboxPoolLabelKey]: name,
        [SandboxPhaseLabelKey]: SandboxPhaseIdle,
        [TemplateHashLabelKey]: hash.value,
      },
      annotations: { ...(metadata.annotations ?? {}) },
      finalizers: [SandboxProtectionFinalizer],
      ownerReferences: [
        {
          apiVersion: `${SandboxPoolGroup}/${SandboxPoolVersion}`,
          kind: SandboxPoolKind,
          name,
          uid: pool.metadata?.uid,
          controller: true,
        },
      ],
    },
    spec,
  };
  return { pod };
}
