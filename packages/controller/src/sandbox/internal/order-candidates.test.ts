import type { Pod } from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import { orderCandidates, protectionEndMs } from './order-candidates.js';

const now = Date.parse('2026-01-01T00:01:00Z');
const pod = (
  name: string,
  extra: { ready?: boolean; deleting?: boolean; protectedAt?: string } = {},
): Pod => ({
  metadata: {
    name,
    ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    ...(extra.protectedAt
      ? { annotations: { 'agentbox.navix.sh/scale-down-protected': extra.protectedAt } }
      : {}),
  },
  status: {
    conditions: [{ type: 'Ready', status: extra.ready === false ? 'False' : 'True' }],
  } as Pod['status'],
});
const names = (pods: Pod[]) => pods.map((p) => p.metadata?.name);
const options = (random: () => number = () => 0.999) => ({ nowMs: now, protectionMs: 10_000, random });

describe('orderCandidates', () => {
  it('puts Ready pods first and leaves out deleting and freshly protected pods', () => {
    const pods = [
      pod('notready', { ready: false }),
      pod('deleting', { deleting: true }),
      pod('fresh-mark', { protectedAt: '2026-01-01T00:00:55Z' }),
      pod('old-mark', { protectedAt: '2026-01-01T00:00:40Z' }),
      pod('ready'),
    ];
    const ordered = names(orderCandidates(pods, options()));
    expect(ordered.slice(0, 2).sort()).toEqual(['old-mark', 'ready']);
    expect(ordered.slice(2)).toEqual(['notready']);
  });

  it('ignores an unreadable protection mark', () => {
    expect(names(orderCandidates([pod('a', { protectedAt: 'soon' })], options()))).toEqual(['a']);
    expect(protectionEndMs(pod('a', { protectedAt: 'soon' }), 10_000)).toBeUndefined();
    expect(protectionEndMs(pod('a', { protectedAt: '2026-01-01T00:00:55Z' }), 10_000)).toBe(
      Date.parse('2026-01-01T00:01:05Z'),
    );
  });

  it('shuffles within a group (Fisher-Yates driven by the random source) and never mutates its input', () => {
    const pods = ['a', 'b', 'c', 'd'].map((n) => pod(n));
    // random() = 0 swaps each position with the first: a b c d → d b c a → c b d a → b c d a.
    expect(
      names(
        orderCandidates(
          pods,
          options(() => 0),
        ),
      ),
    ).toEqual(['b', 'c', 'd', 'a']);
    expect(
      names(
        orderCandidates(
          pods,
          options(() => 0.999),
        ),
      ),
    ).toEqual(['a', 'b', 'c', 'd']);
    expect(names(pods)).toEqual(['a', 'b', 'c', 'd']);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(names(orderCandidates(pods, options(Math.random)))[0]!);
    expect(seen.size).toBeGreaterThan(1);
  });
});
