import { AgentboxError } from '@agentbox/core';

/** A `host:port` bind address that does not parse. */
export class InvalidBindAddressError extends AgentboxError {
  override readonly code = 'InvalidBindAddress';
  constructor(readonly address: string) {
    super(`invalid bind address "${address}": want host:port, :port or [ipv6]:port (port 0 = any free port)`);
  }
}

/** A parsed bind address; `host` is empty for "every interface". */
export interface BindAddress {
  host: string;
  port: number;
}

/**
 * Parses `host:port`, `:port` or `[ipv6]:port` (controller-runtime's flag format); `''` means off and gives
 * `undefined`.
 */
export function parseBindAddress(address: string): BindAddress | undefined {
  if (address === '') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  if (!match) throw new InvalidBindAddressError(address);
  const port = Number(match[3]);
  if (port > 65535) throw new InvalidBindAddressError(address);
  return { host: match[1] ?? match[2] ?? '', port };
}
