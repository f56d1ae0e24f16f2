import type { seededRandom } from '../random.js';

type Random = ReturnType<typeof seededRandom>;

// Keys that break naive map handling in JavaScript (prototype pollution, shadowed methods).
const pollutingKeys = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'];

const oddStrings = (rnd: Random, port: number): string[] => [
  '',
  ' ',
  'ü',
  '🚀',
  '\u2028\u2029',
  '<script>&amp;',
  '\ud800',
  'x'.repeat(rnd.int(1_000, 20_000)),
  `127.0.0.1:${port}/app:v1`,
  ...pollutingKeys,
];

/**
 * The value of an `agentbox.navix.sh/inplace-update-state` annotation, or undefined for none. About half are
 * well-formed JSON the reference decoder accepts (odd phases and timestamps, unknown and repeated fields,
 * case-folded names, prototype-polluting map keys, nesting up to Go's limit) and half are malformed:
 * truncated, wrongly typed, out-of-range integers, deeper than Go's 10,000 levels, not JSON at all. Whether a
 * value parses is decided afterwards with core's own codec, never assumed from the generator.
 */
export function hostileStateAnnotation(rnd: Random, containers: string[], port: number): string | undefined {
  const kind = rnd.weighted({ none: 18, empty: 3, wellFormed: 40, malformed: 39 });
  if (kind === 'none') return undefined;
  if (kind === 'empty') return '';
  const state = wellFormedState(rnd, containers, port);
  return kind === 'wellFormed' ? state : malformed(rnd, state, containers);
}

