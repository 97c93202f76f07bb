/**
 * Which address a request comes from, for the limits kept per client address (failed joins, unauthenticated
 * connections). Behind a reverse proxy every connection comes from the proxy, so one client guessing invite
 * codes would lock everyone out, and a busy morning would hit the connection cap. The proxies listed in
 * PIZHU_TRUSTED_PROXIES are therefore looked through: their `X-Forwarded-For` is read from the right, past every
 * trusted proxy, and the first address that is not one is the client (everything left of it the client wrote
 * itself and may be forged). From anyone else the header is ignored.
 */
import { BlockList, isIP } from 'node:net';

/** Entries of X-Forwarded-For read at most: a chain of proxies is short, a hostile header may not be. */
const MAX_HOPS = 16;

/** A single address or a CIDR range (10.0.0.5, 10.0.0.0/24, fd00::/8). */
export function isAddressOrRange(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/** BlockList's name for an address's family (`isIP` gives 4 or 6). */
const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d; the limits and the list use a.b.c.d. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export class ClientAddresses {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  /** `proxies`: addresses and CIDR ranges, each valid (the configuration checks them). */
  constructor(proxies: readonly string[]) {
    for (const entry of proxies) {
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      if (prefix === undefined) this.trusted.addAddress(address, familyOf(address));
      else this.trusted.addSubnet(address, Number(prefix), familyOf(address));
    }
    this.any = proxies.length > 0;
  }

  /** Whether connections from `peer` are a proxy's, carrying many clients. */
  isTrustedProxy(peer: string | undefined): boolean {
    if (!this.any || !peer) return false;
    const address = plain(peer);
    return isIP(address) !== 0 && this.trusted.check(address, familyOf(address));
  }

  /** The client behind `peer`: `forwardedFor` is read only when `peer` is a trusted proxy. */
  resolve(peer: string | undefined, forwardedFor: string | undefined): string {
    const direct = peer ? plain(peer) : 'unknown';
    if (!forwardedFor || !this.isTrustedProxy(peer)) return direct;
    const hops = forwardedFor
      .split(',')
      .slice(-MAX_HOPS)
      .map((hop) => plain(hop.trim()));
    let client = direct;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      // Not an address: not written by a proxy we trust. The last trusted hop is the best we know.
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!this.isTrustedProxy(hop)) return hop;
    }
    return client;
  }
}
