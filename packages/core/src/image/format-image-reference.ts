import type { ImageReference } from './parse-image-reference.js';

/** Options of formatImageReference. */
export interface FormatImageReferenceOptions {
  /** Docker's familiar form: `docker.io/` and `library/` left out (`ubuntu:22.04`). Default: false. */
  familiar?: boolean;
}

/** Formats a parsed reference back to a string: `name[:tag][@digest]`, fully qualified unless `familiar`. */
export function formatImageReference(ref: ImageReference, options: FormatImageReferenceOptions = {}): string {
  const name = options.familiar === true ? familiarName(ref) : ref.name;
  return (
    name + (ref.tag === undefined ? '' : `:${ref.tag}`) + (ref.digest === undefined ? '' : `@${ref.digest}`)
  );
}

// Mirrors distribution/reference familiarizeName: Docker Hub names drop the registry, and official
// images (`library/x`, one component after the prefix) drop `library/`. Unlike Docker, the registry is
// kept when the first path component would read back as a host (`docker.io/a.b/c`), so the familiar form
// always parses back to the same reference.
function familiarName(ref: ImageReference): string {
  if (ref.registry !== 'docker.io') return ref.name;
  const rest = ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : undefined;
  if (rest !== undefined && !rest.includes('/')) return rest;
  const first = ref.repository.slice(0, ref.repository.indexOf('/'));
  return first.includes('.') || first === 'localhost' ? ref.name : ref.repository;
}
