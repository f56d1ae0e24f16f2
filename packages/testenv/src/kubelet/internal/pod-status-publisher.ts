import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
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
      return c ? [containerStatus(c, s.image ?? '')] : [];
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
