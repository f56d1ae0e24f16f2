import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryHarnessError } from './registry-harness-error.js';

/** Where go-containerregistry's `crane` and the resolver benchmark's Go baseline live. */
export interface GgcrBinaries {
  readonly dir: string;
  /** `crane` v0.22.1 (`crane registry serve` is the second real registry). */
  readonly crane: string;
  /** The benchmark's Go peer (`bench/resolver/go-baseline`). */
  readonly goBaseline: string;
}

/** The repository's `tools/ggcr/build.sh`, found relative to this package (src or dist). */
export function defaultGgcrBuildScript(): string {
  return fileURLToPath(new URL('../../../../tools/ggcr/build.sh', import.meta.url));
}

/**
 * Runs `tools/ggcr/build.sh`, which builds crane and the Go baseline from Go modules into the agentbox cache
 * when it is cold (under a minute with a warm module cache) and returns at once when warm. Throws
 * `RegistryHarnessError` (`RegistryStartFailed`) with the build's output when it fails: tests that need the
 * second registry must never be skipped silently.
 */
export async function buildGgcrBinaries(script: string = defaultGgcrBuildScript()): Promise<GgcrBinaries> {
  if (!existsSync(script)) {
    throw new RegistryHarnessError('RegistryStartFailed', `ggcr build script not found: ${script}`);
  }
  const child = spawn(script, [], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const dir = stdout.trim().split('\n').pop() ?? '';
  const binaries = { dir, crane: join(dir, 'crane'), goBaseline: join(dir, 'go-baseline') };
  if (code !== 0 || dir === '' || !existsSync(binaries.crane) || !existsSync(binaries.goBaseline)) {
    throw new RegistryHarnessError(
      'RegistryStartFailed',
      `building crane failed (${script} exited with ${code}):\n${stderr.trimEnd().split('\n').slice(-30).join('\n')}`,
    );
  }
  return binaries;
}
