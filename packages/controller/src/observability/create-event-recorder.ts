import { hostname } from 'node:os';
import { type Clock, systemClock } from '@agentbox/core';
import { isNotFoundError } from '../kube/kube-api-error.js';
import type { KubeClient } from '../kube/kube-client.js';
import { eventsPath } from '../kube/kube-paths.js';
import type { EventObjectRef, EventRecorder } from './event-recorder.js';
import { type Logger, silentLogger } from './logger.js';

/** Options of createEventRecorder. */
export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent` of every Event. Default: `agentbox-controller`. */
  component?: string;
  /** `reportingInstance`. Default: the host name. */
  instance?: string;
  clock?: Clock;
  logger?: Logger;
  /** Aggregation entries remembered (least recently used dropped first). Default: 4096. */
  maxEntries?: number;
  /**
   * Event writes waiting or in flight; beyond it new Events are dropped (logged, and `event` returns false so
   * the caller can record it again later). Default: 5000.
   */
  maxPending?: number;
  /** Longest message kept (the rest is cut). Default: 1024 characters. */
  maxMessageLength?: number;
  /**
   * Event writes sent at once; the others wait their turn here, not in the API client's connection pool, so
   * a burst of Events (200 completions make 200) never queues ahead of the controller's pod writes. client-go's
   * broadcaster sends from one goroutine. Default: 2.
   */
  maxInFlight?: number;
}

interface Aggregate {
  namespace: string;
  /** The Event's name once created. */
  name: string | undefined;
  object: EventObjectRef;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  writing: boolean;
  dirty: boolean;
}

/**
 * Records core/v1 Events like client-go's recorder: the same object (kind, namespace, name, uid), type and reason
 * bump `count` and `lastTimestamp` of the Event already written (a merge PATCH) instead of creating another.
 * Writes run in the background, at most `maxInFlight` at once and one at a time per aggregate (repeats while one
 * waits or is in flight fold into its next write); the number waiting is bounded; failures are logged, never
 * thrown.
 */
export function createEventRecorder(kube: KubeClient, options: EventRecorderOptions = {}): EventRecorder {
  const component = options.component ?? 'agentbox-controller';
  const instance = options.instance ?? hostname();
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const maxEntries = options.maxEntries ?? 4096;
  const maxPending = options.maxPending ?? 5000;
  const maxMessageLength = options.maxMessageLength ?? 1024;
  const maxInFlight = options.maxInFlight ?? 2;

  const aggregates = new Map<string, Aggregate>();
  const inFlight = new Set<Promise<void>>();
  // Aggregates with a write due, in order; `pending` counts them and the ones in flight.
  const due: Aggregate[] = [];
  let pending = 0;
  let dropped = 0;

  function keyOf(object: EventObjectRef, type: string, reason: string): string {
    return [object.kind, object.namespace, object.name, object.uid ?? '', type, reason].join('\u0000');
  }

  function schedule(agg: Aggregate): void {
    if (agg.writing) {
      agg.dirty = true;
      return;
    }
    agg.writing = true;
    pending++;
    due.push(agg);
    pump();
  }

  function pump(): void {
    while (inFlight.size < maxInFlight && due.length > 0) {
      const agg = due.shift() as Aggregate;
      const p = write(agg).finally(() => {
        pending--;
        inFlight.delete(p);
        agg.writing = false;
        if (agg.dirty) {
          agg.dirty = false;
          schedule(agg);
        }
        pump();
      });
      inFlight.add(p);
    }
  }

  async function write(agg: Aggregate): Promise<void> {
    try {
      if (agg.name !== undefined) {
        try {
          await kube.request({
            method: 'PATCH',
            path: eventsPath(agg.namespace, agg.name),
            body: { count: agg.count, lastTimestamp: agg.lastTimestamp, message: agg.message },
          });
          return;
        } catch (err) {
          // Events expire (one hour by default): a vanished one is created anew.
          if (!isNotFoundError(err)) throw err;
          agg.name = undefined;
        }
      }
      const name = `${agg.object.name}.${eventSuffix(clock.now())}`;
      await kube.request({
        method: 'POST',
        path: eventsPath(agg.namespace),
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace: agg.namespace },
          involvedObject: {
            apiVersion: agg.object.apiVersion,
            kind: agg.object.kind,
            namespace: agg.object.namespace,
            name: agg.object.name,
            ...(agg.object.uid ? { uid: agg.object.uid } : {}),
            ...(agg.object.resourceVersion ? { resourceVersion: agg.object.resourceVersion } : {}),
          },
          type: agg.type,
          reason: agg.reason,
          message: agg.message,
          count: agg.count,
          firstTimestamp: agg.firstTimestamp,
          lastTimestamp: agg.lastTimestamp,
          source: { component },
          reportingComponent: component,
          reportingInstance: instance,
        },
      });
      agg.name = name;
    } catch (err) {
      logger.warn(
        {
          namespace: agg.object.namespace,
          kind: agg.object.kind,
          name: agg.object.name,
          reason: agg.reason,
          err: err instanceof Error ? err.message : String(err),
        },
        'event not written',
      );
    }
  }

  return {
    event(object, type, reason, message) {
      try {
        const key = keyOf(object, type, reason);
        const now = timestamp(clock.now());
        const text =
          message.length > maxMessageLength ? `${message.slice(0, maxMessageLength - 1)}…` : message;
        let agg = aggregates.get(key);
        if (agg) {
          aggregates.delete(key); // re-inserted below: most recently used last
          agg.count++;
          agg.lastTimestamp = now;
          agg.message = text;
          agg.object = object;
        } else {
          if (pending >= maxPending) {
            dropped++;
            if (dropped === 1 || dropped % 100 === 0)
              logger.warn({ dropped, reason, kind: object.kind }, 'too many events waiting; event dropped');
            return false;
          }
          agg = {
            namespace: object.namespace,
            name: undefined,
            object,
            type,
            reason,
            message: text,
            count: 1,
            firstTimestamp: now,
            lastTimestamp: now,
            writing: false,
            dirty: false,
          };
        }
        aggregates.set(key, agg);
        if (aggregates.size > maxEntries) {
          for (const [k, old] of aggregates) {
            if (aggregates.size <= maxEntries) break;
            if (!old.writing) aggregates.delete(k);
          }
        }
        schedule(agg);
        return true;
      } catch (err) {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'event recorder failed');
        return false;
      }
    },
    async flush() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** Event timestamps are whole seconds (metav1.Time). */
function timestamp(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** client-go names an Event `<object>.<unix nanoseconds in hex>`. */
function eventSuffix(d: Date): string {
  const nanos = BigInt(d.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
  return nanos.toString(16);
}
