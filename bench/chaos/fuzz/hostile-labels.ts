import { TemplateHashLabelKey } from '@agentbox/controller';
import {
  ManagedByLabelKey,
  SandboxIDLabelKey,
  SandboxPhaseLabelKey,
  SandboxPoolLabelKey,
} from '@agentbox/core';
import type { seededRandom } from '../random.js';

type Random = ReturnType<typeof seededRandom>;

/** Which pool a generated pod claims to be in, by its pool label. */
export type PoolMembership = 'pool' | 'ghost' | 'none';

/** Label values kube-apiserver accepts (≤ 63 characters, alphanumerics at both ends, `-_.` inside, or empty). */
const oddValues = (rnd: Random): string[] => [
  '',
  'x',
  'A',
  '0',
  'a.b_c-d',
  'Z'.repeat(63),
  `a${'-'.repeat(61)}z`,
  'idle.running',
  'constructor',
  'hasOwnProperty',
  'proto__x',
  `v${rnd.int(0, 1_000_000)}`,
];

/** Values it refuses: too long, a bad character, a bad first or last character. */
const refusedValues = ['x'.repeat(64), 'a b', '-a', 'a-', 'ü', 'a/b', '_'];

/**
 * Labels for a hostile pod: the agentbox pool, phase, sandbox-id, managed-by and template-hash labels with odd
 * values, plus arbitrary extra keys (long DNS prefixes, 63-character names, dots and dashes). `membership`
 * says whether the pool label names the fuzz pool, a pool that does not exist, or is absent. About one pod
 * in fifty gets a label kube-apiserver refuses, so the create is rejected.
 */
export function hostileLabels(
  rnd: Random,
  pool: string,
  templateHash: string,
  membership: PoolMembership,
): Record<string, string> {
  const labels: Record<string, string> = {};
  const odd = () => rnd.pick(oddValues(rnd)) as string;
  if (membership === 'pool') labels[SandboxPoolLabelKey] = pool;
  if (membership === 'ghost') labels[SandboxPoolLabelKey] = rnd.pick([`${pool}-ghost`, odd()]) as string;
  if (rnd.next() < 0.9) {
    labels[SandboxPhaseLabelKey] =
      rnd.next() < 0.7
        ? (rnd.pick(['idle', 'starting', 'running', 'stopping', 'failed']) as string)
        : (rnd.pick(['', 'IDLE', 'Running', 'unknown', 'completed', odd()]) as string);
  }
  if (rnd.next() < 0.4) labels[SandboxIDLabelKey] = rnd.next() < 0.6 ? `sb-${rnd.int(0, 1e9)}` : odd();
  if (rnd.next() < 0.3) labels[ManagedByLabelKey] = odd();
  // Most pods carry the pool's current template hash, so the stale idle roll replaces only a few of them.
  if (rnd.next() < 0.8) labels[TemplateHashLabelKey] = rnd.next() < 0.85 ? templateHash : odd();
  for (let n = rnd.int(0, 4); n > 0; n--) labels[oddKey(rnd)] = odd();
  if (rnd.next() < 0.02) {
    const refused = rnd.pick(refusedValues) as string;
    if (rnd.next() < 0.5) labels[SandboxPhaseLabelKey] = refused;
    else labels[rnd.pick(['bad key', '-x', 'a/b/c', `${'p'.repeat(254)}/x`, 'x'.repeat(64)]) as string] = 'v';
  }
  return labels;
}

function oddKey(rnd: Random): string {
  const name = rnd.pick(['a', 'A.b-c_d', 'z'.repeat(63), 'x1', 'sandbox-phase', 'sandbox-pool']) as string;
  const prefix = rnd.pick([
    '',
    'agentbox.navix.sh/',
    'example.com/',
    `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}/`,
    'fuzz.test/',
    'kubernetes.io/',
  ]) as string;
  return `${prefix}${name}`;
}
