/** A deterministic, well-formed `sha256:<64 hex>` derived from `seed` (not a real hash of anything). */
export function fakeDigest(seed: string): string {
  let hex = '';
  for (let round = 0; round < 8; round++) {
    // FNV-1a, salted per round, 8 hex characters each.
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    hex += (h >>> 0).toString(16).padStart(8, '0');
  }
  return `sha256:${hex}`;
}
