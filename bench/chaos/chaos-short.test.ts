import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// The short profile of the chaos runner: its own control plane, registry, kubelet simulator and two real
// controller processes, 90 s of seeded faults, then every invariant. Fails on any violation and prints them
// with the pods' histories (they are also in .test-results/chaos-short.json).
it('keeps every invariant through 90 s of faults', { timeout: 900_000 }, async () => {
  const result = join(root, '.test-results', 'chaos-short.json');
  const child = spawn(
    process.execPath,
    ['--conditions=@agentbox/source', '--import', 'tsx', 'bench/chaos/run.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        CHAOS_SECONDS: '90',
        CHAOS_SEED: '7',
        CHAOS_FAULT_EVERY_MS: '4000',
        CHAOS_RESULT: result,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) process.stderr.write(output);
  expect(code).toBe(0);
  const report = JSON.parse(readFileSync(result, 'utf8')) as { figures: { violations: number } };
  expect(report.figures.violations).toBe(0);
});
