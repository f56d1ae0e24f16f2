import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildK8sBinaries, startControlPlane } from '@agentbox/testenv';
import { expect, it } from 'vitest';
import { runFuzz } from './fuzz/run-fuzz.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

// The short fuzz profile: 2,000 hostile pods on its own control plane, reconciled by a real controller process
// and rendered by the CLI. Fails on any violation; the figures are in .test-results/fuzz-short.json.
it('survives 2,000 hostile pods: no crash, typed errors, InvalidState Events, no write to an unparseable pod', {
  timeout: 600_000,
}, async () => {
  const work = mkdtempSync(join(tmpdir(), 'agentbox-fuzz-'));
  const binaries = await buildK8sBinaries();
  const cp = await startControlPlane({ binDir: binaries.dir, logDir: join(work, 'control-plane') });
  try {
    const result = await runFuzz({
      controlPlane: cp,
      cases: 2_000,
      seed: 11,
      workDir: work,
      // 6 pods × 3 commands + 4 through the bin (each a Node start); the in-process runs cover the rest.
      cliBinSamples: 6,
    });
    mkdirSync(join(root, '.test-results'), { recursive: true });
    writeFileSync(join(root, '.test-results', 'fuzz-short.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (result.violations.length > 0) process.stderr.write(`${result.violations.slice(0, 50).join('\n')}\n`);
    expect(result.violations).toEqual([]);
    expect(result.created).toBeGreaterThan(1_500);
    expect(result.unparseableInPool).toBeGreaterThan(0);
    expect(result.cliRendered).toBeGreaterThan(0);
    rmSync(work, { recursive: true, force: true });
  } finally {
    await cp.stop().catch(() => undefined);
  }
});
