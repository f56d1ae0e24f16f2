import { v7 as uuidv7 } from 'uuid';

const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;

/** True when `id` can be a sandbox id: a non-empty Kubernetes label value (≤ 63 characters). */
export function isValidSandboxId(id: string): boolean {
  return id.length > 0 && id.length <= 63 && LABEL_VALUE.test(id);
}

/** A new sandbox id: a UUIDv7 (time-ordered, so ids sort by claim time). */
export function newSandboxId(): string {
  return uuidv7();
}
