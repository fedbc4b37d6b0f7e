/**
 * GET /health of the oracle's API, checked by hand (no zod, so both entries use it): the fields a
 * party checks before moving an escrow — the oracle's chain, contract, signer, encryption key and
 * registration expiry. An answer of another shape is `oracle_api.bad_answer` naming the fields.
 */
import { getCheckedJson, join } from "./oracle-fetch.ts";

export interface OracleHealth {
  ok: boolean;
  chainId: number;
  dealProof: string;
  signer: string;
  encryptionKey: string;
  registrationExpiresAt: number | null;
  [field: string]: unknown;
}

const FIELDS = {
  ok: "boolean",
  chainId: "number",
  dealProof: "string",
  signer: "string",
  encryptionKey: "string",
} as const;

function checkHealth(body: unknown) {
  if (typeof body !== "object" || body === null)
    return { ok: false as const, issues: "(answer): must be an object" };
  const o = body as Record<string, unknown>;
  const issues = Object.entries(FIELDS)
    .filter(([k, t]) => typeof o[k] !== t)
    .map(([k, t]) => `${k}: must be a ${t}`);
  if (o.registrationExpiresAt !== null && typeof o.registrationExpiresAt !== "number")
    issues.push("registrationExpiresAt: must be a number or null");
  return issues.length === 0
    ? { ok: true as const, value: o as OracleHealth }
    : { ok: false as const, issues: issues.join("; ") };
}

/** GET /health — public: the oracle's chain, contract, keys and registration. */
export function fetchOracleHealth(oracleUrl: string): Promise<OracleHealth> {
  return getCheckedJson(join(oracleUrl, "/health"), checkHealth);
}
