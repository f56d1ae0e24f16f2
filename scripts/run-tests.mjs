#!/usr/bin/env node
// Runs the whole vitest suite once (units and integration tests against the real
// services), prints core's line coverage, and ends with the plain line CI reads:
// `N passed, N failed`. Exits non-zero on any failure, a file that failed to load
// included, or when core's line coverage falls under its floor.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const CORE_LINE_COVERAGE_FLOOR = 95;
const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.test-results');
const report = join(out, 'vitest.json');
const summary = join(out, 'coverage', 'coverage-summary.json');
mkdirSync(out, { recursive: true });
rmSync(report, { force: true });
rmSync(summary, { force: true });

const vitest = join(root, 'node_modules', '.bin', 'vitest');
const args = [
  'run',
  '--coverage',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const run = spawnSync(vitest, args, { cwd: root, stdio: 'inherit', env: process.env });

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = r.numFailedTests ?? 0;
  // A test file that failed to load or whose hooks threw contributes no failed test;
  // count it as one failure so it can never pass silently.
  for (const file of r.testResults ?? []) {
    const tests = file.assertionResults ?? [];
    if (file.status === 'failed' && !tests.some((t) => t.status === 'failed')) failed += 1;
  }
} else {
  console.error(`vitest wrote no report (exit ${run.status ?? run.signal}); counting the run as failed`);
  failed += 1;
}

if (existsSync(summary)) {
  const pct = JSON.parse(readFileSync(summary, 'utf8')).total.lines.pct;
  console.log(`core line coverage: ${pct}% (floor ${CORE_LINE_COVERAGE_FLOOR}%)`);
  if (pct < CORE_LINE_COVERAGE_FLOOR && process.argv.length <= 2) {
    console.error('core line coverage is under its floor');
    failed += 1;
  }
}
if (run.status !== 0 && failed === 0) {
  console.error(`vitest exited with ${run.status ?? run.signal}; counting the run as failed`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
