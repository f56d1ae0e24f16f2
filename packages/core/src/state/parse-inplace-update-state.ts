import { InvalidStateError } from '../errors/invalid-state-error.js';
import { wellFormed } from '../internal/go-json.js';
import {
  JsonDepthError,
  type JsonNode,
  JsonNumber,
  JsonObject,
  readJsonEntries,
} from '../internal/json-entries.js';
import { goZeroTimeMs, parseRfc3339 } from '../internal/rfc3339.js';
import type {
  InplaceUpdateContainerStatus,
  InplaceUpdateState,
  StableContainerStatus,
} from './inplace-update-state.js';

/** Thrown inside the decoder; turned into an InvalidStateError naming the pod. */
class DecodeError extends Error {}

type Decoder<T> = (value: JsonNode, path: string, current: T | undefined) => T | undefined;
// Any decoder: `current` is only ever the value the same decoder returned before.
type SomeDecoder = (value: JsonNode, path: string, current: never) => unknown;

/**
 * Parses the state annotation the way Go's `json.Unmarshal` reads it into the reference struct: unknown
 * fields ignored, any order, field names matched exactly or else case-insensitively, a repeated map field
 * merged into the map read before it, `null` leaving a string or number as it was and clearing a map or
 * the timestamp, integers refused when written as `1.0` or `1e2`, arrays and objects nested deeper than 10,000
 * refused. Throws InvalidStateError naming `pod` on malformed JSON, too deep a nesting or a wrongly typed field. Empty strings and empty maps come back absent.
 */
export function parseInplaceUpdateState(text: string, pod = '<unnamed pod>'): InplaceUpdateState {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new InvalidStateError(pod, (err as Error).message, { cause: err });
  }
  try {
    return decodeState(readJsonEntries(text));
  } catch (err) {
    if (err instanceof DecodeError || err instanceof JsonDepthError) {
      throw new InvalidStateError(pod, err.message, { cause: err });
    }
    throw err;
  }
}

function decodeState(json: JsonNode): InplaceUpdateState {
  // Go leaves the struct at its zero value when the document is `null`.
  if (json === null) return { phase: '' };
  const fields = decodeFields(json, 'InplaceUpdateState', {
    phase: str,
    targetImage: str,
    targetImages: map(str, ''),
    targetPodPhase: str,
    updateTimestamp: time,
    lastContainerStatuses: map(lastStatus),
    stableContainerStatuses: map(stableStatus),
  });
  const state: Record<string, unknown> = { phase: fields['phase'] ?? '' };
  // Empty strings and maps read back absent, so that serialize → parse is the identity.
  for (const [key, value] of Object.entries(fields))
    if (key !== 'phase' && present(value)) state[key] = value;
  return state as unknown as InplaceUpdateState;
}

function present(value: unknown): boolean {
  if (value === undefined || value === '') return false;
  return !(
    typeof value === 'object' &&
    !(value instanceof Date) &&
    Object.keys(value as object).length === 0
  );
}

// Decodes a JSON object into the named fields, matching keys like Go: an exact match, else the first
// field equal under Unicode simple case folding; a repeated key is decoded again on top of what the earlier
// one left (a scalar is replaced, a map merged).
function decodeFields(
  json: JsonNode,
  type: string,
  decoders: Record<string, SomeDecoder>,
): Record<string, unknown> {
  if (!(json instanceof JsonObject)) {
    throw new DecodeError(`cannot unmarshal ${kind(json)} into Go value of type ${type}`);
  }
  const names = Object.keys(decoders);
  const out: Record<string, unknown> = {};
  for (const [key, value] of json.entries) {
    const name = names.includes(key) ? key : names.find((n) => fold(n) === fold(key));
    if (name === undefined) continue;
    out[name] = decoders[name]!(value, `${type}.${name}`, out[name] as never);
  }
  return out;
}

function fold(s: string): string {
  return s.toLowerCase().replaceAll('\u017f', 's').replaceAll('\u212a', 'k');
}

const str: Decoder<string> = (value, path, current) => {
  if (value === null) return current;
  if (typeof value !== 'string') throw typeError(value, path, 'string');
  return wellFormed(value);
};

const time: Decoder<Date> = (value, path) => {
  if (value === null) return undefined;
  if (typeof value !== 'string') throw typeError(value, path, 'string');
  const date = parseRfc3339(value);
  if (date === undefined) throw new DecodeError(`${path}: cannot parse ${JSON.stringify(value)} as RFC3339`);
  return date.getTime() === goZeroTimeMs ? undefined : date;
};

// Go decodes into the map a repeated field already filled (entries merge, a key's element is replaced
// whole, starting from its zero value) and clears it on `null`.
function map<V>(decode: Decoder<V>, zero?: V): Decoder<Record<string, V>> {
  return (value, path, current) => {
    if (value === null) return undefined;
    if (!(value instanceof JsonObject)) throw typeError(value, path, 'map');
    // fromEntries defines own properties, so a key such as "__proto__" stays an ordinary key.
    return Object.fromEntries([
      ...Object.entries(current ?? {}),
      ...value.entries.map(([k, v]) => [wellFormed(k), decode(v, path, zero) ?? zero]),
    ]);
  };
}

const lastStatus: Decoder<InplaceUpdateContainerStatus> = (value) => {
  if (value === null) return {};
  const f = decodeFields(value, 'InplaceUpdateContainerStatus', { imageID: str, containerID: str });
  const status: InplaceUpdateContainerStatus = {};
  if (present(f['imageID'])) status.imageID = f['imageID'] as string;
  if (present(f['containerID'])) status.containerID = f['containerID'] as string;
  return status;
};

const stableStatus: Decoder<StableContainerStatus> = (value) => {
  if (value === null) return { restartCount: 0 };
  const f = decodeFields(value, 'StableContainerStatus', { containerID: str, restartCount: int32 });
  const status: StableContainerStatus = { restartCount: (f['restartCount'] as number | undefined) ?? 0 };
  if (present(f['containerID'])) status.containerID = f['containerID'] as string;
  return status;
};

const int32: Decoder<number> = (value, path, current) => {
  if (value === null) return current;
  // Go parses an integer field's literal as a base-10 integer: `1.0`, `1e2` and `0.0` are refused.
  if (!(value instanceof JsonNumber) || !/^-?(0|[1-9][0-9]*)$/.test(value.text)) {
    throw typeError(value, path, 'int32');
  }
  const n = Number(value.text);
  if (n < -(2 ** 31) || n >= 2 ** 31) throw typeError(value, path, 'int32');
  return n + 0;
};

function typeError(value: JsonNode, path: string, type: string): DecodeError {
  return new DecodeError(`cannot unmarshal ${kind(value)} into Go struct field ${path} of type ${type}`);
}

function kind(value: JsonNode): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (value instanceof JsonNumber) return `number ${value.text}`;
  if (value instanceof JsonObject) return 'object';
  return typeof value;
}
