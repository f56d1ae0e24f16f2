import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/** True when the machine has an IPv4 default route (kube-apiserver needs one to pick its advertise address). */
export function hasDefaultRoute(): boolean {
  try {
    const lines = readFileSync('/proc/net/route', 'utf8').trim().split('\n').slice(1);
    return lines.some((line) => line.trim().split(/\s+/)[1] === '00000000');
  } catch {
    return false;
  }
}

/** A non-loopback IPv4 address of this machine, or 127.0.0.1 when it has none. */
export function localAdvertiseAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}
