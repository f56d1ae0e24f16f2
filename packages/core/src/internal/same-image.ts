import { normalizeImage } from '../image/normalize-image.js';

/**
 * True when two references name the same image after normalisation (`docker.io/library/x:1` ≡ `x:1`,
 * `x` ≡ `x:latest`); a reference that does not parse is compared as written.
 */
export function sameImage(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return normalizeImage(a) === normalizeImage(b);
  } catch {
    return false;
  }
}
