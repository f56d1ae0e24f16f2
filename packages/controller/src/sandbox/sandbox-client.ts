import type { SandboxStopReason, UpdateExplanation } from '@agentbox/core';
import type { Sandbox, SandboxRef } from './sandbox.js';

/** What `claim` asks for. */
export interface ClaimOptions {
  /** Namespace of the pool. */
  namespace: string;
  /** Name of the SandboxPool. */
  pool: string;
  /** Image of container 0. Default: the template's image (the pool's workload image). */
  image?: string;
  /** Images by container name (wins over `image` for container 0). Default: none. */
  containerImages?: Readonly<Record<string, string>>;
  /** The sandbox id (a valid label value). Default: a new UUIDv7. */
  sandboxId?: string;
  /** Labels added to the pod while claimed. Default: none. */
  labels?: Readonly<Record<string, string>>;
  /** Annotations added to the pod while claimed. Default: none. */
  annotations?: Readonly<Record<string, string>>;
  /** Free-form strings stored in the `sandbox-metadata` annotation. Default: none. */
  metadata?: Readonly<Record<string, string>>;
  /** Released after this long without activity. Default: the pool's `defaultIdleTimeout`. */
  idleTimeoutSeconds?: number;
  /** Released when not running after this long. Default: the pool's `defaultStartupTimeout`, else 120. */
  startupTimeoutSeconds?: number;
  /** Wait this long for an idle pod when none is free (woken by a watch). Default: 0 (fail at once). */
  waitForIdleMs?: number;
  /** Aborts the claim. */
  signal?: AbortSignal;
}

/** What `release` does. */
export interface ReleaseOptions {
  /** Default: `Completed` when running, `Canceled` while starting. */
  reason?: SandboxStopReason;
  /** Aborts the release. */
  signal?: AbortSignal;
}

/** Which sandboxes `list` returns. */
export interface ListSandboxesOptions {
  /** Default: all namespaces. */
  namespace?: string;
  /** Default: every pool. */
  pool?: string;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/**
 * The phase `wait` waits for: `released` = the sandbox id is gone from the pod, or the pod is idle or gone (an id
 * no pod carries any more is released at once, like `kubectl wait --for=delete`).
 */
export type WaitPhase = 'running' | 'idle' | 'released';

/** One progress report of `wait`. */
export interface WaitProgress {
  /** Current sandbox phase of the pod (`deleted` once it is gone). */
  phase: string;
  /** Time since the wait began. */
  elapsedMs: number;
  /** explainUpdate's answer for the pod, when `explain` was asked for. */
  explanation?: UpdateExplanation;
}

/** How `wait` waits. */
export interface WaitOptions {
  phase: WaitPhase;
  /** Gives up with WaitTimeoutError after this long. */
  timeoutMs: number;
  /** Aborts the wait (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Called on every change of the pod. */
  onProgress?: (progress: WaitProgress) => void;
  /** Explain the pending update on every change (costs resolver calls). Default: false. */
  explain?: boolean;
}

/** The answer of `explain`: the sandbox and what its pending update awaits. */
export interface SandboxExplanation {
  sandbox: Sandbox;
  explanation: UpdateExplanation;
  /** The first pending reason in one line (`container main: ImagePullBackOff: …`); absent when complete. */
  summary?: string;
}

/** Claims, releases and watches sandboxes of SandboxPools, directly against the API server (no controller call). */
export interface SandboxClient {
  /** Claims an idle pod of the pool (T2, or T3 when its images are already the idle pod's). */
  claim(options: ClaimOptions): Promise<Sandbox>;
  /** Releases a sandbox: back to the idle images through `stopping` (a no-op when already released). */
  release(ref: SandboxRef, options?: ReleaseOptions): Promise<Sandbox>;
  /** Sets `last-active` to now, postponing the idle timeout. */
  touch(ref: SandboxRef, options?: { signal?: AbortSignal }): Promise<Sandbox>;
  /** Reads one sandbox. */
  get(ref: SandboxRef, options?: { signal?: AbortSignal }): Promise<Sandbox>;
  /** Lists claimed pool pods as sandboxes. */
  list(options?: ListSandboxesOptions): Promise<Sandbox[]>;
  /** Waits, watching the pod, until the sandbox reaches `phase`. */
  wait(ref: SandboxRef, options: WaitOptions): Promise<Sandbox>;
  /** Explains what the sandbox's pending update awaits. */
  explain(ref: SandboxRef, options?: { signal?: AbortSignal }): Promise<SandboxExplanation>;
  /** Closes the connections (and the default resolver). */
  close(): Promise<void>;
}
