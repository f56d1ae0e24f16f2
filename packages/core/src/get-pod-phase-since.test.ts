import { describe, expect, it } from 'vitest';
import { makePod } from '../test/pod-fixtures.js';
import { InvalidStateError } from './errors/invalid-state-error.js';
import { getPodPhaseDuration } from './get-pod-phase-duration.js';
import { getPodPhaseSince } from './get-pod-phase-since.js';
import type { InplaceUpdateState } from './state/inplace-update-state.js';

const now = new Date('2026-07-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const created = new Date('2026-06-01T00:00:00Z');
const pod = (phase: string | undefined, state?: InplaceUpdateState | string) =>
  makePod({
    ...(phase === undefined ? {} : { phase }),
    creationTimestamp: created,
    ...(state === undefined ? {} : { state }),
  });

describe('getPodPhaseSince / getPodPhaseDuration (SPEC 2.5)', () => {
  it('starting with state starting at now−2m → since = that time, duration 2m', () => {
    const p = pod('starting', { phase: 'starting', updateTimestamp: ago(120_000) });
    expect(getPodPhaseSince(p, 'starting')).toEqual({ since: ago(120_000), ok: true });
    expect(getPodPhaseDuration(p, 'starting', now)).toEqual({ duration: 120_000, ok: true });
  });

  it('running with a completed state at now−30s → 30s', () => {
    const p = pod('running', { phase: 'completed', targetPodPhase: 'running', updateTimestamp: ago(30_000) });
    expect(getPodPhaseDuration(p, 'running', now)).toEqual({ duration: 30_000, ok: true });
    expect(getPodPhaseDuration(p, '', now)).toEqual({ duration: 30_000, ok: true });
    expect(getPodPhaseDuration(p, undefined, now)).toEqual({ duration: 30_000, ok: true });
  });

  it('a completed state without target counts for the phase asked', () => {
    const p = pod('idle', { phase: 'completed', updateTimestamp: ago(5_000) });
    expect(getPodPhaseDuration(p, 'idle', now)).toEqual({ duration: 5_000, ok: true });
  });

  it('idle without state → since creation', () => {
    expect(getPodPhaseSince(pod('idle'), 'idle')).toEqual({ since: created, ok: true });
    const stringTime = makePod({ phase: 'idle', creationTimestamp: '2026-06-01T00:00:00Z' });
    expect(getPodPhaseSince(stringTime)).toEqual({ since: created, ok: true });
  });

  it.each([
    [
      'a stopping pod whose state is still starting',
      pod('stopping', { phase: 'starting', updateTimestamp: ago(1) }),
    ],
    [
      'a running pod whose completed state targeted idle',
      pod('running', { phase: 'completed', targetPodPhase: 'idle', updateTimestamp: ago(1) }),
    ],
    ['a state without timestamp', pod('starting', { phase: 'starting' })],
    ['a failed pod', pod('failed', { phase: 'completed', updateTimestamp: ago(1) })],
  ])('%s → since creation', (_n, p) => {
    expect(getPodPhaseSince(p).since).toEqual(created);
  });

  it('asking running of an idle pod → ok false', () => {
    expect(getPodPhaseSince(pod('idle'), 'running')).toEqual({ since: new Date(0), ok: false });
    expect(getPodPhaseDuration(pod('idle'), 'running', now)).toEqual({ duration: 0, ok: false });
  });

  it('never negative, and defaults now to the current time', () => {
    const future = pod('starting', { phase: 'starting', updateTimestamp: new Date(Date.now() + 3_600_000) });
    expect(getPodPhaseDuration(future, 'starting')).toEqual({ duration: 0, ok: true });
  });

  it('a pod without labels or creation time answers from what is there', () => {
    expect(getPodPhaseSince({}, '')).toEqual({ since: new Date(0), ok: true });
    expect(getPodPhaseSince({}, 'idle').ok).toBe(false);
  });

  it('a malformed state → InvalidStateError', () => {
    expect(() => getPodPhaseSince(pod('starting', '{"phase":'))).toThrow(InvalidStateError);
  });
});
