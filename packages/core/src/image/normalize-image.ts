import { formatImageReference } from './format-image-reference.js';
import { parseImageReference } from './parse-image-reference.js';

/**
 * The familiar form Docker prints for an image — `FamiliarString(TagNameOnly(ParseNormalizedNamed(ref)))`:
 * `docker.io/library/ubuntu:22.04` → `ubuntu:22.04`, `docker.io/foo/bar` → `foo/bar:latest`,
 * `ubuntu` → `ubuntu:latest`, `quay.io/a/b@sha256:…` unchanged. Two references with the same normal form
 * name the same image. Throws InvalidReferenceError naming the input.
 */
export function normalizeImage(ref: string): string {
  return formatImageReference(parseImageReference(ref), { familiar: true });
}
