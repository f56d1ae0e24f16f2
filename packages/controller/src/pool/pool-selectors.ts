import { SandboxPhaseLabelKey, SandboxPhases, SandboxPoolLabelKey } from '@agentbox/core';
import type { SandboxPoolStatus } from './sandbox-pool.js';

/** `selector`, `labelSelector` and `phaseSelectors` of a pool's status. */
export function poolSelectors(
  poolName: string,
): Pick<SandboxPoolStatus, 'selector' | 'labelSelector' | 'phaseSelectors'> {
  const selector = `${SandboxPoolLabelKey}=${poolName}`;
  const phaseSelectors: Record<string, string> = { all: selector };
  for (const phase of SandboxPhases) phaseSelectors[phase] = `${selector},${SandboxPhaseLabelKey}=${phase}`;
  return { selector, labelSelector: { matchLabels: { [SandboxPoolLabelKey]: poolName } }, phaseSelectors };
}