function wellFormedState(rnd: Random, containers: string[], port: number): string {
  const s = () => rnd.pick(oddStrings(rnd, port)) as string;
  const name = () => (rnd.next() < 0.7 ? (rnd.pick(containers) as string) : s());
  const fields: string[] = [];
  const phase = rnd.pick([
    'starting',
    'stopping',
    'completed',
    'starting',
    'stopping',
    '',
    'STARTING',
    'unknown',
    '🚀',
  ]);
  fields.push(`${rnd.next() < 0.1 ? '"PHASE"' : '"phase"'}:${JSON.stringify(phase)}`);
  const target = `127.0.0.1:${port}/app:v${rnd.int(1, 3)}`;
  if (rnd.next() < 0.5) fields.push(`"targetImage":${JSON.stringify(rnd.next() < 0.8 ? target : s())}`);
  if (rnd.next() < 0.8) {
    const entries = Array.from(
      { length: rnd.int(0, 3) },
      () => `${JSON.stringify(name())}:${JSON.stringify(target)}`,
    );
    fields.push(`"targetImages":{${entries.join(',')}}`);
  }
  if (rnd.next() < 0.8)
    fields.push(
      `"targetPodPhase":${JSON.stringify(rnd.pick(['running', 'idle', 'running', '', 'failed', 'Running', s()]))}`,
    );
  if (rnd.next() < 0.85) {
    const at = rnd.pick([
      new Date(Date.now() - rnd.int(0, 3_600_000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      '0001-01-01T00:00:00Z',
      '2999-12-31T23:59:59Z',
      '1970-01-01T00:00:00+14:00',
      '2026-02-30T25:61:61Z',
      null,
    ]);
    fields.push(`"updateTimestamp":${JSON.stringify(at)}`);
  }
  if (rnd.next() < 0.7) {
    const entries = Array.from({ length: rnd.int(0, 3) }, () => {
      const imageID = rnd.pick([
        '',
        `sha256:${'a'.repeat(64)}`,
        `docker-pullable://127.0.0.1:${port}/app@sha256:${'b'.repeat(64)}`,
        s(),
      ]);
      const containerID = rnd.pick(['', 'containerd://abc', s()]);
      return `${JSON.stringify(name())}:${rnd.next() < 0.1 ? 'null' : JSON.stringify({ imageID, containerID })}`;
    });
    fields.push(`"lastContainerStatuses":{${entries.join(',')}}`);
  }
  if (rnd.next() < 0.4) {
    const entries = Array.from({ length: rnd.int(0, 3) }, () => {
      const restartCount = rnd.pick([0, 1, -1, 2147483647, -2147483648]);
      return `${JSON.stringify(name())}:{"containerID":"containerd://x","restartCount":${restartCount}}`;
    });
    fields.push(`"stableContainerStatuses":{${entries.join(',')}}`);
  }
  // Unknown fields the reader must skip, however odd: polluting names, deep nesting within Go's limit.
  if (rnd.next() < 0.3) fields.push(`${JSON.stringify(rnd.pick(pollutingKeys))}:{"phase":"completed"}`);
  if (rnd.next() < 0.05) fields.push(`"deep":${nested(rnd.int(100, 9_000))}`);
  if (rnd.next() < 0.1) fields.push(`"phase":${JSON.stringify(rnd.pick(['starting', 'completed', null]))}`);
  return `{${fields.join(',')}}`;
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

function malformed(rnd: Random, state: string, containers: string[]): string {
  const c = JSON.stringify(rnd.pick(containers) ?? 'main');
  switch (rnd.int(0, 19)) {
    case 0:
      return state.slice(0, rnd.int(1, Math.max(1, state.length - 1)));
    case 1:
      return `{"phase":${rnd.pick(['1', 'true', '[]', '{}', '1e999'])}}`;
    case 2:
      return `{"phase":"starting","targetImages":${rnd.pick(['[]', '"x"', '1', 'true', `{${c}:1}`])}}`;
    case 3:
      return `{"phase":"starting","updateTimestamp":${rnd.pick(['"yesterday"', '1', '"2026-01-01"', '"2026-01-01T00:00:00"', '{}'])}}`;
    case 4:
      return `{"phase":"completed","stableContainerStatuses":{${c}:{"restartCount":${rnd.pick(['1.5', '1e2', '1.0', '"1"', '2147483648', '-2147483649', '0.0', '-0', 'NaN'])}}}}`;
    case 5:
      return `{"phase":"starting","lastContainerStatuses":{${c}:${rnd.pick(['1', '[]', '"x"', '{"imageID":1}', '{"containerID":{}}'])}}}`;
    case 6:
      return rnd.pick(['[]', '"starting"', '42', 'true', '[{"phase":"starting"}]']) as string;
    case 7:
      return rnd.pick([
        'NaN',
        'Infinity',
        '-Infinity',
        'undefined',
        '{phase:"starting"}',
        "{'phase':'starting'}",
      ]) as string;
    case 8:
      return `${state.slice(0, -1)},}`;
    case 9:
      return `\ufeff${state}`;
    case 10:
      return `${state} // comment`;
    case 11:
      return `${state}${state}`;
    case 12:
      return `{"phase":"starting","x":${nested(rnd.int(10_000, 60_000))}}`;
    case 13:
      return `{"phase":"\\ud800\\u${rnd.pick(['zzzz', '12', 'd8'])}"}`;
    case 14:
      return rnd.pick([' ', '\n', '{', '}', '{"', '"', '\u0000']) as string;
    case 15:
      return `{"phase":"starting","targetImages":{"__proto__":1}}`;
    case 16:
      return `{"phase":"starting","targetPodPhase":${rnd.pick(['0', 'false', '[]'])}}`;
    case 17:
      return `{"phase":"starting","targetImage":${rnd.pick(['null1', '01', '-', '.5', '1.', '0x10'])}}`;
    case 18:
      return `{"phase":"starting","updateTimestamp":"${rnd.pick(['2026-01-01T00:00:00.Z', '2026-1-1T0:0:0Z', '+2026-01-01T00:00:00Z', '2026-01-01 00:00:00Z'])}"}`;
    default:
      return state.replace(/[{}]/, '').slice(0, 20_000);
  }
}
