/** The object an Event is about. */
export interface EventObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

/**
 * Records core/v1 Events, aggregated like client-go's recorder: the same object, type and reason within a
 * window bump `count` and `lastTimestamp` of one Event instead of creating another. Never throws and never
 * blocks the caller (writes happen in the background; failures are logged).
 */
export interface EventRecorder {
  /** Records an Event; false when it was dropped (too many waiting), so a caller that must report it can retry. */
  event(object: EventObjectRef, type: 'Normal' | 'Warning', reason: string, message: string): boolean;
  /** Resolves when every Event recorded so far has been written (or has failed). */
  flush(): Promise<void>;
}
