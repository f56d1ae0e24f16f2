import { describe, expect, it } from 'vitest';
import { makePod } from '../test/pod-fixtures.js';
import { getSandboxPhase } from './get-sandbox-phase.js';

describe('getSandboxPhase', () => {
  it.each([
    ['idle', 'Running', 'idle'],
    ['starting', 'Running', 'starting'],
    ['running', 'Failed', 'running'],
    ['stopping', 'Running', 'stopping'],
    ['failed', 'Running', 'failed'],
    ['bogus', 'Failed', 'failed'],
    [undefined, 'Failed', 'failed'],
    [undefined, 'Pending', 'idle'],
  ])('label %s, pod %s → %s', (label, podPhase, expected) => {
    expect(getSandboxPhase(makePod({ ...(label === undefined ? {} : { phase: label }), podPhase }))).toBe(
      expected,
    );
  });

  it('answers idle for an empty pod', () => {
    expect(getSandboxPhase({})).toBe('idle');
    expect(getSandboxPhase(undefined)).toBe('idle');
  });
});
