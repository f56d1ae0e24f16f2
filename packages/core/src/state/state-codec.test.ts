import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makePod } from '../../test/pod-fixtures.js';
import { InvalidStateError } from '../errors/invalid-state-error.js';
import { getInplaceUpdateState, getPodInPlaceUpdateState } from './get-inplace-update-state.js';
import type { InplaceUpdateState } from './inplace-update-state.js';
import { parseInplaceUpdateState } from './parse-inplace-update-state.js';
import { serializeInplaceUpdateState } from './serialize-inplace-update-state.js';

function vectors(file: string): { name: string; go: string }[] {
  const text = readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

const digest = `sha256:${'a'.repeat(64)}`;

describe('state codec (SPEC 1.4)', () => {
  const golden = vectors('state-golden.jsonl');
  it('has the golden vectors', () => expect(golden.length).toBeGreaterThanOrEqual(9));

  it.each(golden)('golden vector $name: parse then serialize gives Go bytes', ({ go }) => {
    expect(serializeInplaceUpdateState(parseInplaceUpdateState(go))).toBe(go);
  });

  it('reproduces 300 random states marshalled by Go encoding/json byte for byte', () => {
    const random = vectors('state-go-random.jsonl');
    expect(random).toHaveLength(300);
    const mismatches = random.filter(
      ({ go }) => serializeInplaceUpdateState(parseInplaceUpdateState(go)) !== go,
    );
    expect(mismatches).toEqual([]);
  });

  it.each(vectors('state-go-decode.jsonl') as { name: string; input: string; go?: string; error?: string }[])(
    'reads corner case "$name" as Go json.Unmarshal does',
    ({ input, go, error }) => {
      if (error !== undefined) {
        expect(() => parseInplaceUpdateState(input)).toThrow(InvalidStateError);
      } else {
        expect(serializeInplaceUpdateState(parseInplaceUpdateState(input))).toBe(go);
      }
    },
  );

  it('pod without the annotation → no state, no error', () => {
    expect(getInplaceUpdateState(makePod())).toBeUndefined();
    expect(getInplaceUpdateState(makePod({ annotations: {} }))).toBeUndefined();
    expect(getInplaceUpdateState({})).toBeUndefined();
    expect(getInplaceUpdateState(undefined)).toBeUndefined();
    expect(getInplaceUpdateState(makePod({ state: '' }))).toBeUndefined();
  });

  it('annotation `{"phase":` → InvalidStateError naming the pod', () => {
    const pod = makePod({ name: 'p-7', namespace: 'ns', state: '{"phase":' });
    expect(() => getInplaceUpdateState(pod)).toThrow(InvalidStateError);
    try {
      getInplaceUpdateState(pod);
    } catch (err) {
      expect(err).toMatchObject({ code: 'InvalidState', pod: 'ns/p-7', retryable: false });
      expect((err as Error).message).toContain('ns/p-7');
      expect((err as Error).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it('valid annotation (starting, nginx:1.28, target running, timestamp, last imageIDs) → every field parsed', () => {
    const text =
      '{"phase":"starting","targetImage":"nginx:1.28","targetImages":{"sandbox":"nginx:1.28"},' +
      '"targetPodPhase":"running","updateTimestamp":"2026-03-04T05:06:07Z",' +
      `"lastContainerStatuses":{"sandbox":{"imageID":"docker.io/library/nginx@${digest}","containerID":"containerd://1"}}}`;
    const state = getPodInPlaceUpdateState(makePod({ state: text }));
    expect(state).toEqual({
      phase: 'starting',
      targetImage: 'nginx:1.28',
      targetImages: { sandbox: 'nginx:1.28' },
      targetPodPhase: 'running',
      updateTimestamp: new Date('2026-03-04T05:06:07Z'),
      lastContainerStatuses: {
        sandbox: { imageID: `docker.io/library/nginx@${digest}`, containerID: 'containerd://1' },
      },
    });
  });

  it.each([
    [
      'unknown fields and any order',
      '{"x":1,"targetPodPhase":"idle","phase":"stopping","updateTimestamp":null}',
    ],
    ['field names in another case (Go matches them)', '{"PHASE":"stopping","TargetPodPhase":"idle"}'],
    [
      'null leaves a field unset',
      '{"phase":"stopping","targetPodPhase":"idle","targetImage":null,"targetImages":null}',
    ],
  ])('readers accept %s', (_name, text) => {
    expect(parseInplaceUpdateState(text)).toEqual({ phase: 'stopping', targetPodPhase: 'idle' });
  });

  it('reads timestamps with offsets and fractions, writes UTC whole seconds', () => {
    const state = parseInplaceUpdateState(
      '{"phase":"starting","updateTimestamp":"2026-01-01T01:30:00.987+01:30"}',
    );
    expect(state.updateTimestamp).toEqual(new Date('2026-01-01T00:00:00.987Z'));
    expect(serializeInplaceUpdateState(state)).toBe(
      '{"phase":"starting","updateTimestamp":"2026-01-01T00:00:00Z"}',
    );
  });

  it('reads Go zero time and null alike as unset', () => {
    expect(parseInplaceUpdateState('{"phase":"x","updateTimestamp":"0001-01-01T00:00:00Z"}')).toEqual({
      phase: 'x',
    });
    expect(parseInplaceUpdateState('null')).toEqual({ phase: '' });
    expect(serializeInplaceUpdateState({ phase: 'x', updateTimestamp: new Date(Number.NaN) })).toBe(
      '{"phase":"x","updateTimestamp":null}',
    );
  });

  it('keeps null map entries as empty statuses, like Go', () => {
    const state = parseInplaceUpdateState(
      '{"phase":"starting","lastContainerStatuses":{"a":null},"stableContainerStatuses":{"b":null,"c":{"restartCount":null}}}',
    );
    expect(state.lastContainerStatuses).toEqual({ a: {} });
    expect(state.stableContainerStatuses).toEqual({ b: { restartCount: 0 }, c: { restartCount: 0 } });
  });

  it('reads escaped lone surrogates as U+FFFD and writes it as Go does', () => {
    // Output of Go 1.26 json.Unmarshal + json.Marshal for the same input.
    const text = String.raw`{"phase":"a\ud800b\udc00","targetImages":{"\ud800":"x","\uffff":"y"}}`;
    expect(serializeInplaceUpdateState(parseInplaceUpdateState(text))).toBe(
      '{"phase":"a\ufffdb\ufffd","targetImages":{"\ufffd":"x","\uffff":"y"},"updateTimestamp":null}',
    );
    expect(serializeInplaceUpdateState({ phase: '', targetImages: { '\uffff': 'y', '\udc00': 'x' } })).toBe(
      '{"phase":"","targetImages":{"\ufffd":"x","\uffff":"y"},"updateTimestamp":null}',
    );
  });

  it('keeps "__proto__" as an ordinary container name', () => {
    const text = '{"phase":"starting","targetImages":{"__proto__":"x:1"},"updateTimestamp":null}';
    const state = parseInplaceUpdateState(text);
    expect(Object.keys(state.targetImages ?? {})).toEqual(['__proto__']);
    expect(serializeInplaceUpdateState(state)).toBe(text);
  });

  it.each([
    ['a JSON array', '[]'],
    ['a string', '"starting"'],
    ['a wrongly typed phase', '{"phase":5}'],
    ['a wrongly typed map', '{"phase":"s","targetImages":[]}'],
    ['a wrongly typed map value', '{"phase":"s","targetImages":{"a":1}}'],
    ['a wrongly typed status', '{"phase":"s","lastContainerStatuses":{"a":"x"}}'],
    ['a fractional restartCount', '{"phase":"s","stableContainerStatuses":{"a":{"restartCount":1.5}}}'],
    [
      'an out-of-range restartCount',
      '{"phase":"s","stableContainerStatuses":{"a":{"restartCount":2147483648}}}',
    ],
    ['a timestamp that is not a string', '{"phase":"s","updateTimestamp":5}'],
    ['a timestamp that is not RFC3339', '{"phase":"s","updateTimestamp":"2026-01-01 00:00:00"}'],
    ['an impossible date', '{"phase":"s","updateTimestamp":"2026-02-30T00:00:00Z"}'],
    ['an impossible time', '{"phase":"s","updateTimestamp":"2026-02-03T24:00:00Z"}'],
    ['an impossible offset', '{"phase":"s","updateTimestamp":"2026-02-03T00:00:00+24:00"}'],
    ['an empty timestamp', '{"phase":"s","updateTimestamp":""}'],
  ])('rejects %s with InvalidStateError', (_name, text) => {
    expect(() => parseInplaceUpdateState(text, 'ns/p')).toThrow(InvalidStateError);
  });

  it('writes restartCount 0 and empty container statuses, omits empty maps and strings', () => {
    const state: InplaceUpdateState = {
      phase: 'completed',
      targetImage: '',
      targetImages: {},
      targetPodPhase: 'running',
      updateTimestamp: new Date('2026-01-01T00:00:00.999Z'),
      lastContainerStatuses: { a: {} },
      stableContainerStatuses: { a: { restartCount: 0 }, B: { containerID: '', restartCount: 3.7 } },
    };
    expect(serializeInplaceUpdateState(state)).toBe(
      '{"phase":"completed","targetPodPhase":"running","updateTimestamp":"2026-01-01T00:00:00Z",' +
        '"lastContainerStatuses":{"a":{}},"stableContainerStatuses":{"B":{"restartCount":3},"a":{"restartCount":0}}}',
    );
  });

  it('serializes a degenerate state without throwing', () => {
    const degenerate = { phase: undefined } as unknown as InplaceUpdateState;
    expect(serializeInplaceUpdateState(degenerate)).toBe('{"phase":"","updateTimestamp":null}');
  });
});

// Strings drawn from the characters Go escapes specially, plus astral and BMP-high code points whose
// UTF-16 order differs from their UTF-8 order.
const tricky = fc.constantFrom(
  ...'aZ_-./:@<>&"\\\b\f\n\r\t\u0000\u001f\u007f\u00e9\u2028\u2029\ufeff\uff01\uffff\ue000'.split(''),
  '\u{1f600}',
  '\u{10000}',
  '\u{10ffff}',
);
const text = fc.array(tricky, { maxLength: 6 }).map((chars) => chars.join(''));
const nonEmpty = text.filter((s) => s !== '');
const date = fc
  // Whole seconds from just after Go's zero time (0001-01-01, written as null) to the end of year 9999.
  .integer({ min: -62_135_596_800 + 1, max: 253_402_300_799 })
  .map((s) => new Date(s * 1000));
const lastStatus = fc.record({ imageID: nonEmpty, containerID: nonEmpty }, { requiredKeys: [] });
const stableStatus = fc.record(
  { containerID: nonEmpty, restartCount: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  { requiredKeys: ['restartCount'] },
);
const map = <T>(value: fc.Arbitrary<T>) =>
  fc.dictionary(text, value, { minKeys: 1, maxKeys: 4 }).map((d) => Object.fromEntries(Object.entries(d)));
const arbitraryState: fc.Arbitrary<InplaceUpdateState> = fc.record(
  {
    phase: fc.oneof(fc.constantFrom('starting', 'stopping', 'completed'), text),
    targetImage: nonEmpty,
    targetImages: map(text),
    targetPodPhase: nonEmpty,
    updateTimestamp: date,
    lastContainerStatuses: map(lastStatus),
    stableContainerStatuses: map(stableStatus),
  },
  { requiredKeys: ['phase'] },
);

describe('state codec properties', () => {
  it('any state → serialize → parse gives the same state', () => {
    fc.assert(
      fc.property(arbitraryState, (state) => {
        expect(parseInplaceUpdateState(serializeInplaceUpdateState(state))).toEqual(state);
      }),
      { numRuns: 500 },
    );
  });

  it('serialization is JSON with Go field order, sorted keys, HTML-safe escapes', () => {
    const order = [
      'phase',
      'targetImage',
      'targetImages',
      'targetPodPhase',
      'updateTimestamp',
      'lastContainerStatuses',
      'stableContainerStatuses',
    ];
    fc.assert(
      fc.property(arbitraryState, (state) => {
        const out = serializeInplaceUpdateState(state);
        expect([...out].filter((c) => c < ' ' || '<>&\u2028\u2029'.includes(c))).toEqual([]);
        const parsed = JSON.parse(out) as Record<string, unknown>;
        const keys = Object.keys(parsed);
        expect(keys).toEqual(order.filter((k) => keys.includes(k)));
        expect(parsed['updateTimestamp']).toBe(
          state.updateTimestamp?.toISOString().replace(/\.\d{3}Z$/, 'Z') ?? null,
        );
        for (const field of ['targetImages', 'lastContainerStatuses', 'stableContainerStatuses']) {
          const names = Object.keys((parsed[field] as object | undefined) ?? {});
          const utf8 = (s: string) => Buffer.from(s, 'utf8');
          expect(names).toEqual([...names].sort((a, b) => Buffer.compare(utf8(a), utf8(b))));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('any text either parses or is an InvalidStateError', () => {
    const json = fc.oneof(fc.json(), fc.string(), arbitraryState.map(serializeInplaceUpdateState));
    fc.assert(
      fc.property(json, (input) => {
        try {
          parseInplaceUpdateState(input);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidStateError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
