import { describe, expect, it } from 'vitest';
import { ClientAddresses, isAddressOrRange } from './client-address.ts';

describe('client addresses behind trusted proxies', () => {
  const behindNginx = new ClientAddresses(['10.0.0.2', '192.168.1.0/24', 'fd00::/8']);

  it('takes the address a trusted proxy saw, not what the client wrote left of it', () => {
    expect(behindNginx.resolve('10.0.0.2', '203.0.113.5')).toBe('203.0.113.5');
    // The client sent "X-Forwarded-For: 1.2.3.4" itself; nginx appended what it saw.
    expect(behindNginx.resolve('10.0.0.2', '1.2.3.4, 203.0.113.5')).toBe('203.0.113.5');
    // Two trusted proxies in a row.
    expect(behindNginx.resolve('10.0.0.2', '203.0.113.5, 192.168.1.7')).toBe('203.0.113.5');
    expect(behindNginx.resolve('::ffff:10.0.0.2', '203.0.113.5')).toBe('203.0.113.5');
    expect(behindNginx.resolve('fd00::1', '2001:db8::9')).toBe('2001:db8::9');
  });

  it('ignores the header from anyone else, so a client cannot pick its own address', () => {
    expect(behindNginx.resolve('198.51.100.9', '203.0.113.5')).toBe('198.51.100.9');
    expect(new ClientAddresses([]).resolve('10.0.0.2', '203.0.113.5')).toBe('10.0.0.2');
    expect(behindNginx.resolve('::ffff:198.51.100.9', undefined)).toBe('198.51.100.9');
    expect(behindNginx.resolve(undefined, '203.0.113.5')).toBe('unknown');
  });

  it('stops at garbage and reads a bounded number of hops', () => {
    expect(behindNginx.resolve('10.0.0.2', 'nonsense')).toBe('10.0.0.2');
    expect(behindNginx.resolve('10.0.0.2', '203.0.113.5, nonsense, 192.168.1.7')).toBe('192.168.1.7');
    expect(behindNginx.resolve('10.0.0.2', '')).toBe('10.0.0.2');
    // Only trusted hops: the leftmost of them (the client is inside the proxies' network).
    expect(behindNginx.resolve('10.0.0.2', '192.168.1.8, 192.168.1.7')).toBe('192.168.1.8');
    const long = `${Array.from({ length: 10_000 }, () => '192.168.1.9').join(',')}`;
    expect(behindNginx.resolve('10.0.0.2', long)).toBe('192.168.1.9');
  });

  it('knows which peers are proxies', () => {
    expect(behindNginx.isTrustedProxy('10.0.0.2')).toBe(true);
    expect(behindNginx.isTrustedProxy('192.168.1.200')).toBe(true);
    expect(behindNginx.isTrustedProxy('::ffff:192.168.1.200')).toBe(true);
    expect(behindNginx.isTrustedProxy('10.0.0.3')).toBe(false);
    expect(behindNginx.isTrustedProxy(undefined)).toBe(false);
    expect(new ClientAddresses([]).isTrustedProxy('127.0.0.1')).toBe(false);
  });

  it('accepts addresses and CIDR ranges only', () => {
    for (const ok of ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '0.0.0.0/0'])
      expect(isAddressOrRange(ok)).toBe(true);
    for (const bad of ['nginx', '10.0.0.0/33', '10.0.0.1/', '10.0.0.0/8/1', '::/129', '10.0.0.0/x', '']) {
      expect(isAddressOrRange(bad)).toBe(false);
    }
  });
});
