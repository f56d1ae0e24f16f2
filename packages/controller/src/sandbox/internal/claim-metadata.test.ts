import { describe, expect, it } from 'vitest';
import { buildClaimMetadata, parseKeyList, sortedJsonObject } from './claim-metadata.js';

const p = 'agentbox.navix.sh/';

describe('buildClaimMetadata', () => {
  it('writes the claim identity, timeouts, metadata and the sorted managed key lists', () => {
    const { labels, annotations } = buildClaimMetadata({
      sandboxId: 'sb-1',
      managedBy: 'cli',
      now: new Date('2026-01-02T03:04:05.678Z'),
      startupTimeoutSeconds: 90,
      idleTimeoutSeconds: 0,
      metadata: { z: '1', a: '2' },
      labels: { team: 't', app: 'a', [`${p}sandbox-id`]: 'spoofed' },
      annotations: { 'x.io/b': '1', 'x.io/a': '2', [`${p}claimed-at`]: 'spoofed' },
    });
    expect(labels).toEqual({ team: 't', app: 'a', [`${p}sandbox-id`]: 'sb-1', [`${p}managed-by`]: 'cli' });
    expect(annotations).toEqual({
      'x.io/b': '1',
      'x.io/a': '2',
      [`${p}sandbox-id`]: 'sb-1',
      [`${p}claimed-at`]: '2026-01-02T03:04:05Z',
      [`${p}startup-timeout`]: '90',
      [`${p}idle-timeout`]: '0',
      [`${p}sandbox-metadata`]: '{"a":"2","z":"1"}',
      [`${p}managed-label-keys`]: '["app","team"]',
      [`${p}managed-annotation-keys`]: '["x.io/a","x.io/b"]',
    });
  });

  it('leaves out idle-timeout and sandbox-metadata when not given, and writes empty key lists', () => {
    const { annotations } = buildClaimMetadata({
      sandboxId: 'sb-2',
      managedBy: 'agentbox',
      now: new Date('2026-01-02T03:04:05Z'),
      startupTimeoutSeconds: 120,
    });
    expect(annotations[`${p}idle-timeout`]).toBeUndefined();
    expect(annotations[`${p}sandbox-metadata`]).toBeUndefined();
    expect(annotations[`${p}managed-label-keys`]).toBe('[]');
    expect(annotations[`${p}managed-annotation-keys`]).toBe('[]');
  });
});

describe('parseKeyList and sortedJsonObject', () => {
  it('reads a JSON array of strings; anything else is no keys', () => {
    expect(parseKeyList('["a","b"]')).toEqual(['a', 'b']);
    expect(parseKeyList('[1,"a"]')).toEqual(['a']);
    expect(parseKeyList('{')).toEqual([]);
    expect(parseKeyList('"a"')).toEqual([]);
    expect(parseKeyList(undefined)).toEqual([]);
  });
  it('sorts keys', () => {
    expect(sortedJsonObject({ b: '1', a: '2' })).toBe('{"a":"2","b":"1"}');
  });
});
