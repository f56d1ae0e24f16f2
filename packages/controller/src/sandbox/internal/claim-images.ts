import { ContainerNotFoundError, NoContainersError, TargetImageRequiredError } from '@agentbox/core';
import type { SandboxPool } from '../../pool/sandbox-pool.js';

/** What a claim asks for: container 0's image and/or images by container name. */
export interface ClaimImageRequest {
  image?: string | undefined;
  containerImages?: Readonly<Record<string, string>> | undefined;
}

/**
 * The image of every container of the pool's template for a claim: container 0 gets `image`, named
 * containers get `containerImages` (which wins for container 0 too), the others keep the template's image.
 * Validates before anything is written: an empty image is TargetImageRequiredError, a name the template
 * does not have is ContainerNotFoundError, a template without containers is NoContainersError.
 */
export function claimImages(pool: SandboxPool, request: ClaimImageRequest): Record<string, string> {
  const containers = pool.spec?.template?.spec?.containers ?? [];
  if (containers.length === 0) throw new NoContainersError();
  const images: Record<string, string> = {};
  for (const c of containers) images[c.name ?? ''] = c.image ?? '';
  const first = containers[0]?.name ?? '';
  if (request.image !== undefined) images[first] = request.image;
  for (const [name, image] of Object.entries(request.containerImages ?? {})) {
    if (!Object.hasOwn(images, name)) throw new ContainerNotFoundError(name);
    images[name] = image;
  }
  for (const [name, image] of Object.entries(images)) {
    if (image.trim() === '') throw new TargetImageRequiredError(name);
  }
  return images;
}

/**
 * The idle image of every container of `pod` as the pool defines it: container 0 gets the pool's
 * `idleImage` (the template's image when empty), the others the template's image for their name. A
 * container the template does not know keeps its current image.
 */
export function poolIdleImages(
  pool: SandboxPool,
  pod: { spec?: { containers?: { name?: string; image?: string }[] } },
): Record<string, string> {
  const template = pool.spec?.template?.spec?.containers ?? [];
  const byName = new Map(template.map((c) => [c.name ?? '', c.image ?? '']));
  const idle: Record<string, string> = {};
  const podContainers = pod.spec?.containers ?? [];
  // Container 0 is the template's first container; pods are created from the template in its order.
  const first = template[0]?.name ?? podContainers[0]?.name ?? '';
  for (const c of podContainers) {
    const name = c.name ?? '';
    idle[name] =
      name === first && pool.spec?.idleImage ? pool.spec.idleImage : (byName.get(name) ?? c.image ?? '');
  }
  return idle;
}
