import { describe, expect, it } from 'vitest';
import { AgentboxError, hasErrorCode } from './agentbox-error.js';
import { ContainerNotFoundError } from './container-not-found-error.js';
import { InvalidReferenceError } from './invalid-reference-error.js';
import { InvalidStateError } from './invalid-state-error.js';
import { NoContainersError } from './no-containers-error.js';
import { NoIdlePodsAvailableError } from './no-idle-pods-available-error.js';
import { TargetImageRequiredError } from './target-image-required-error.js';
import { UnexpectedPodPhaseError } from './unexpected-pod-phase-error.js';

describe('errors (SPEC 1.5)', () => {
  it.each([
    [new NoContainersError(), 'NoContainers', 'pod has no containers', false],
    [new ContainerNotFoundError('web'), 'ContainerNotFound', 'container not found in pod: web', false],
    [
      new UnexpectedPodPhaseError('idle', 'running'),
      'UnexpectedPodPhase',
      'pod phase does not match expected value',
      true,
    ],
    [new NoIdlePodsAvailableError(), 'NoIdlePodsAvailable', 'no idle sandboxes available for creating', true],
    [
      new TargetImageRequiredError('web'),
      'TargetImageRequired',
      'container "web": target image is required',
      false,
    ],
    [
      new InvalidStateError('ns/p', 'bad json'),
      'InvalidState',
      'pod ns/p: invalid in-place update state annotation: bad json',
      false,
    ],
    [new InvalidReferenceError('A', 'bad'), 'InvalidReference', 'invalid image reference "A": bad', false],
  ])('%s has code %s and its message', (err, code, message, retryable) => {
    expect(err).toBeInstanceOf(AgentboxError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
    expect(err.retryable).toBe(retryable);
    expect(err.name).toBe(err.constructor.name);
    expect(hasErrorCode(err, code)).toBe(true);
  });

  it('is subclassable with a literal code or a code option, and keeps the cause', () => {
    class ManifestUnknownError extends AgentboxError {
      override readonly code = 'ManifestUnknown';
    }
    const cause = new Error('404');
    const a = new ManifestUnknownError('manifest unknown', { cause, retryable: false });
    expect(a).toMatchObject({
      code: 'ManifestUnknown',
      name: 'ManifestUnknownError',
      retryable: false,
      cause,
    });
    const b = new AgentboxError('throttled', { code: 'TooManyRequests', retryable: true });
    expect(b).toMatchObject({ code: 'TooManyRequests', retryable: true });
    expect(b.cause).toBeUndefined();
    expect(new AgentboxError('x').code).toBe('Agentbox');
    expect(new NoIdlePodsAvailableError({ cause }).cause).toBe(cause);
    expect(hasErrorCode({ code: 'X' }, 'X')).toBe(false);
  });
});
