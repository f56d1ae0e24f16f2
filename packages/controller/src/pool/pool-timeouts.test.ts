import { serializeInplaceUpdateState } from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import { testPod, testPool } from './internal/test-pods.js';
import { idleDeadline, idleTimeoutMs, startupDeadline, startupTimeoutMs } from './pool-timeouts.js';

const state = (phase: 'starting' | 'stopping', at: string) =>
  serializeInplaceUpdateState({ phase, targetPodPhase: 'running', updateTimestamp: new Date(at) });

describe('startup timeout', () => {
  it('takes the annotation, then the pool default, then the option; 0 is none', () => {
    const pool = testPool({ defaultStartupTimeout: '1m0s' });
    expect(
      startupTimeoutMs(
        testPod('a', { annotations: { 'agentbox.navix.sh/startup-timeout': '5' } }),
        pool,
        120,
      ),
    ).toBe(5000);
    expect(startupTimeoutMs(testPod('a'), pool, 120)).toBe(60_000);
    expect(startupTimeoutMs(testPod('a'), testPool(), 120)).toBe(120_000);
    expect(
      startupTimeoutMs(
        testPod('a', { annotations: { 'agentbox.navix.sh/startup-timeout': '0' } }),
        pool,
        120,
      ),
    ).toBe(0);
    expect(
      startupTimeoutMs(
        testPod('a', { annotations: { 'agentbox.navix.sh/startup-timeout': 'x' } }),
        pool,
        120,
      ),
    ).toBe(60_000);
  });

  it('runs from the state update timestamp of a starting pod', () => {
    const pod = testPod('a', {
      phase: 'starting',
      annotations: {
        'agentbox.navix.sh/inplace-update-state': state('starting', '2026-01-01T00:01:00Z'),
        'agentbox.navix.sh/startup-timeout': '3',
      },
    });
    expect(startupDeadline(pod, testPool(), 120)).toBe(Date.parse('2026-01-01T00:01:03Z'));
    const none = testPod('b', {
      phase: 'starting',
      annotations: { 'agentbox.navix.sh/startup-timeout': '0' },
    });
    expect(startupDeadline(none, testPool(), 120)).toBeUndefined();
    expect(startupDeadline(testPod('c', { phase: 'running' }), testPool(), 120)).toBeUndefined();
  });
});

describe('idle timeout', () => {
  it('takes the annotation, then the pool default, else none', () => {
    const pool = testPool({ defaultIdleTimeout: '10m' });
    expect(
      idleTimeoutMs(testPod('a', { annotations: { 'agentbox.navix.sh/idle-timeout': '30' } }), pool),
    ).toBe(30_000);
    expect(idleTimeoutMs(testPod('a'), pool)).toBe(600_000);
    expect(idleTimeoutMs(testPod('a'), testPool())).toBe(0);
  });

  it('runs from the latest of creation, started-at and last-active', () => {
    const pod = testPod('a', {
      phase: 'running',
      created: '2026-01-01T00:00:00Z',
      annotations: {
        'agentbox.navix.sh/idle-timeout': '60',
        'agentbox.navix.sh/started-at': '2026-01-01T00:01:00Z',
        'agentbox.navix.sh/last-active': '2026-01-01T00:05:00Z',
      },
    });
    expect(idleDeadline(pod, testPool())).toBe(Date.parse('2026-01-01T00:06:00Z'));
    const touchedEarlier = testPod('b', {
      phase: 'running',
      annotations: {
        'agentbox.navix.sh/idle-timeout': '60',
        'agentbox.navix.sh/started-at': '2026-01-01T00:02:00Z',
      },
    });
    expect(idleDeadline(touchedEarlier, testPool())).toBe(Date.parse('2026-01-01T00:03:00Z'));
    expect(idleDeadline(testPod('c', { phase: 'running' }), testPool())).toBeUndefined();
    expect(
      idleDeadline(
        testPod('d', { phase: 'idle', annotations: { 'agentbox.navix.sh/idle-timeout': '1' } }),
        testPool(),
      ),
    ).toBeUndefined();
  });
});
