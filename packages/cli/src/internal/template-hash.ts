import { templateHashOf as controllerTemplateHash, type SandboxPool } from '@agentbox/controller';

/** The pool's template hash: the value the controller gives its pods in `agentbox.navix.sh/template-hash`. */
export function templateHashOf(pool: SandboxPool): string | undefined {
  return pool.spec ? controllerTemplateHash(pool).value : undefined;
}
