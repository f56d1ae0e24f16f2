import { createHash } from 'node:crypto';
import { canonicalJson } from './internal/canonical-json.js';
import type { SandboxPool } from './sandbox-pool.js';

/** The template-hash label of a pool's pods: `<spec part>-<idle image part>`. */
export interface TemplateHash {
  /** The label value. */
  value: string;
  /** Hash of everything but the idle image of container 0. */
  spec: string;
  /** Hash of the idle image of container 0. */
  image: string;
}

/** The image an idle pod's container 0 runs: the pool's `idleImage`, else the template's own. */
export function effectiveIdleImage(pool: SandboxPool): string | undefined {
  const idle = pool.spec?.idleImage;
  if (idle !== undefined && idle !== '') return idle;
  return pool.spec?.template?.spec?.containers?.[0]?.image;
}

/**
 * The hash of a pool's template and idle image, in two parts so that a change of the idle image alone is
 * recognisable from a pod's label (the pod can then be switched in place instead of recreated). Keys are
 * sorted before hashing, so the order the API server returns them in never matters.
 */
export function templateHashOf(pool: SandboxPool): TemplateHash {
  const template = structuredClone(pool.spec?.template ?? {});
  const policy = pool.spec?.podCreationImagePolicy ?? 'IdleImage';
  const first = template.spec?.containers?.[0];
  // Under IdleImage the template's own image of container 0 never reaches an idle pod.
  const creationImage0 = policy === 'PoolDefaultImage' ? first?.image : undefined;
  if (first !== undefined) delete first.image;
  const spec = digest({ template, policy, creationImage0 });
  const image = digest({ idle: effectiveIdleImage(pool) ?? '' });
  return { value: `${spec}-${image}`, spec, image };
}

/** True when a pod's label differs from `current` only in the idle-image part. */
export function onlyIdleImageChanged(podLabel: string | undefined, current: TemplateHash): boolean {
  if (podLabel === undefined || podLabel === current.value) return false;
  const [spec, image] = podLabel.split('-');
  return spec === current.spec && image !== undefined && image !== current.image;
}

function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 10);
}
