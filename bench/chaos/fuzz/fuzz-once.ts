// One fuzz run on its own control plane, outside vitest (for the long profile and measurements):
// `node --conditions=@agentbox/source --import tsx bench/chaos/fuzz/fuzz-once.ts`, with FUZZ_CASES (default
// 10000) and FUZZ_SEED (default 1). Prints the result as JSON and exits 1 on any violation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildK8sBinaries, startControlPlane } from '@agentbox/testenv';
import { runFuzz } from './run-fuzz.js';

const cases = Number(process.env['FUZZ_CASES'] ?? 10_000);
const seed = Number(process.env['FUZZ_SEED'] ?? 1);
const work = mkdtempSync(join(tmpdir(), 'agentbox-fuzz-'));
const binaries = await buildK8sBinaries();
const cp = await startControlPlane({ binDir: binaries.dir, logDir: join(work, 'control-plane') });
let code = 2;
try {
  const result = await runFuzz({
    controlPlane: cp,
    cases,
    seed,
    workDir: work,
    log: (m) => void process.stderr.write(`fuzz: ${m}\n`),
  });
  process.stdout.write(
    `${JSON.stringify({ ...result, violationCount: result.violations.length, violations: result.violations.slice(0, 100) }, null, 2)}\n`,
  );
  code = result.violations.length === 0 ? 0 : 1;
} finally {
  await cp.stop().catch(() => undefined);
}
if (code === 0) rmSync(work, { recursive: true, force: true });
else process.stderr.write(`fuzz: logs kept in ${work}\n`);
process.exit(code);
