import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../errors/invalid-reference-error.js';
import { digestFromImageID } from './digest-from-image-id.js';

const d = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('digestFromImageID (SPEC 3)', () => {
  it.each([
    [`registry/project/app@${d}`],
    [`docker.io/library/nginx@${d}`],
    [`localhost:5000/x@${d}`],
    [d],
    [`docker-pullable://repo@${d}`],
    [`docker-pullable://localhost:5000/a/b@${d}`],
    [`docker://${d}`],
  ])('%s → the digest', (imageID) => {
    expect(digestFromImageID(imageID)).toBe(d);
  });

  it.each([
    ['sha256:old'],
    ['nginx:1.28'],
    [''],
    ['docker://'],
    [`Repo@${d}`],
    [`x@${d.toUpperCase()}`],
    ['repo@'],
  ])('%j → InvalidReferenceError naming the input', (imageID) => {
    expect(() => digestFromImageID(imageID)).toThrow(InvalidReferenceError);
    try {
      digestFromImageID(imageID);
    } catch (err) {
      expect(err).toMatchObject({ code: 'InvalidReference', input: imageID });
    }
  });

  it('never throws anything but InvalidReferenceError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `docker-pullable://${s}@${d}`),
        ),
        (input) => {
          try {
            expect(digestFromImageID(input)).toMatch(/^sha(256|384|512):[a-f0-9]+$/);
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidReferenceError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
