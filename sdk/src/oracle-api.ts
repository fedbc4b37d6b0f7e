/**
 * A browser-safe client of the oracle's HTTP API (oracle/api/server.ts): a deal's public status,
 * the parties' transcript after a wallet sign-in, and the simulated TEE's DCAP root and
 * collateral. The sign-in exchange is `signInToOracle` alone (the API's EIP-4361 challenge,
 * signed with EIP-191 personal_sign), so it can follow the API when that changes. Transcripts are
 * returned only when they hash to what DealProof recorded at settlement. `oracleUrl` may be an
 * absolute URL or a same-origin path such as "/oracle". Every answer is checked with zod before
 * it is used; one of another shape is an error naming the endpoint and the fields.
 */
import { getBytes, keccak256, toUtf8Bytes } from "ethers";
import { z } from "zod";
import { describeIssues } from "./zod-issues.ts";
import { DealProofError } from "./errors.ts";
import { getCheckedJson, join } from "./oracle-fetch.ts";

/** GETs JSON and checks it against a zod schema. */
function getJson<T>(url: string, schema: z.ZodType<T>, headers: Record<string, string> = {}): Promise<T> {
  return getCheckedJson(
    url,
    (body) => {
      const parsed = schema.safeParse(body);
      return parsed.success
        ? { ok: true, value: parsed.data }
        : { ok: false, issues: describeIssues(parsed.error) };
    },
    headers,
  );
}

/** Parses JSON that already hashed to an on-chain value; a clear error if it still is not JSON. */
function parseAttested(json: string, what: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new DealProofError(
      "oracle_api.bad_answer",
      `the oracle's ${what} matches its settled hash but is not JSON`,
      {
        hint: "report the deal id to the oracle's operator",
      },
    );
  }
}

const dealViewSchema = z.looseObject({
  status: z.string(),
  outcome: z
    .looseObject({
      agreed: z.boolean(),
      priceWei: z.string(),
      termsHash: z.string(),
      transcriptHash: z.string(),
      reason: z.string(),
    })
    .nullable(),
  lastError: z.string().nullable(),
});
const challengeSchema = z.looseObject({ message: z.string() });
const transcriptSchema = z.looseObject({ termsJson: z.string(), transcriptJson: z.string() });
const attestationSchema = z.looseObject({
  simulated_dcap: z
    .looseObject({ root_ca: z.string().regex(/^([0-9a-fA-F]{2})+$/, "must be hex"), collateral: z.unknown() })
    .optional(),
});

export { fetchOracleHealth, type OracleHealth } from "./oracle-health.ts";

export interface OracleDealView {
  status: string;
  outcome: {
    agreed: boolean;
    priceWei: string;
    termsHash: string;
    transcriptHash: string;
    reason: string;
  } | null;
  lastError: string | null;
}

/** GET /deals/:id — public: status, outcome and the no-deal reason. */
export async function fetchOracleDeal(oracleUrl: string, dealId: bigint): Promise<OracleDealView> {
  return getJson(join(oracleUrl, `/deals/${dealId}`), dealViewSchema);
}

/** Signs a text message with the wallet (EIP-191 personal_sign). */
export type SignMessage = (message: string) => Promise<string>;

/** Proof of a party's wallet for one deal, sent with the transcript request. */
export type OracleAuth = Record<string, string>;

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

/** Sign-in: the oracle's EIP-4361 challenge for (address, deal), signed by the wallet. */
export async function signInToOracle(
  oracleUrl: string,
  dealId: bigint,
  address: string,
  signMessage: SignMessage,
): Promise<OracleAuth> {
  const c = await getJson(
    join(oracleUrl, `/auth/challenge?address=${address}&dealId=${dealId}`),
    challengeSchema,
  );
  const signature = await signMessage(c.message);
  return { "x-dealproof-message": b64(c.message), "x-dealproof-signature": signature };
}

interface TranscriptEntryView {
  round: number;
  role: string;
  action: string;
  priceWei?: string;
  note?: string;
}

export interface DealTranscriptView {
  termsJson: string;
  transcriptJson: string;
  terms: unknown;
  transcript: unknown;
}

/** The deal's terms and transcript; throws unless both hash to `expected` (from DealSettled). */
export async function fetchDealTranscript(
  oracleUrl: string,
  dealId: bigint,
  auth: OracleAuth,
  expected: { termsHash: string; transcriptHash: string },
): Promise<DealTranscriptView> {
  const r = await getJson(join(oracleUrl, `/deals/${dealId}/transcript`), transcriptSchema, auth);
  if (keccak256(toUtf8Bytes(r.transcriptJson)) !== expected.transcriptHash.toLowerCase())
    throw new DealProofError(
      "oracle_api.transcript_mismatch",
      "the oracle's transcript does not hash to the transcriptHash settled on-chain",
      { hint: "do not trust this transcript; report the deal id to the oracle's operator" },
    );
  if (keccak256(toUtf8Bytes(r.termsJson)) !== expected.termsHash.toLowerCase())
    throw new DealProofError(
      "oracle_api.terms_mismatch",
      "the oracle's terms do not hash to the termsHash settled on-chain",
      { hint: "do not trust these terms; report the deal id to the oracle's operator" },
    );
  return {
    ...r,
    terms: parseAttested(r.termsJson, "terms"),
    transcript: parseAttested(r.transcriptJson, "transcript"),
  };
}

/** The offers of a transcript by round, for a chart: [{ round, buyer?, seller? }] in wei. */
export function offersByRound(transcript: unknown): { round: number; buyer?: bigint; seller?: bigint }[] {
  const entries = Array.isArray(transcript)
    ? transcript
    : ((transcript as { moves?: unknown[]; entries?: unknown[] } | null)?.moves ??
      (transcript as { entries?: unknown[] } | null)?.entries ??
      []);
  const rounds = new Map<number, { round: number; buyer?: bigint; seller?: bigint }>();
  for (const e of entries as TranscriptEntryView[]) {
    if (typeof e?.round !== "number" || typeof e.priceWei !== "string" || !/^[0-9]+$/.test(e.priceWei))
      continue;
    if (e.role !== "buyer" && e.role !== "seller") continue;
    const r = rounds.get(e.round) ?? { round: e.round };
    r[e.role] = BigInt(e.priceWei);
    rounds.set(e.round, r);
  }
  return [...rounds.values()].sort((a, b) => a.round - b.round);
}

export interface SimulatedDcap {
  rootCaDer: Uint8Array;
  collateral: unknown;
}

/**
 * A simulated TEE's DCAP root CA and collateral (GET /attestation), to verify its quotes; null
 * when the oracle runs on real TDX (then verify against Intel's root with Intel's collateral).
 */
export async function fetchSimulatedDcap(oracleUrl: string): Promise<SimulatedDcap | null> {
  const r = await getJson(join(oracleUrl, "/attestation?nonce=00"), attestationSchema);
  if (r.simulated_dcap === undefined) return null;
  const h = r.simulated_dcap.root_ca;
  return {
    rootCaDer: getBytes(`0x${h}`),
    collateral: r.simulated_dcap.collateral,
  };
}
