import type { KubeClient } from '@agentbox/controller';
import { type ControllerKind, type ControllerProcess, startControllerProcess } from './controller-process.js';

/** Memory of one controller holding every pool pod in its cache. */
export interface MemoryRound {
  kind: ControllerKind;
  pods: number;
  syncMs: number;
  rssBytes: number;
  heapBytes: number;
  rssStartBytes: number;
}

/** Starts the controller over every namespace, waits for sync, stays `steadyMs`, and samples RSS and heap. */
export async function measureMemory(options: {
  kind: ControllerKind;
  kube: KubeClient;
  pods: number;
  kubeconfigPath: string;
  goBinary: string;
  concurrency: number;
  steadyMs: number;
}): Promise<MemoryRound> {
  let proc: ControllerProcess | undefined;
  try {
    proc = await startControllerProcess(options.kind, {
      kubeconfigPath: options.kubeconfigPath,
      goBinary: options.goBinary,
      concurrency: options.concurrency,
    });
    const rssStartBytes = proc.rssBytes();
    await new Promise((r) => setTimeout(r, options.steadyMs));
    return {
      kind: options.kind,
      pods: options.pods,
      syncMs: proc.syncMs,
      rssStartBytes,
      rssBytes: proc.rssBytes(),
      heapBytes: await proc.heapBytes(),
    };
  } finally {
    await proc?.stop();
  }
}
