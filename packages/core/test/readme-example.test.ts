import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('README example', () => {
  it('is exactly examples/claim-and-release.ts', () => {
    const readme = read('README.md');
    const marker = '<!-- example: examples/claim-and-release.ts -->\n```ts\n';
    const start = readme.indexOf(marker);
    expect(start).toBeGreaterThan(-1);
    const block = readme.slice(start + marker.length, readme.indexOf('```\n', start + marker.length));
    expect(block).toBe(read('examples/claim-and-release.ts'));
  });

  it('runs: claim, completion, release (its own assertions pass)', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/claim-and-release.js');
    expect(log).toHaveBeenCalledWith('demo-0: idle → starting → running → stopping → idle in 4 writes');
    log.mockRestore();
  });
});
