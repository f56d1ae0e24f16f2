import {
  type SandboxPhase,
  SandboxPhaseFailed,
  SandboxPhaseIdle,
  SandboxPhaseLabelKey,
  SandboxPhases,
} from './constants.js';
import { labelOf } from './internal/pod-access.js';
import type { Pod } from './ports/pod.js';

/** The sandbox phase of a pod: its known phase label, else `failed` when the pod failed, else `idle`. */
export function getSandboxPhase(pod: Pod | undefined): SandboxPhase {
  const label = labelOf(pod, SandboxPhaseLabelKey);
  if ((SandboxPhases as readonly string[]).includes(label ?? '')) return label as SandboxPhase;
  return pod?.status?.phase === 'Failed' ? SandboxPhaseFailed : SandboxPhaseIdle;
}
