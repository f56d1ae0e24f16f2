import { FakeClock, fakeDigest, UnseededReferenceError, SeededDigestResolver } from '@agentbox/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withCache } from './with-cache.js';

const TAGS = ['a', 'b', 'c', 'd', 'e'];
const TTL = 100;
const NEGATIVE_TTL = 30;
const MAX = 3;

type Op =
  | { kind: 'resolve'; tag: number }
  | { kind: 'push'; tag: number }
  | { kind: 'delete'; tag: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'invalidate'; tag: number };

const tag = fc.integer({ min: 0, max: TAGS.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: tag.map((t) => ({ kind: 'resolve' as const, tag: t })) },
  { weight: 2, arbitrary: tag.map((t) => ({ kind: 'push' as const, tag: t })) },
  { weight: 1, arbitrary: tag.map((t) => ({ kind: 'delete' as const, tag: t })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 60 }).map((ms) => ({ kind: 'advance' as const, ms })) },
  { weight: 1, arbitrary: tag.map((t) => ({ kind: 'invalidate' as const, tag: t })) },
);

/** What a correct cache answers: a plain model of TTL, negative TTL, LRU order and invalidation. */
class Model {
  now = 0;
  calls = 0;
  readonly registry = new Map<number, string>();
  // Insertion order is recency order: the first key is the least recently used.
  readonly entries = new Map<number, { outcome: string | 'missing'; expiresAt: number }>();

  resolve(t: number): string | 'missing' {
    const entry = this.entries.get(t);
    if (entry !== undefined && entry.expiresAt > this.now) {
      this.entries.delete(t);
      this.entries.set(t, entry);
      return entry.outcome;
    }
    this.entries.delete(t);
    this.calls++;
    const outcome = this.registry.get(t) ?? 'missing';
    this.entries.set(t, { outcome, expiresAt: this.now + (outcome === 'missing' ? NEGATIVE_TTL : TTL) });
    if (this.entries.size > MAX) this.entries.delete(this.entries.keys().next().value!);
    return outcome;
  }
}

describe('withCache against a model (property)', () => {
  it('answers every sequence of resolves, pushes, deletions, clock moves and invalidations like the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const clock = new FakeClock(0);
        const upstream = new SeededDigestResolver();
        const cached = withCache(upstream, {
          clock,
          ttlMs: TTL,
          negativeTtlMs: NEGATIVE_TTL,
          maxEntries: MAX,
        });
        const model = new Model();
        let version = 0;
        for (const o of ops) {
          switch (o.kind) {
            case 'resolve': {
              const expected = model.resolve(o.tag);
              const got = await cached.resolve(`${TAGS[o.tag]}:v1`).catch((e: unknown) => {
                expect(e).toBeInstanceOf(UnseededReferenceError);
                return 'missing';
              });
              expect(got).toBe(expected);
              expect(upstream.calls).toHaveLength(model.calls);
              break;
            }
            case 'push': {
              const digest = fakeDigest(`push-${version++}`);
              model.registry.set(o.tag, digest);
              upstream.setDigest(`${TAGS[o.tag]}:v1`, digest);
              upstream.fail(`${TAGS[o.tag]}:v1`, undefined);
              break;
            }
            case 'delete':
              model.registry.delete(o.tag);
              upstream.fail(`${TAGS[o.tag]}:v1`, new UnseededReferenceError('deleted'));
              break;
            case 'advance':
              model.now += o.ms;
              clock.advance(o.ms);
              break;
            case 'invalidate':
              expect(cached.invalidate(`docker.io/library/${TAGS[o.tag]}:v1`)).toBe(
                model.entries.delete(o.tag) ? 1 : 0,
              );
              break;
          }
        }
        expect(cached.stats().size).toBe(model.entries.size);
      }),
      { numRuns: 300 },
    );
  });
});
