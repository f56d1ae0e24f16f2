import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../errors/invalid-reference-error.js';
import { formatImageReference } from './format-image-reference.js';
import { normalizeImage } from './normalize-image.js';
import { parseImageReference } from './parse-image-reference.js';

const hex = 'a'.repeat(64);
const digest = `sha256:${hex}`;

describe('parseImageReference', () => {
  it.each([
    ['ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined],
    ['ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined],
    ['docker.io/library/ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined],
    ['index.docker.io/library/nginx', 'docker.io', 'library/nginx', 'latest', undefined],
    ['foo/bar', 'docker.io', 'foo/bar', 'latest', undefined],
    ['localhost/app:1', 'localhost', 'app', '1', undefined],
    ['localhost:5000/team/app:v1.2-rc_3', 'localhost:5000', 'team/app', 'v1.2-rc_3', undefined],
    ['Registry.Example.COM:443/a/b', 'registry.example.com:443', 'a/b', 'latest', undefined],
    ['Foo/bar', 'Foo', 'bar', 'latest', undefined],
    ['[::1]:5000/x', '[::1]:5000', 'x', 'latest', undefined],
    ['127.0.0.1:5000/a__b/c-d.e:t', '127.0.0.1:5000', 'a__b/c-d.e', 't', undefined],
    [`registry/project/app@${digest}`, 'docker.io', 'registry/project/app', undefined, digest],
    [`quay.io/a/b:1@${digest}`, 'quay.io', 'a/b', '1', digest],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined],
    [`x@sha512:${'b'.repeat(128)}`, 'docker.io', 'library/x', undefined, `sha512:${'b'.repeat(128)}`],
  ])('%s → %s / %s tag %s digest %s', (ref, registry, repository, tag, dig) => {
    const parsed = parseImageReference(ref);
    expect(parsed).toEqual({
      registry,
      repository,
      name: `${registry}/${repository}`,
      ...(tag === undefined ? {} : { tag }),
      ...(dig === undefined ? {} : { digest: dig }),
    });
  });

  it.each([
    ['', 'empty reference'],
    [hex, 'image ID'],
    ['UPPER/Case', 'lowercase'],
    ['foo/Bar', 'lowercase'],
    ['a:b:c', 'invalid repository name'],
    ['-a', 'invalid repository name'],
    ['a//b', 'invalid repository name'],
    ['a/', 'invalid repository name'],
    ['x:-tag', 'invalid tag'],
    [`x:${'t'.repeat(129)}`, 'invalid tag'],
    ['x@sha256:old', 'invalid digest format'],
    [`x@sha256:${'A'.repeat(64)}`, 'lower-case'],
    [`x@sha256:${'a'.repeat(63)}`, '64 hex'],
    [`x@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    ['x@', 'invalid digest format'],
    ['-bad.host/x', 'invalid registry host'],
    [`r.io/${'a'.repeat(256)}`, 'at most 255'],
    ['a'.repeat(248), 'at most 255'],
  ])('%j → InvalidReferenceError (%s)', (ref, reason) => {
    expect(() => parseImageReference(ref)).toThrow(InvalidReferenceError);
    try {
      parseImageReference(ref);
    } catch (err) {
      expect(err).toMatchObject({ code: 'InvalidReference', input: ref });
      expect((err as Error).message).toContain(JSON.stringify(ref));
      expect((err as Error).message).toContain(reason);
    }
  });

  it('names a non-string input', () => {
    expect(() => parseImageReference(undefined as unknown as string)).toThrow(/"undefined"/);
  });
});

describe('normalizeImage / formatImageReference', () => {
  it.each([
    ['docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
    ['ubuntu:22.04', 'ubuntu:22.04'],
    ['ubuntu', 'ubuntu:latest'],
    ['docker.io/foo/bar', 'foo/bar:latest'],
    ['docker.io/library/a/b:1', 'library/a/b:1'],
    ['quay.io/a/b:1', 'quay.io/a/b:1'],
    [`quay.io/a/b@${digest}`, `quay.io/a/b@${digest}`],
    [`docker.io/library/x:1@${digest}`, `x:1@${digest}`],
  ])('normalizeImage(%s) = %s', (ref, familiar) => {
    expect(normalizeImage(ref)).toBe(familiar);
  });

  it('formats fully qualified by default', () => {
    expect(formatImageReference(parseImageReference('ubuntu'))).toBe('docker.io/library/ubuntu:latest');
    expect(formatImageReference(parseImageReference(`a/b@${digest}`))).toBe(`docker.io/a/b@${digest}`);
  });
});

// References built from the grammar: optional registry, 1-3 path components, optional tag and digest.
const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const alnum = fc.array(lower, { minLength: 1, maxLength: 5 }).map((a) => a.join(''));
const separator = fc.constantFrom('.', '_', '__', '-', '--');
const component = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 2 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''));
const registry = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    'localhost/',
    'localhost:5000/',
    'quay.io/',
    'Reg.Example.com:443/',
    '127.0.0.1:5000/',
    'docker.io/',
  ),
);
const tag = fc.oneof(
  fc.constant(''),
  fc
    .tuple(
      fc.constantFrom(...'aZ9_'.split('')),
      fc.array(fc.constantFrom(...'aZ9_.-'.split('')), { maxLength: 10 }),
    )
    .map(([h, t]) => `:${h}${t.join('')}`),
);
const digestPart = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.constantFrom(...'0123456789abcdef'.split('')), { minLength: 64, maxLength: 64 })
    .map((h) => `@sha256:${h.join('')}`),
);
const validRef = fc
  .tuple(registry, fc.array(component, { minLength: 1, maxLength: 3 }), tag, digestPart)
  // A first component with a dot would be taken for a registry host (as Docker does): qualify it.
  .map(
    ([r, path, t, d]) =>
      `${r === '' && path.length > 1 && path[0]!.includes('.') ? 'docker.io/' : r}${path.join('/')}${t}${d}`,
  )
  .filter((ref) => !/^[a-f0-9]{64}$/.test(ref));

describe('reference parsing properties', () => {
  it('every grammatical reference parses, and formatting it back parses to the same reference', () => {
    fc.assert(
      fc.property(validRef, (ref) => {
        const parsed = parseImageReference(ref);
        expect(parseImageReference(formatImageReference(parsed))).toEqual(parsed);
        expect(parseImageReference(formatImageReference(parsed, { familiar: true }))).toEqual(parsed);
        expect(parsed.name).toBe(`${parsed.registry}/${parsed.repository}`);
        expect(parsed.tag !== undefined || parsed.digest !== undefined).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('normalizeImage is idempotent and equal for equivalent spellings', () => {
    fc.assert(
      fc.property(validRef, (ref) => {
        const once = normalizeImage(ref);
        expect(normalizeImage(once)).toBe(once);
        expect(normalizeImage(formatImageReference(parseImageReference(ref)))).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('any string either parses or is an InvalidReferenceError naming it', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          validRef.map((r) => `${r}${'/:@A-'.charAt(r.length % 5)}`),
        ),
        (ref) => {
          try {
            parseImageReference(ref);
          } catch (err) {
            expect(err).toBeInstanceOf(InvalidReferenceError);
            expect((err as InvalidReferenceError).input).toBe(ref);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
