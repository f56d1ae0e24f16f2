import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's CustomResourceDefinitions (`deploy/crds/`), what every harness installs. */
export const agentboxCrdDir = fileURLToPath(new URL('../../../../deploy/crds/', import.meta.url));

/** The YAML files of `deploy/crds/`, sorted, as paths for installCrds. */
export function agentboxCrdFiles(): string[] {
  return readdirSync(agentboxCrdDir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(agentboxCrdDir, f));
}
