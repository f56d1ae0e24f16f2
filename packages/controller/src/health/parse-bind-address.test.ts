import { describe, expect, it } from 'vitest';
import { InvalidBindAddressError, parseBindAddress } from './parse-bind-address.js';

describe('parseBindAddress', () => {
  it.each([
    [':8080', { host: '', port: 8080 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['0.0.0.0:9090', { host: '0.0.0.0', port: 9090 }],
    ['localhost:8081', { host: 'localhost', port: 8081 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
  ])('%s', (address, expected) => {
    expect(parseBindAddress(address)).toEqual(expected);
  });

  it('treats the empty string as off', () => {
    expect(parseBindAddress('')).toBeUndefined();
  });

  it.each(['8080', 'host', 'host:', 'a:b', ':70000', '::1:80', 'h:1:2'])('rejects %s', (address) => {
    expect(() => parseBindAddress(address)).toThrow(InvalidBindAddressError);
  });
});
