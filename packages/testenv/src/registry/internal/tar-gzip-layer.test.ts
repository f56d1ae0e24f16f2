import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Digest, tarGzipLayer } from './tar-gzip-layer.js';

/** Reads the one file of a ustar archive, checking the header checksum. */
function readSingleFileTar(tar: Buffer): { name: string; content: Buffer } {
  const header = tar.subarray(0, 512);
  const stored = Number.parseInt(header.subarray(148, 155).toString('ascii'), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  expect(sum).toBe(stored);
  const name = header.subarray(0, 100).toString('utf8').replace(/\0+$/, '');
  const size = Number.parseInt(header.subarray(124, 135).toString('ascii'), 8);
  return { name, content: tar.subarray(512, 512 + size) };
}

describe('tarGzipLayer', () => {
  it('round-trips any content and reports the digests of the gzip and of the tar', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 2000 }),
        fc.integer({ min: 1, max: 9 }),
        (text, level) => {
          const layer = tarGzipLayer('f.txt', text, level);
          const tar = gunzipSync(layer.blob);
          expect(layer.digest).toBe(sha256Digest(layer.blob));
          expect(layer.diffId).toBe(sha256Digest(tar));
          expect(tar.length % 512).toBe(0);
          const file = readSingleFileTar(tar);
          expect(file.name).toBe('f.txt');
          expect(file.content.toString('utf8')).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is deterministic, and the gzip level changes only the blob', () => {
    const a = tarGzipLayer('f.txt', 'hello');
    expect(tarGzipLayer('f.txt', 'hello')).toEqual(a);
    const b = tarGzipLayer('f.txt', 'hello', 1);
    expect(b.diffId).toBe(a.diffId);
    expect(b.digest).not.toBe(a.digest);
  });

  it('is a tarball GNU tar extracts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentbox-tar-test-'));
    try {
      writeFileSync(
        join(dir, 'layer.tar.gz'),
        tarGzipLayer('agentbox-testenv.txt', 'from the harness\n').blob,
      );
      execFileSync('tar', ['-xzf', join(dir, 'layer.tar.gz'), '-C', dir]);
      expect(readFileSync(join(dir, 'agentbox-testenv.txt'), 'utf8')).toBe('from the harness\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
