// Cross-check against Go: test/fixtures/reference-go.jsonl holds what github.com/distribution/reference
// v0.6.0 (`ParseNormalizedNamed`, `FamiliarString(TagNameOnly(…))`) makes of 2651 candidate references,
// valid and invalid. We agree on every one except three deliberate, documented deviations.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../errors/invalid-reference-error.js';
import { normalizeImage } from './normalize-image.js';
import { parseImageReference } from './parse-image-reference.js';

interface GoVector {
  input: string;
  ok: boolean;
  domain?: string;
  path?: string;
  tag?: string;
  digest?: string;
  familiar?: string;
  error?: string;
}

const vectors: GoVector[] = readFileSync(
  new URL('../../test/fixtures/reference-go.jsonl', import.meta.url),
  'utf8',
)
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line));

type Verdict = 'same' | 'host lower-cased' | 'familiar keeps docker.io/' | 'hostless name rejected';

function compare(g: GoVector): Verdict {
  if (!g.ok) {
    expect(() => parseImageReference(g.input), g.input).toThrow(InvalidReferenceError);
    return 'same';
  }
  // Go's quirk: a first component that is neither a valid host nor a Hub namespace (`a_b.io/x`) yields a
  // name with an empty registry. We refuse it: there is no registry to ask.
  if (g.domain === undefined) {
    expect(() => parseImageReference(g.input), g.input).toThrow(InvalidReferenceError);
    return 'hostless name rejected';
  }
  const ours = parseImageReference(g.input);
  expect(ours.digest, g.input).toBe(g.digest);
  expect(ours.tag, g.input).toBe(g.tag ?? (g.digest === undefined ? 'latest' : undefined));
  const host = g.domain.toLowerCase();
  if (g.domain !== host && (/[.:]/.test(host) || host === 'localhost')) {
    // Host names are case-insensitive; Go keeps the case as written.
    expect(ours.registry, g.input).toBe(host === 'index.docker.io' ? 'docker.io' : host);
    expect(ours.repository.endsWith(g.path!), g.input).toBe(true);
    return 'host lower-cased';
  }
  expect([ours.registry, ours.repository], g.input).toEqual([g.domain, g.path]);
  const first = g.path!.split('/')[0]!;
  if (g.domain === 'docker.io' && g.path!.includes('/') && first.includes('.')) {
    // Go's familiar `a.b/c` would read back as registry `a.b`; we keep `docker.io/`.
    expect(normalizeImage(g.input), g.input).toBe(`docker.io/${g.familiar}`);
    return 'familiar keeps docker.io/';
  }
  expect(normalizeImage(g.input), g.input).toBe(g.familiar);
  return 'same';
}

describe('image references agree with Go distribution/reference v0.6.0', () => {
  it('on every vector, deviations aside', () => {
    expect(vectors.length).toBeGreaterThan(2000);
    const verdicts: Record<string, number> = {};
    for (const g of vectors) {
      const verdict = compare(g);
      verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
    }
    console.log('reference vectors vs Go:', JSON.stringify(verdicts));
    expect(verdicts['same']).toBeGreaterThan(vectors.length * 0.95);
  });
});
