import type { V1Container, V1ContainerStatus, V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import { splitSteps, type TerminalPhase } from './pod-fields.js';
import { containerStatus, type SimContainer } from './sim-container.js';
import type { SimContext } from './sim-context.js';
import { writePodStatus } from './write-pod-status.js';

/**
 * kubelet's status manager for one pod: the pod-level facts the node decided (terminal
 * phase, pod IP, start time) and the container statuses it last wrote, against which
 * the next publish is split into kubelet's separate writes.
 */
export class PodStatusPublisher {
  /** Set once the pod is over (eviction, every container exited for good); the node stops syncing it. */
  terminal: TerminalPhase | undefined;
  podIP: string | undefined;
  startTime: Date | undefined;
  private published: V1ContainerStatus[] | undefined;

  constructor(
    private readonly ctx: SimContext,
    /** True when writes are no longer wanted (pod gone, simulator stopped). */
    private readonly cancelled: () => boolean,
  ) {}

  /** False until a status was written: a node's first sync of a pod always publishes. */
  get hasPublished(): boolean {
    return this.published !== undefined;
  }

  /** Publishes the statuses of `containers` in the order of `pod`'s spec, in separate writes when `splitStatusWrites` is set. */
  async publish(pod: V1Pod, containers: ReadonlyMap<string, SimContainer>): Promise<void> {
    const specs = pod.spec?.containers ?? [];
    const target = specs.flatMap((s) => {
      const c = containers.get(s.name);
      if (!c) return [];
      const status = containerStatus(c, s.image ?? '');
      // kubelet 1.35 reports the container's resources (empty for a BestEffort container).
      if (this.ctx.generationStatusWrite) status.resources = resourcesOf(s);
      return [status];
    });
    const steps = this.ctx.splitStatusWrites ? splitSteps(this.published, target) : [target];
    for (const step of steps) await this.write(pod, step);
  }

  private async write(pod: V1Pod, statuses: V1ContainerStatus[]): Promise<void> {
    const written = await writePodStatus(
      this.ctx,
      {
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        uid: pod.metadata?.uid,
        terminal: this.terminal,
        podIP: this.podIP,
        startTime: this.startTime,
        cancelled: this.cancelled,
      },
      statuses,
    );
    // Only what reached the API server is the base of the next split.
    if (written) this.published = statuses;
  }
}

function resourcesOf(spec: V1Container): V1ResourceRequirements {
  const out: V1ResourceRequirements = {};
  if (spec.resources?.limits !== undefined) out.limits = spec.resources.limits;
  if (spec.resources?.requests !== undefined) out.requests = spec.resources.requests;
  return out;
}
