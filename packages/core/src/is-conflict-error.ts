/**
 * True for an HTTP 409 Conflict of any shape: `code` (client-node 1.x `ApiException`), `statusCode`,
 * `status`, `response.statusCode` / `response.status` (older clients, fetch wrappers), as a number or a
 * numeric string.
 */
export function isConflictError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Record<string, unknown>;
  const response = typeof e['response'] === 'object' && e['response'] !== null ? e['response'] : {};
  const r = response as Record<string, unknown>;
  return [e['code'], e['statusCode'], e['status'], r['statusCode'], r['status']].some(is409);
}

function is409(value: unknown): boolean {
  return value === 409 || value === '409';
}
