import { InvalidReferenceError } from '../errors/invalid-reference-error.js';
import { digestProblem } from '../internal/validate-digest.js';
import { parseImageReference } from './parse-image-reference.js';

const runtimePrefixes = ['docker-pullable://', 'docker://'];

/**
 * The content digest in a container status `imageID`: `repo@sha256:<64 hex>`, bare `sha256:<64 hex>`,
 * `docker-pullable://repo@sha256:…` or `docker://sha256:…`. Anything else throws InvalidReferenceError
 * naming the input.
 */
export function digestFromImageID(imageID: string): string {
  if (typeof imageID !== 'string' || imageID === '') {
    throw new InvalidReferenceError(String(imageID), 'empty image ID');
  }
  let rest = imageID;
  for (const prefix of runtimePrefixes) {
    if (rest.startsWith(prefix)) {
      rest = rest.slice(prefix.length);
      break;
    }
  }
  if (!rest.includes('@')) {
    const problem = digestProblem(rest);
    if (problem !== undefined) throw new InvalidReferenceError(imageID, `not a digest image ID: ${problem}`);
    return rest;
  }
  try {
    // An `@` always yields a digest (or a parse error), so the assertion holds.
    return parseImageReference(rest).digest!;
  } catch (err) {
    throw new InvalidReferenceError(imageID, `not a digest image ID: ${(err as Error).message}`);
  }
}
