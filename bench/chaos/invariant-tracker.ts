import { type KubeClient, podsPath, TemplateHashLabelKey } from '@agentbox/controller';
import {
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxFailureReasonAnnotationKey,
  SandboxIDLabelKey,
  SandboxPhaseLabelKey,
  SandboxPoolLabelKey,
  SandboxStopReasonAnnotationKey,
} from '@agentbox/core';

/** One observed state of a pod, kept for the violation report. */
interface Step {
  t: number;
  type: string;
  rv: string;
  phase: string;
  id: string;
  images: string;
  imageIDs: string;
  containerIDs: string;
  stop?: string;
  failure?: string;
  /** The in-place update state annotation (what the controller waits for). */
  update?: string;
  ready: string;
  /** Waiting reasons of the containers (ErrImagePull, ImagePullBackOff, …), when any container waits. */
  waiting?: string;
  /** The template-hash label. */
  hash?: string;
  /** `status.phase` of the pod. */
  podPhase?: string;
  gap?: boolean;
}

interface PodTrack {
  steps: Step[];
  /** When the pod entered its current starting/stopping phase. */
  since?: number;
  /** containerIDs when the current sandbox id was first seen. */
  claimContainers?: string;
  deleted?: boolean;
  /** Ids this pod carried, in order. */
  ids: string[];
  /** Released ids (seen leaving the pod, or with a stop reason). */
  released: Map<string, string>;
}

/** A broken invariant with the pod it is about. */
export interface Violation {
  kind: string;
  pod: string;
  detail: string;
  at: string;
  /** The pod's last observed states when the violation was found (the running history is trimmed later). */
  historyThen?: string;
}

