/** DNS for DKIM key lookups: a resolver interface, real DNS with a timeout, and an in-memory one. */
import { Resolver } from "node:dns/promises";

/** mailauth's resolver shape: TXT answers are arrays of strings per record. */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

function dnsError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

/** Real DNS with a hard timeout; a timeout or server failure surfaces as ETIMEOUT / ESERVFAIL. */
export function createDnsResolver(opts: { timeoutMs?: number; servers?: string[] } = {}): DnsResolver {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (opts.servers) r.setServers(opts.servers);
  return async (name, rrtype) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(dnsError("ETIMEOUT", `DNS lookup of ${name} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const answer = rrtype === "TXT" ? r.resolveTxt(name) : (r.resolve(name, rrtype) as Promise<string[]>);
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** In-memory TXT records (tests, the local demo). `behaviour` simulates DNS failures. */
export function createStaticResolver(
  records: Record<string, string>,
  behaviour: { timeout?: boolean; delayMs?: number } = {},
): DnsResolver {
  return async (name, rrtype) => {
    if (behaviour.timeout) {
      await new Promise((r) => setTimeout(r, behaviour.delayMs ?? 5));
      throw dnsError("ETIMEOUT", `DNS lookup of ${name} timed out`);
    }
    const key = name.toLowerCase().replace(/\.$/, "");
    const txt = rrtype === "TXT" ? records[key] : undefined;
    if (txt === undefined) throw dnsError("ENOTFOUND", `${name} ${rrtype} not found`);
    // Long TXT records are split into 255-byte strings, as DNS serves them.
    const parts: string[] = [];
    for (let i = 0; i < txt.length; i += 255) parts.push(txt.slice(i, i + 255));
    return [parts];
  };
}
