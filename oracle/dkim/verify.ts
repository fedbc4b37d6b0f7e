/**
 * Seller identity from a DKIM-signed email (mailauth). Passes only when a DKIM signature passes,
 * the From header is among the signed headers, the signing domain is aligned with the From domain
 * (relaxed, organizational-domain alignment as DMARC defines it, via mailauth), and no l= tag
 * leaves part of the body unsigned. Never throws on bad input: the reason says why. The raw bytes
 * are never logged or kept; callers drop their reference after this returns.
 */
import { dkimVerify } from "mailauth";
import type { DnsResolver } from "./resolver.ts";
import { MAX_EMAIL_BYTES } from "../../sdk/src/limits.ts";

/** Why a seller email did not verify, as a stable code recorded in the terms. */
type DkimFailureCode =
  | "no-email"
  | "malformed"
  | "no-signature"
  | "signature-invalid"
  | "body-length-limit"
  | "from-not-signed"
  | "not-aligned"
  | "dns-unavailable";

export interface SellerIdentity {
  /** The verified signing domain, or the claimed one when verification failed (null if none). */
  domain: string | null;
  verified: boolean;
  reason: string;
  /** Null when verified. */
  code?: DkimFailureCode | null;
  /** DNS could not be reached: the email was not judged, rather than judged bad. */
  dnsUnavailable: boolean;
}

function fail(
  reason: string,
  code: DkimFailureCode,
  domain: string | null = null,
  dnsUnavailable = false,
): SellerIdentity {
  return { domain, verified: false, reason, code, dnsUnavailable };
}

/** The DKIM result as the terms record it (DESIGN §8): pass / fail / none / unavailable, and the code. */
export function dkimSummary(identity: SellerIdentity): { result: string; reasonCode: string | null } {
  if (identity.verified) return { result: "pass", reasonCode: null };
  const code = identity.code ?? "signature-invalid";
  if (code === "no-email") return { result: "none", reasonCode: code };
  if (identity.dnsUnavailable) return { result: "unavailable", reasonCode: "dns-unavailable" };
  return { result: "fail", reasonCode: code };
}

export async function verifySellerEmail(
  eml: Uint8Array,
  opts: { resolver: DnsResolver; now?: Date },
): Promise<SellerIdentity> {
  if (eml.length === 0) return fail("malformed .eml: empty", "malformed");
  if (eml.length > MAX_EMAIL_BYTES)
    return fail(`malformed .eml: larger than ${MAX_EMAIL_BYTES} bytes`, "malformed");
  const text = Buffer.from(eml).toString("latin1");
  const sep = text.search(/\r?\n\r?\n/);
  if (sep <= 0 || !/^from:/im.test(text.slice(0, sep)))
    return fail("malformed .eml: no header block with a From header", "malformed");

  let result;
  try {
    result = await dkimVerify(Buffer.from(eml), { resolver: opts.resolver, curTime: opts.now ?? new Date() });
  } catch {
    return fail("malformed .eml: the message could not be parsed", "malformed");
  }
  if (result.fromFields !== 1)
    return fail(`malformed .eml: ${result.fromFields} From headers (exactly one is allowed)`, "malformed");
  const from = result.headerFrom[0] ?? "";
  const fromDomain = from.includes("@") ? from.slice(from.lastIndexOf("@") + 1).toLowerCase() : "";
  if (fromDomain === "") return fail("malformed .eml: the From header has no address", "malformed");
  if (result.results.length === 0 || result.results.every((r) => r.status.result === "none")) {
    return fail("no DKIM signature", "no-signature", fromDomain);
  }

  const reasons: string[] = [];
  const codes: DkimFailureCode[] = [];
  let dnsDown = false;
  for (const r of result.results) {
    const d = (r.signingDomain ?? "").toLowerCase();
    const status = r.status;
    if (status.result === "temperror") {
      dnsDown = true;
      codes.push("dns-unavailable");
      reasons.push(
        `DNS unreachable for ${r.selector ?? "?"}._domainkey.${d} (${status.comment ?? "temporary error"})`,
      );
      continue;
    }
    if (status.result !== "pass") {
      codes.push("signature-invalid");
      reasons.push(
        `signature by ${d} did not verify: ${status.result}${status.comment ? ` (${status.comment})` : ""}`,
      );
      continue;
    }
    if (r.canonBodyLengthLimited === true) {
      codes.push("body-length-limit");
      reasons.push(`signature by ${d} has an l= body length limit: content could be appended unsigned`);
      continue;
    }
    const signed = (r.signingHeaders?.keys ?? "")
      .toLowerCase()
      .split(":")
      .map((h) => h.trim());
    if (!signed.includes("from")) {
      codes.push("from-not-signed");
      reasons.push(`signature by ${d} does not sign the From header`);
      continue;
    }
    if (!status.aligned) {
      codes.push("not-aligned");
      reasons.push(`signing domain ${d} is not aligned with the From domain ${fromDomain}`);
      continue;
    }
    return {
      domain: d,
      verified: true,
      reason: `DKIM pass for ${d}, aligned with From ${fromDomain}`,
      code: null,
      dnsUnavailable: false,
    };
  }
  return fail(reasons.join("; "), codes[0] ?? "signature-invalid", fromDomain, dnsDown);
}