const short = (s: string) => s.replace(/^containerd:\/\//, '').slice(0, 12);

/**
 * Watches the namespace's pool pods and checks, on every event, the invariants that a single state or a pair of
 * successive states can break: no pod labelled running before its containers run the target digests in new
 * containers; no second sandbox id without a release between. It also keeps each pod's history (printed with
 * every violation), the time each pod spent in starting/stopping, and transition counts.
 */
export class InvariantTracker {
  readonly pods = new Map<string, PodTrack>();
  readonly current = new Map<string, Pod>();
  readonly violations: Violation[] = [];
  transitions = { toRunning: 0, toIdle: 0 };
  longestStuckMs = 0;
  longestStuckPod = '';
  watchRestarts = 0;
  relists = 0;
  /** When each transition (to running, or stopping to idle) was observed, in order. */
  readonly completions: number[] = [];
  /** Pods seen with a container waiting in ErrImagePull or ImagePullBackOff. */
  readonly pullFailedPods = new Set<string>();
  /** Sandbox ids seen running. */
  readonly runningIds = new Set<string>();
  /** Pods the runner evicted (their deletion while running is expected). */
  readonly evicted = new Set<string>();
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private rv = '';

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    /** repository:tag → manifest digest of every image the run pushed. */
    private readonly digests: ReadonlyMap<string, string>,
    /** Every idle image the pools used (a claim of one may take the fast path and keep its container). */
    private readonly idleImages: ReadonlySet<string>,
    private readonly limitsMs: { starting: number; stopping: number },
  ) {}

  async start(): Promise<void> {
    await this.relist(false);
    this.done = (async () => {
      while (!this.abort.signal.aborted) {
        let gone = false;
        await this.kube
          .watch({
            path: podsPath(this.namespace),
            query: {
              resourceVersion: this.rv,
              allowWatchBookmarks: true,
              timeoutSeconds: 300,
              labelSelector: SandboxPoolLabelKey,
            },
            signal: this.abort.signal,
            onEvent: (ev) => {
              const obj = ev.object as Pod & { code?: number };
              if (ev.type === 'ERROR') {
                if (obj.code === 410) gone = true;
                return;
              }
              this.rv = obj.metadata?.resourceVersion ?? this.rv;
              if (ev.type === 'BOOKMARK') return;
              this.observe(ev.type, obj);
            },
          })
          .catch(() => undefined);
        if (this.abort.signal.aborted) break;
        this.watchRestarts++;
        if (gone) {
          await this.relist(true).catch(() => undefined);
        } else {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
  }

  private async relist(gap: boolean): Promise<void> {
    for (;;) {
      try {
        const list = await this.kube.request<{ metadata: { resourceVersion: string }; items: Pod[] }>({
          path: podsPath(this.namespace),
          query: { labelSelector: SandboxPoolLabelKey },
        });
        if (gap) this.relists++;
        const names = new Set<string>();
        for (const pod of list.items) {
          names.add(pod.metadata?.name ?? '');
          this.observe(gap ? 'RELIST' : 'LIST', pod, gap);
        }
        for (const name of this.current.keys()) {
          if (!names.has(name)) this.observe('DELETED', this.current.get(name) as Pod, gap);
        }
        this.rv = list.metadata.resourceVersion;
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private observe(type: string, pod: Pod, gap = false): void {
    const name = pod.metadata?.name ?? '';
    const now = Date.now();
    let track = this.pods.get(name);
    if (!track) {
      track = { steps: [], ids: [], released: new Map() };
      this.pods.set(name, track);
    }
    const labels = pod.metadata?.labels ?? {};
    const ann = pod.metadata?.annotations ?? {};
    const statuses = pod.status?.containerStatuses ?? [];
    const step: Step = {
      t: now,
      type,
      rv: pod.metadata?.resourceVersion ?? '',
      phase: labels[SandboxPhaseLabelKey] ?? '',
      id: labels[SandboxIDLabelKey] ?? '',
      images: (pod.spec?.containers ?? []).map((c) => `${c.name}=${c.image}`).join(','),
      imageIDs: statuses
        .map((s) => `${s.name}=${(s.imageID ?? '').split('@')[1]?.slice(7, 19) ?? ''}`)
        .join(','),
      containerIDs: statuses.map((s) => `${s.name}=${short(s.containerID ?? '')}`).join(','),
      ready: statuses.map((s) => `${s.name}=${s.ready ? 'ready' : 'not-ready'}`).join(','),
      ...(statuses.some((s) => s.state?.waiting?.reason)
        ? {
            waiting: statuses
              .filter((s) => s.state?.waiting?.reason)
              .map((s) => `${s.name}=${s.state?.waiting?.reason}`)
              .join(','),
          }
        : {}),
      ...(labels[TemplateHashLabelKey] ? { hash: labels[TemplateHashLabelKey] } : {}),
      ...(pod.status?.phase ? { podPhase: pod.status.phase } : {}),
      ...(ann[PodAnnotationInPlaceUpdateStateKey] ? { update: ann[PodAnnotationInPlaceUpdateStateKey] } : {}),
      ...(ann[SandboxStopReasonAnnotationKey] ? { stop: ann[SandboxStopReasonAnnotationKey] } : {}),
      ...(ann[SandboxFailureReasonAnnotationKey] ? { failure: ann[SandboxFailureReasonAnnotationKey] } : {}),
      ...(gap ? { gap: true } : {}),
    };
    const prev = track.steps.at(-1);
    track.steps.push(step);
    if (track.steps.length > 80) track.steps.splice(1, track.steps.length - 80);
    if (step.waiting && /ErrImagePull|ImagePullBackOff/.test(step.waiting)) this.pullFailedPods.add(name);
    if (type === 'DELETED') {
      // A claimed, running pod is never deleted by the controller (not by a scale-down, not by the stale idle
      // roll of a template change) unless it failed (an eviction) or was released first.
      if (
        prev?.phase === 'running' &&
        prev.id &&
        !prev.stop &&
        !gap &&
        !prev.gap &&
        prev.podPhase !== 'Failed' &&
        !this.evicted.has(name)
      ) {
        this.violate('running-deleted', name, `pod deleted while running sandbox ${prev.id} with no release`);
      }
      track.deleted = true;
      this.current.delete(name);
      if (prev?.id) track.released.set(prev.id, 'pod deleted');
      this.closeStuck(name, track, now);
      return;
    }
    this.current.set(name, pod);
    if (type === 'LIST' && !prev) {
      if (step.id) track.ids.push(step.id);
      if (step.phase === 'starting' || step.phase === 'stopping') track.since = now;
      return;
    }
    // Sandbox ids: a new id needs the previous one released (gone from the pod) first.
    if (step.id && step.id !== prev?.id) {
      if (prev?.id && !prev.gap && !gap) {
        this.violate(
          'two-sandbox-ids',
          name,
          `sandbox id ${prev.id} replaced by ${step.id} without a release between`,
        );
      }
      track.ids.push(step.id);
      track.claimContainers = prev?.containerIDs ?? step.containerIDs;
    }
    if (prev?.id && prev.id !== step.id) track.released.set(prev.id, step.stop ?? prev.stop ?? 'id removed');
    if (step.id && step.stop) track.released.set(step.id, step.stop);
    // Running: every container runs the digest its spec image names, in a container the claim did not start with.
    if (step.phase === 'running' && (prev?.phase !== 'running' || prev.id !== step.id)) {
      this.transitions.toRunning++;
      this.completions.push(now);
      this.runningIds.add(step.id);
      const problem = this.runningProblem(pod, track);
      if (problem) this.violate('running-before-target', name, problem);
    }
    // A running sandbox is left alone (template changes included) until it is released: same images, same
    // template hash, while it keeps its id and no stop reason was written.
    if (
      step.phase === 'running' &&
      prev?.phase === 'running' &&
      step.id &&
      step.id === prev.id &&
      !step.stop &&
      (step.images !== prev.images || step.hash !== prev.hash)
    ) {
      this.violate(
        'running-touched',
        name,
        `running sandbox ${step.id} changed: images ${prev.images} → ${step.images}, template hash ${prev.hash} → ${step.hash}`,
      );
    }
    if (step.phase === 'idle' && prev?.phase === 'stopping') {
      this.transitions.toIdle++;
      this.completions.push(now);
      // Idle means the idle image (the one the release or the in-place switch wrote) runs: the digest of the
      // spec image, which follows every template change of the pool.
      // An evicted pod (phase Failed) has its containers killed; the controller replaces it, so a stop it
      // completes on the digest the killed container ran is no broken promise.
      const problem = this.digestProblem(pod, pod.status?.phase === 'Failed');
      if (problem) this.violate('idle-before-target', name, problem);
    }
    // Stuck time in starting/stopping.
    const busy = step.phase === 'starting' || step.phase === 'stopping';
    if (busy && (prev?.phase !== step.phase || track.since === undefined)) {
      this.closeStuck(name, track, now);
      track.since = now;
    } else if (!busy) this.closeStuck(name, track, now);
  }

  /**
   * Why the pod's containers do not run the digests of their spec images, if they do not (with `allowStopped`, a
   * container that stopped after starting counts by the digest it ran).
   */
  digestProblem(pod: Pod, allowStopped = false): string | undefined {
    const statuses = pod.status?.containerStatuses ?? [];
    for (const c of pod.spec?.containers ?? []) {
      const image = c.image ?? '';
      const want = this.digests.get(image.replace(/^[^/]+\//, ''));
      const s = statuses.find((x) => x.name === c.name);
      if (!s) return `container ${c.name} has no status`;
      if (!want) return `image ${image} was not pushed by the run`;
      if (!(s.imageID ?? '').endsWith(`@${want}`))
        return `container ${c.name} runs ${s.imageID}, target ${want}`;
      if (!s.state?.running && !allowStopped)
        return `container ${c.name} (${short(s.containerID ?? '')}) is not running (${JSON.stringify(s.state)})`;
    }
    return undefined;
  }

  /** The first completed transition observed after `t` (ms since the epoch), if any. */
  firstCompletionAfter(t: number): number | undefined {
    for (let i = this.completions.length - 1; i >= 0; i--) {
      if ((this.completions[i] as number) <= t) return this.completions[i + 1];
    }
    return this.completions[0];
  }

  /** Why a pod just labelled running does not run its target: a digest problem, or a claimed container not replaced. */
  private runningProblem(pod: Pod, track: PodTrack): string | undefined {
    const digest = this.digestProblem(pod);
    if (digest) return digest;
    const statuses = pod.status?.containerStatuses ?? [];
    for (const c of pod.spec?.containers ?? []) {
      const s = statuses.find((x) => x.name === c.name);
      const before = track.claimContainers?.split(',').find((x) => x.startsWith(`${c.name}=`));
      if (!this.idleImages.has(c.image ?? '') && before === `${c.name}=${short(s?.containerID ?? '')}`) {
        return `container ${c.name} still has the containerID it had when claimed (${before})`;
      }
    }
    return undefined;
  }

  private closeStuck(name: string, track: PodTrack, now: number): void {
    if (track.since === undefined) return;
    const ms = now - track.since;
    if (ms > this.longestStuckMs) {
      this.longestStuckMs = ms;
      this.longestStuckPod = name;
    }
    track.since = undefined;
  }

  /** Checks pods still in starting/stopping against the limits (call every second). */
  checkStuck(): void {
    const now = Date.now();
    for (const [name, track] of this.pods) {
      if (track.since === undefined) continue;
      const phase = track.steps.at(-1)?.phase ?? '';
      const limit = phase === 'starting' ? this.limitsMs.starting : this.limitsMs.stopping;
      const ms = now - track.since;
      if (ms > this.longestStuckMs) {
        this.longestStuckMs = ms;
        this.longestStuckPod = name;
      }
      if (
        ms > limit &&
        !this.violations.some(
          (v) => v.kind === 'stuck' && v.pod === name && v.detail.includes(`since ${track.since}`),
        )
      ) {
        this.violate(
          'stuck',
          name,
          `${phase} for ${Math.round(ms / 1000)} s (limit ${limit / 1000} s) since ${track.since}`,
        );
      }
    }
  }

  violate(kind: string, pod: string, detail: string): void {
    const historyThen = this.pods.has(pod) ? this.history(pod, 12) : undefined;
    this.violations.push({
      kind,
      pod,
      detail,
      at: new Date().toISOString(),
      ...(historyThen ? { historyThen } : {}),
    });
  }

  /** The pod's recorded history, one line per observed state. */
  history(pod: string, last?: number): string {
    const track = this.pods.get(pod);
    if (!track) return '  (never seen)';
    const t0 = track.steps[0]?.t ?? 0;
    return (last ? track.steps.slice(-last) : track.steps)
      .map(
        (s) =>
          `  +${((s.t - t0) / 1000).toFixed(1)}s ${s.type} rv=${s.rv} phase=${s.phase || '-'} id=${s.id || '-'} ${s.images} imageID[${s.imageIDs}] cid[${s.containerIDs}] ${s.ready}${s.stop ? ` stop=${s.stop}` : ''}${s.failure ? ` failure=${s.failure}` : ''}${s.waiting ? ` waiting[${s.waiting}]` : ''}${s.podPhase && s.podPhase !== 'Running' ? ` pod=${s.podPhase}` : ''}${s.hash ? ` hash=${s.hash}` : ''}${s.gap ? ' (after a relist)' : ''}${s.update ? ` update=${s.update}` : ''}`,
      )
      .join('\n');
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
