import {
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  type PodStatus,
  SandboxClaimedAtAnnotationKey,
  SandboxIDAnnotationKey,
  SandboxIdleTimeoutAnnotationKey,
  SandboxLastActiveAnnotationKey,
  SandboxManagedAnnotationKeysAnnotationKey,
  SandboxManagedLabelKeysAnnotationKey,
  SandboxMetadataAnnotationKey,
  SandboxProtectionFinalizer,
  SandboxRunningImagesAnnotationKey,
  SandboxScaleDownProtectedAnnotationKey,
  SandboxStartedAtAnnotationKey,
  SandboxStartupTimeoutAnnotationKey,
  SandboxStopReasonAnnotationKey,
} from '@agentbox/core';
import type { seededRandom } from '../random.js';
import { hostileImageReference } from './hostile-image-reference.js';
import { hostileLabels, type PoolMembership } from './hostile-labels.js';
import { hostileStateAnnotation } from './hostile-state-annotation.js';
import { partialStatus } from './partial-status.js';

type Random = ReturnType<typeof seededRandom>;

/** A finalizer of the fuzz itself, so that a pod it deletes stays, marked deleting, for the controller to see. */
export const FuzzHoldFinalizer = 'fuzz.test/hold';

/** What the fuzz generates for one case. */
export interface HostilePod {
  /** The pod to create (its status is ignored on create). */
  pod: Pod;
  /** The status to write through the status subresource afterwards, when any. */
  status?: PodStatus;
  /** Whether the pool label names the fuzz pool, a pool that does not exist, or is absent. */
  membership: PoolMembership;
  /** Delete the pod after creating it (it carries FuzzHoldFinalizer, so it stays, deleting). */
  markDeleting: boolean;
}

/** Where the generated pods live and what they may point at. */
export interface HostilePodContext {
  namespace: string;
  pool: string;
  /** The pool's current template-hash label value. */
  templateHash: string;
  /** The pool's idle image, which most pool pods run in container 0. */
  idleImage: string;
  /** A loopback port nothing listens on: every image reference that parses names it. */
  deadPort: number;
  /** Pull secrets that exist (with odd contents); pods also name ones that do not. */
  pullSecrets: string[];
}

const time = (rnd: Random) =>
  rnd.pick([
    new Date(Date.now() - rnd.int(0, 7_200_000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    '0001-01-01T00:00:00Z',
    '2999-01-01T00:00:00Z',
    'yesterday',
    '2026-13-45T99:99:99Z',
    '',
    '1e9',
  ]) as string;

const number = (rnd: Random) =>
  rnd.pick([
    '0',
    '1',
    '-5',
    'NaN',
    'Infinity',
    '1e309',
    '99999999999999999999',
    '1.5',
    ' 30',
    '0x10',
    '',
    'ten',
  ]) as string;

/**
 * One hostile pod of case `index`: API-valid but odd labels (the agentbox ones included), a state annotation
 * that is often malformed, the other agentbox annotations with odd values (times, numbers, JSON), odd image
 * references in 1–3 containers, pull secrets that exist or not, sometimes the protection finalizer, and a
 * partial status. A few cases are meant to be refused by kube-apiserver (a bad name, label, image or a
 * too-large annotation); the fuzz counts those instead of failing.
 */
export function generateHostilePod(rnd: Random, index: number, ctx: HostilePodContext): HostilePod {
  const membership = rnd.weighted<PoolMembership>({ pool: 86, ghost: 6, none: 8 });
  const name = ((): string => {
    const r = rnd.next();
    if (r < 0.01) return `Fuzz_${index}`;
    // Up to the 253 characters a pod name may have (an Event's name adds `.<hex>`; kube-apiserver takes it).
    if (r < 0.03) return `fz-${index}-`.padEnd(rnd.int(100, 253), 'a');
    return `fz-${index}`;
  })();
  const containerNames = ['main', 'sidecar', 'c-2', 'x'.repeat(63)].slice(0, rnd.int(1, 3));
  const containers = containerNames.map((n, i) => ({
    name: n,
    image:
      i === 0 && membership === 'pool' && rnd.next() < 0.6
        ? ctx.idleImage
        : hostileImageReference(rnd, ctx.deadPort),
  }));
  const annotations: Record<string, string> = {};
  const state = hostileStateAnnotation(rnd, containerNames, ctx.deadPort);
  if (state !== undefined) annotations[PodAnnotationInPlaceUpdateStateKey] = state;
  const odd: [string, () => string][] = [
    [SandboxStartupTimeoutAnnotationKey, () => number(rnd)],
    [SandboxIdleTimeoutAnnotationKey, () => number(rnd)],
    [SandboxClaimedAtAnnotationKey, () => time(rnd)],
    [SandboxStartedAtAnnotationKey, () => time(rnd)],
    [SandboxLastActiveAnnotationKey, () => time(rnd)],
    [SandboxScaleDownProtectedAnnotationKey, () => time(rnd)],
    [SandboxIDAnnotationKey, () => rnd.pick(['', 'sb-1', '🚀', 'x'.repeat(500)]) as string],
    [
      SandboxStopReasonAnnotationKey,
      () => rnd.pick(['Completed', 'Released', 'Failed', 'Whatever', '']) as string,
    ],
    [
      SandboxMetadataAnnotationKey,
      () => rnd.pick(['{"a":"b"}', '{"a":1}', '[', '{"__proto__":{"x":"y"}}', 'null']) as string,
    ],
    [
      SandboxManagedLabelKeysAnnotationKey,
      () => rnd.pick(['["a"]', '[1]', '{', '["__proto__"]', '""']) as string,
    ],
    [SandboxManagedAnnotationKeysAnnotationKey, () => rnd.pick(['[]', '["constructor"]', 'x']) as string],
    [SandboxRunningImagesAnnotationKey, () => rnd.pick(['{"main":"x"}', '{"main":1}', '[]', '{']) as string],
  ];
  for (const [key, value] of odd) if (rnd.next() < 0.25) annotations[key] = value();
  if (rnd.next() < 0.01) annotations['fuzz.test/huge'] = 'h'.repeat(rnd.int(100_000, 300_000));
  if (rnd.next() < 0.1) annotations['fuzz.test/unicode'] = '\u2028\u2029🚀ü\u0000<>&\ud800';

  const finalizers: string[] = [];
  if (rnd.next() < 0.08) finalizers.push(SandboxProtectionFinalizer);
  const markDeleting = rnd.next() < 0.03;
  if (markDeleting) finalizers.push(FuzzHoldFinalizer);
  const spec: Record<string, unknown> = { terminationGracePeriodSeconds: 0, containers };
  if (rnd.next() < 0.2) {
    spec['imagePullSecrets'] = Array.from({ length: rnd.int(1, 2) }, () => ({
      name: rnd.pick([...ctx.pullSecrets, 'missing-secret']),
    }));
  }
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ctx.namespace,
      labels: hostileLabels(rnd, ctx.pool, ctx.templateHash, membership),
      annotations,
      ...(finalizers.length > 0 ? { finalizers } : {}),
    },
    spec: spec as Pod['spec'],
  };
  const status = partialStatus(rnd, containers, ctx.deadPort);
  return status === undefined ? { pod, membership, markDeleting } : { pod, status, membership, markDeleting };
}
