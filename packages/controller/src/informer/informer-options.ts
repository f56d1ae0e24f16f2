import { type Clock, systemClock } from '@agentbox/core';
import { type Logger, silentLogger } from '../observability/logger.js';
import { systemTimers, type Timers } from '../queue/timers.js';
import type { InformerOptions } from './informer.js';

/** InformerOptions with every default filled in. */
export interface ResolvedInformerOptions<T>
  extends Required<Omit<InformerOptions<T>, 'labelSelector' | 'fieldSelector'>> {
  labelSelector: string | undefined;
  fieldSelector: string | undefined;
  clock: Clock;
  timers: Timers;
  logger: Logger;
}

/** Fills in the defaults of InformerOptions (documented on each option). */
export function resolveInformerOptions<T>(options: InformerOptions<T>): ResolvedInformerOptions<T> {
  return {
    kube: options.kube,
    path: options.path,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    transform: options.transform ?? ((obj: unknown) => obj as T),
    indexers: options.indexers ?? {},
    watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
    watchdogMs: options.watchdogMs ?? 90_000,
    silenceProbeMs: options.silenceProbeMs ?? 10_000,
    relistIntervalMs: options.relistIntervalMs ?? 0,
    backoffInitialMs: options.backoffInitialMs ?? 200,
    backoffMaxMs: options.backoffMaxMs ?? 30_000,
    pageSize: options.pageSize ?? 100,
    clock: options.clock ?? systemClock,
    timers: options.timers ?? systemTimers,
    logger: options.logger ?? silentLogger,
  };
}
