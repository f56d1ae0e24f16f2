import { inspect } from 'node:util';
import type { RegistryCredentials } from './registry-handle.js';

/**
 * Makes a credentials object whose password stays out of `console.log`, `util.inspect`,
 * `JSON.stringify` and test-failure diffs (non-enumerable `toJSON` and inspect hook),
 * while `credentials.password` still reads it.
 */
export function registryCredentials(username: string, password: string): RegistryCredentials {
  const credentials = { username, password };
  const redacted = (): { username: string; password: string } => ({ username, password: '<redacted>' });
  Object.defineProperty(credentials, 'toJSON', { value: redacted, enumerable: false });
  Object.defineProperty(credentials, inspect.custom, { value: redacted, enumerable: false });
  return credentials;
}
