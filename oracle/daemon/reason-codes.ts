/**
 * The one place that turns an error into the code the daemon stores and the API shows
 * (`last_code`, the code inside a "no deal" reason, an API error's `code`). Those codes were
 * released before the dotted DealProofError codes and the dapp, the tests and terms already
 * hashed on-chain read them, so they never change: an error code maps to its stored code here.
 * Codes released bare (the dataset's and the sealed inputs' reasons, and the table below) keep
 * their released form; every other code is stored dotted, as it is, so no two codes collide.
 * Invariant: the mapping is total and one-to-one, and reads codes only, never message text.
 */
import { causeChain, isDealProofError } from "../../sdk/src/errors.ts";
import type { ListingVerdict } from "../../sdk/src/verified-listing.ts";

/** Areas whose codes were released as their bare reason (`dataset.too_large` → `too_large`). */
const BARE_AREAS = ["dataset.", "sealed_input."];

/** Released codes that are not the bare reason of their error code. */
const STORED_CODES: Readonly<Record<string, string>> = {
  "rpc.timeout": "rpc_timeout",
  "rpc.unreachable": "rpc_unreachable",
  "rpc.http_error": "rpc_http_error",
  "rpc.bad_response": "rpc_bad_response",
  "rpc.aborted": "rpc_aborted",
  "dns.unavailable": "dns_unavailable",
  "settlement.refused": "settlement_refused",
  // DESIGN §9: the "no deal" reason code of a model API that failed (hashed into the terms)
  "agent.unavailable": "agent-unavailable",
  "api.challenges_full": "challenges_full",
};

/** The stored code of a DealProofError code. */
export function storedCode(code: string): string {
  const explicit = STORED_CODES[code];
  if (explicit !== undefined) return explicit;
  const area = BARE_AREAS.find((a) => code.startsWith(a));
  return area === undefined ? code : code.slice(area.length);
}

/**
 * What a failed attempt was, as a stored code: the first code in `e`'s cause chain (ours mapped
 * by storedCode; a library's, such as ethers' `NETWORK_ERROR` or Node's `ECONNREFUSED`, as it is),
 * or `internal`.
 */
export function failureCode(e: unknown): string {
  for (const cur of causeChain(e)) {
    if (isDealProofError(cur)) return storedCode(cur.code);
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return "internal";
}

/**
 * DESIGN §11: the "no deal" reason code (hashed into the terms) of a deal on a listing whose
 * verified-listing record is not `verified`: `listing.datasheet-failed`, `listing.data-unavailable`,
 * `listing.identity-failed`, `listing.unopenable`.
 */
export function listingReasonCode(verdict: Exclude<ListingVerdict, "verified">): `listing.${string}` {
  return `listing.${verdict}`;
}
