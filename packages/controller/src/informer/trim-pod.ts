import type { Pod } from '@agentbox/core';
import { ValueInterner } from './internal/value-interner.js';

type Json = Record<string, unknown>;

const metadataFields = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'labels',
  'annotations',
  'creationTimestamp',
  'deletionTimestamp',
  'finalizers',
  'ownerReferences',
] as const;

const containerStatusFields = [
  'name',
  'image',
  'imageID',
  'containerID',
  'restartCount',
  'ready',
  'started',
  'state',
  'lastState',
] as const;

// One table for every pod informer of the process: pods repeat the same small values across pools too.
const interner = new ValueInterner();

/**
 * Keeps only the pod fields the controller reads (metadata without managedFields; containers' names and
 * images, pull secrets, node name; phase, conditions' type and status, container statuses), so 10,000 cached
 * pods stay small. Values that repeat across pods (labels, containers, owner references, finalizers,
 * conditions, namespace, images) are shared between the trimmed pods and frozen: the result is for reading
 * only (cached pods are never written back; copy before editing).
 */
export function trimPod(obj: unknown): Pod {
  const pod = (obj ?? {}) as Json;
  const out: Json = {};
  const metadata = pick(pod['metadata'], metadataFields);
  if (metadata) {
    if ('namespace' in metadata) metadata['namespace'] = interner.string(metadata['namespace']);
    for (const field of ['labels', 'finalizers', 'ownerReferences'] as const) {
      if (field in metadata) metadata[field] = interner.shared(metadata[field]);
    }
    out['metadata'] = metadata;
  }

  const spec = pod['spec'] as Json | undefined;
  if (spec) {
    const trimmed: Json = {};
    if (Array.isArray(spec['containers'])) {
      trimmed['containers'] = interner.shared(
        spec['containers'].map((c) => pick(c, ['name', 'image'] as const) ?? {}),
      );
    }
    if (Array.isArray(spec['imagePullSecrets'])) {
      trimmed['imagePullSecrets'] = interner.shared(spec['imagePullSecrets']);
    }
    if (spec['nodeName'] !== undefined) trimmed['nodeName'] = interner.string(spec['nodeName']);
    out['spec'] = trimmed;
  }

  const status = pod['status'] as Json | undefined;
  if (status) {
    const trimmed = pick(status, ['phase', 'reason', 'message'] as const) ?? {};
    if ('phase' in trimmed) trimmed['phase'] = interner.string(trimmed['phase']);
    if (Array.isArray(status['conditions'])) {
      trimmed['conditions'] = interner.shared(
        status['conditions'].map((c) => pick(c, ['type', 'status'] as const) ?? {}),
      );
    }
    if (Array.isArray(status['containerStatuses'])) {
      trimmed['containerStatuses'] = status['containerStatuses'].map((c) => {
        const cs = pick(c, containerStatusFields) ?? {};
        for (const field of ['name', 'image', 'imageID'] as const) {
          if (field in cs) cs[field] = interner.string(cs[field]);
        }
        if ('lastState' in cs) cs['lastState'] = interner.shared(cs['lastState']);
        return cs;
      });
    }
    out['status'] = trimmed;
  }
  return out as Pod;
}

/** A new object with the listed fields of `from` that are present, or undefined when `from` is not an object. */
function pick(from: unknown, fields: readonly string[]): Json | undefined {
  if (from === null || typeof from !== 'object') return undefined;
  const source = from as Json;
  const out: Json = {};
  for (const field of fields) {
    const value = source[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}
