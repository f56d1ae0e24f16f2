import { describe, expect, it } from 'vitest';
import { isConflictError } from './is-conflict-error.js';
import { PodConflictError } from './testing/index.js';

// The shape of @kubernetes/client-node 1.4's ApiException, without importing client-node into core.
class ApiException<T> extends Error {
  constructor(
    public code: number,
    message: string,
    public body: T,
    public headers: Record<string, string>,
  ) {
    super(message);
  }
}

describe('isConflictError', () => {
  it.each([
    [
      'client-node 1.4 ApiException',
      new ApiException(409, 'HTTP-Code: 409', '{"reason":"Conflict"}', {}),
      true,
    ],
    ['ApiException 404', new ApiException(404, 'not found', '', {}), false],
    ['statusCode', { statusCode: 409 }, true],
    ['status', { status: 409 }, true],
    ['response.statusCode (client-node 0.x)', { response: { statusCode: 409 } }, true],
    ['response.status (fetch)', { response: { status: 409 } }, true],
    ['a numeric string', { code: '409' }, true],
    ['the in-memory fake', new PodConflictError('ns/p'), true],
    ['a Node system error', Object.assign(new Error('x'), { code: 'ECONNRESET' }), false],
    ['500', { statusCode: 500, response: null }, false],
    ['null', null, false],
    ['a string', '409', false],
    ['undefined', undefined, false],
  ])('%s → %s', (_n, err, expected) => {
    expect(isConflictError(err)).toBe(expected);
  });
});
