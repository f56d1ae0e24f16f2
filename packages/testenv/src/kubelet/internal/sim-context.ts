import type { CoreV1Api } from '@kubernetes/client-node';
import type { RuntimeFormat } from '../container-runtime.js';

/** What every pod actor of one simulator shares. */
export interface SimContext {
  core: CoreV1Api;
  nodeName: string;
  hostIP: string;
  format: RuntimeFormat;
  resolveDigest: (image: string) => Promise<string>;
  /** The node's image store: spec image → manifest digest of what was pulled. */
  images: Map<string, string>;
  pullDelayMs: number;
  statusLagMs: number;
  statusRetryMs: number;
  splitStatusWrites: boolean;
  readyDelayMs: number;
  restartDelayMs: number;
  pullBackOffMs: number;
  maxPullBackOffMs: number;
  /** containerd's image records (digest → the `image` and `imageID` it reports), when `imageRecords` is on. */
  imageRecords: Map<string, { image: string; imageID: string }> | undefined;
  generationStatusWrite: boolean;
  /** 0: no crash back-off. */
  crashLoopBackOffMs: number;
  maxCrashLoopBackOffMs: number;
  /** kubelet's crash back-off entries, by pod UID + container name + image. */
  crashBackOff: Map<string, { backOffMs: number; lastUpdate: number }>;
  handlesSigterm(image: string): boolean;
  allocatePodIP(): string;
  /** Runs `fn` after `ms` unless the simulator stopped; the timer is cancelled by stop(). */
  later(ms: number, fn: () => void): void;
  isStopped(): boolean;
  report(err: unknown): void;
}
