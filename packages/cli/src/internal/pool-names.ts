import { SandboxPoolGroup } from '@agentbox/core';

/** The resource name kubectl prints for pools: `sandboxpool.agents.navix.sh`. */
export const poolResource = `sandboxpool.${SandboxPoolGroup}`;

/** `sandboxpool.agents.navix.sh/NAME`. */
export function poolRef(name: string): string {
  return `${poolResource}/${name}`;
}
