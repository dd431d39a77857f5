import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from './errors.js';

/**
 * Which outbound URLs a webhook (or any server-side fetch a user configures) may call. Harbor
 * calls whatever a project admin types, so a webhook can reach the cloud metadata service
 * (169.254.169.254), the database on localhost, or the internal network: an SSRF. Here the host
 * is resolved once, EVERY address it resolves to is checked, and the caller connects to the
 * address that was checked (pinnedLookup), so a DNS answer that changes between the check and
 * the connect (rebinding) cannot move the request to another address. The caller must not
 * follow redirects (a 3xx to http://127.0.0.1 would walk around the check); Harbor's client
 * does, Haven's deliveries report the 3xx as the answer.
 */

/** An address answer, as dns.lookup({ all: true }) gives them. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface TargetGuardOptions {
  /** Allow loopback, private and other non-public addresses (tests, and trusted installations). */
  allowPrivateTargets: boolean;
  /** Name resolution; dns.lookup (the system resolver, /etc/hosts included) when not given. */
  resolve?: Resolver | undefined;
}

/** A URL that may be called, and the one address to call it on. */
export interface CheckedTarget {
  url: URL;
  /** The host as the request names it (Host header, TLS server name); no brackets for IPv6. */
  hostname: string;
  /** The address to connect to: the one that was checked. */
  address: string;
  family: 4 | 6;
}

/** A target refused for its scheme or its address; retrying will not help. */
export class TargetRefusedError extends AppError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
    this.name = 'TargetRefusedError';
  }
}

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true });

/** IPv4-compatible IPv6 (::a.b.c.d, deprecated by RFC 4291): ipaddr.js calls it unicast. */
const ipv4Compatible = ipaddr.parseCIDR('::/96');
/** NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached. */
const nat64 = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * The ipaddr.js range of an address that may not be called, or null for a public unicast one.
 * Everything but global unicast is refused: loopback, private (RFC 1918), unique local
 * (fc00::/7), link-local, carrier-grade NAT, unspecified, multicast, broadcast, documentation,
 * benchmarking and reserved ranges, 6to4 and Teredo. An IPv4-mapped or NAT64 IPv6 address is
 * judged by the IPv4 address inside it, so ::ffff:127.0.0.1 is loopback.
 */
export function refusedRange(ip: string): string | null {
  let addr: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) addr = v6.toIPv4Address();
    else if (v6.match(nat64)) addr = new ipaddr.IPv4(v6.toByteArray().slice(12));
    else if (v6.match(ipv4Compatible)) return v6.range() === 'unicast' ? 'ipv4Compatible' : v6.range();
  }
  const range = addr.range();
  return range === 'unicast' ? null : range;
}

/**
 * Checks that `address` may be called and resolves it: http or https only; every address the
 * host resolves to must be public unless allowPrivateTargets. Throws TargetRefusedError for a
 * refusal; a resolver failure (ENOTFOUND, a timeout) is thrown as it came, as it may pass.
 */
export async function checkTarget(address: string, opts: TargetGuardOptions): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new TargetRefusedError(`webhook target ${JSON.stringify(address.slice(0, 200))} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TargetRefusedError(`webhook target scheme ${url.protocol.slice(0, -1)} is not allowed; use http or https`);
  }
  // The WHATWG parser has already turned 0x7f.1, 2130706433 and friends into dotted quads.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const answers = isIP(hostname) !== 0 ? [{ address: hostname, family: isIP(hostname) }] : await (opts.resolve ?? systemResolver)(hostname);
  if (answers.length === 0) throw new TargetRefusedError(`webhook target host ${hostname} resolves to no address`);
  if (!opts.allowPrivateTargets) {
    for (const a of answers) {
      const range = refusedRange(a.address);
      if (range !== null) {
        const what = a.address === hostname ? `webhook target ${hostname}` : `webhook target host ${hostname} resolves to ${a.address}, which`;
        throw new TargetRefusedError(`${what} is a ${range} address; only public addresses may be called unless webhook.allowPrivateTargets is set`);
      }
    }
  }
  const first = answers[0]!;
  return { url, hostname, address: first.address, family: isIP(first.address) === 6 ? 6 : 4 };
}

/**
 * A `lookup` for http.request, https.request or an undici Agent's `connect` that answers every
 * name with the checked address: the request still names the host (Host header, TLS server name
 * and certificate check) but cannot reach any other address.
 */
export function pinnedLookup(target: Pick<CheckedTarget, 'address' | 'family'>): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}
