/**
 * Which dataset locations the oracle may fetch (DESIGN.md §9). In production: only https: URLs
 * whose host resolves to public unicast addresses only — checked on the resolved addresses (not
 * the name), on the address actually connected to, and again on every redirect. Loopback,
 * private, carrier-grade NAT, link-local (cloud metadata included), multicast, reserved,
 * documentation and the IPv6 equivalents (unique-local, link-local, IPv4-mapped/compatible,
 * NAT64, 6to4, Teredo) are refused. Local files and loopback only under the simulator.
 * Invariant: a refusal carries one code, location_refused, and a message that does not depend on
 * whether anything exists at the location, so a seller learns nothing about the CVM's files.
 */
import { BlockList, isIP, isIPv4 } from "node:net";
import { lookup } from "node:dns/promises";

export interface LocationPolicy {
  /** URL schemes allowed, e.g. ["https:"]. */
  schemes: readonly string[];
  /** Whether file paths and file:// URLs may be read. */
  files: boolean;
  /** Whether a resolved address may be connected to. */
  allowAddress: (ip: string) => boolean;
  /** Resolves a host name to every address (DNS; replaceable in tests). */
  resolve?: (host: string) => Promise<string[]>;
}

const blocked = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  blocked.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["::", 96], // IPv4-compatible (deprecated)
  ["64:ff9b::", 96], // NAT64
  ["64:ff9b:1::", 48],
  ["100::", 64], // discard
  ["2001::", 23], // IETF protocol assignments, Teredo included
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4
  ["3fff::", 20], // documentation
  ["5f00::", 16], // SRv6
  ["fc00::", 7], // unique local (fd00:ec2::254, the AWS metadata address, included)
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const)
  blocked.addSubnet(net, bits, "ipv6");

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d or ::ffff:xxxx:xxxx). */
function mappedV4(ip: string): string | undefined {
  const m = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(ip);
  if (m === null) return undefined;
  const rest = m[1]!;
  if (isIPv4(rest)) return rest;
  const h = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (h === null) return undefined;
  const a = parseInt(h[1]!, 16);
  const b = parseInt(h[2]!, 16);
  return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
}

/** Whether `ip` is a public unicast address (the only kind production may fetch from). */
export function isPublicAddress(ip: string): boolean {
  const bare = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const kind = isIP(bare);
  if (kind === 4) return !blocked.check(bare, "ipv4");
  if (kind !== 6) return false;
  const v4 = mappedV4(bare);
  if (v4 !== undefined) return false; // a mapped address is never needed to reach a public host
  return !blocked.check(bare, "ipv6");
}

export const PRODUCTION_POLICY: LocationPolicy = {
  schemes: ["https:"],
  files: false,
  allowAddress: isPublicAddress,
};

/** Local development, tests and the parties' own tools: files, http and loopback allowed. */
export const LOCAL_POLICY: LocationPolicy = {
  schemes: ["https:", "http:"],
  files: true,
  allowAddress: () => true,
};

export async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
