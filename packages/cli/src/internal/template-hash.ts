import type { SandboxPool } from '@agentbox/controller';

/** The pool's template hash (the value its pods carry in `agentbox.navix.sh/template-hash`). */
export function templateHashOf(_pool: SandboxPool): string | undefined {
  return undefined;
}
