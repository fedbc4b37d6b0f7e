/**
 * Verifying a deal's settlement quote where the user is (a browser), with the checks of
 * `verify-quote` (oracle/quote/verify.ts) and of DealProof.settleWithQuote (DESIGN.md §4):
 *   format      — a TDX v4 quote (version 4, ECDSA-P256 key, TEE type 0x81, full TD 1.0 body);
 *   dcap        — the whole DCAP chain through @phala/dcap-qvl (PCK chain, QE report, TCB info,
 *                 QE identity, CRLs) to Intel's root CA or a supplied one (then "simulated");
 *   tcbStatus   — the TCB status is an accepted one (default UpToDate);
 *   reportData  — report_data = the Settlement's EIP-712 digest ‖ 32 zero bytes;
 *   measurement — the quote's measurement id is allowed on-chain (the caller reads the contract);
 *   tdAttributes — DESIGN.md §4's policy: no DEBUG, SEPT_VE_DISABLE set, reserved bits clear.
 * Every check is reported with a plain detail; `ok` only when all pass. dcap-qvl is CommonJS and
 * large, so the caller passes the loaded module (`await import("@phala/dcap-qvl")`): a dapp
 * loads it only on the page that verifies. Browser-safe: no Node built-ins (`buffer` is the npm
 * package in a browser).
 */
// dcap-qvl parses certificates with asn1.js, which takes only Buffers: the `buffer` package in a
// browser (dcap-qvl's own dependency), Node's built-in under Node.
import { Buffer } from "buffer";
import { hexlify } from "ethers";
import { dealProofDomain, reportDataFor, settlementDigest, type Hex, type Settlement } from "./eip712.ts";
import { measurementId } from "./measurement.ts";
import { checkTdAttributes } from "./td-attributes.ts";
import {
  ATT_KEY_TYPE_ECDSA_P256,
  HEADER,
  HEADER_LEN,
  QUOTE_VERSION,
  TD10_BODY_LEN,
  TEE_TYPE_TDX,
  splitTd10Body,
  type Td10Body,
} from "./quote-layout.ts";
import { DealProofError } from "./errors.ts";

/** The part of @phala/dcap-qvl this module calls (its `verify` and `QuoteVerifier`). */
export interface DcapQvl {
  verify(raw: Uint8Array, collateral: unknown, nowSecs: number): { status: string; advisory_ids: string[] };
  QuoteVerifier: {
    newWithRootCa(rootCaDer: Uint8Array): {
      verify(
        raw: Uint8Array,
        collateral: unknown,
        nowSecs: number,
      ): { status: string; advisory_ids: string[] };
    };
  };
}

export interface QuoteCheck {
  name: "format" | "dcap" | "tcbStatus" | "reportData" | "measurement" | "tdAttributes";
  passed: boolean;
  detail: string;
}

const hex = (b: Uint8Array) => hexlify(b) as Hex;
const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

const NOT_A_SETTLEMENT_QUOTE = "give the quote bytes of the deal's settleWithQuote transaction";

/** Reads a TDX v4 quote's header and TD 1.0 body; throws with what is wrong. */
export function parseTdQuote(raw: Uint8Array): Td10Body {
  if (raw.length < HEADER_LEN + TD10_BODY_LEN + 4)
    throw new DealProofError(
      "quote.bad_format",
      `a TDX quote has at least ${HEADER_LEN + TD10_BODY_LEN + 4} bytes; this one has ${raw.length}`,
      { hint: NOT_A_SETTLEMENT_QUOTE },
    );
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const version = v.getUint16(HEADER.version, true);
  const keyType = v.getUint16(HEADER.attestationKeyType, true);
  const teeType = v.getUint32(HEADER.teeType, true);
  const refuse = (message: string) =>
    new DealProofError("quote.bad_format", message, { hint: NOT_A_SETTLEMENT_QUOTE });
  if (version !== QUOTE_VERSION) throw refuse(`quote version ${version}; DealProof takes version 4`);
  if (keyType !== ATT_KEY_TYPE_ECDSA_P256)
    throw refuse(`attestation key type ${keyType}; DealProof takes 2 (ECDSA-P256)`);
  if (teeType !== TEE_TYPE_TDX) throw refuse(`TEE type 0x${teeType.toString(16)} is not TDX (0x81)`);
  return splitTd10Body(raw.subarray(HEADER_LEN, HEADER_LEN + TD10_BODY_LEN));
}

/**
 * The whole DCAP chain through dcap-qvl, to Intel's root CA or, when given, to `rootCaDer` (a
 * simulator's): the check, and the TCB status and advisories when it passes.
 */
export function checkDcap(
  qvl: DcapQvl,
  quote: Uint8Array,
  collateral: unknown,
  nowSecs: number,
  rootCaDer?: Uint8Array,
): { check: QuoteCheck; status: string | null; advisoryIds: string[] } {
  const who = rootCaDer === undefined ? "Intel DCAP chain" : "DCAP chain to the supplied (non-Intel) root CA";
  try {
    const r =
      rootCaDer === undefined
        ? qvl.verify(quote, collateral, nowSecs)
        : qvl.QuoteVerifier.newWithRootCa(Buffer.from(rootCaDer)).verify(quote, collateral, nowSecs);
    return {
      check: { name: "dcap", passed: true, detail: `${who} verified (dcap-qvl): ${r.status}` },
      status: r.status,
      advisoryIds: r.advisory_ids,
    };
  } catch (e) {
    return {
      check: { name: "dcap", passed: false, detail: `${who}: verification failed: ${(e as Error).message}` },
      status: null,
      advisoryIds: [],
    };
  }
}

/** Whether a TCB status is among the accepted ones (default: UpToDate only). */
export function checkTcbStatus(status: string, accepted: readonly string[] = ["UpToDate"]): QuoteCheck {
  return {
    name: "tcbStatus",
    passed: accepted.includes(status),
    detail: `${status} (accepted: ${accepted.join(", ")})`,
  };
}

/** DESIGN.md §4's TD attributes policy (`checkTdAttributes`); every failing bit by name, empty when it passes. */
export function tdAttributesProblems(tdAttributes: Uint8Array): string[] {
  return checkTdAttributes(tdAttributes).problems;
}

export interface SettlementQuoteInput {
  /** The raw quote (settleWithQuote's `quote` argument). */
  quote: Uint8Array;
  /** The Settlement it settled (settleWithQuote's `outcome` argument). */
  outcome: Settlement;
  chainId: bigint | number;
  dealProof: string;
  /** DCAP collateral (dcap-qvl's shape). */
  collateral: unknown;
  /** DER root CA when not Intel's (the simulator's); the verdict is then "simulated". */
  rootCaDer?: Uint8Array;
  /** Whether DealProof allows a measurement id (read `allowedMeasurements(id)` on-chain). */
  isMeasurementAllowed: (id: Hex) => Promise<boolean> | boolean;
  nowSeconds?: number;
  acceptedTcbStatuses?: string[];
}

export interface SettlementQuoteVerdict {
  ok: boolean;
  mode: "real" | "simulated";
  tcbStatus: string | null;
  measurementId: Hex | null;
  reportData: Hex | null;
  expectedReportData: Hex;
  checks: QuoteCheck[];
}

export async function verifySettlementQuote(
  qvl: DcapQvl,
  input: SettlementQuoteInput,
): Promise<SettlementQuoteVerdict> {
  const expected = reportDataFor(
    settlementDigest(dealProofDomain(input.chainId, input.dealProof), input.outcome),
  );
  const checks: QuoteCheck[] = [];
  const verdict: SettlementQuoteVerdict = {
    ok: false,
    mode: input.rootCaDer === undefined ? "real" : "simulated",
    tcbStatus: null,
    measurementId: null,
    reportData: null,
    expectedReportData: hex(expected),
    checks,
  };
  let body: Td10Body;
  try {
    body = parseTdQuote(input.quote);
    checks.push({ name: "format", passed: true, detail: `TDX v4 quote, ${input.quote.length} bytes` });
  } catch (e) {
    checks.push({ name: "format", passed: false, detail: (e as Error).message });
    return verdict;
  }
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const dcap = checkDcap(qvl, input.quote, input.collateral, now, input.rootCaDer);
  checks.push(dcap.check);
  verdict.tcbStatus = dcap.status;
  if (dcap.status !== null) checks.push(checkTcbStatus(dcap.status, input.acceptedTcbStatuses));
  verdict.reportData = hex(body.reportData);
  const rdOk = eq(body.reportData, expected);
  checks.push({
    name: "reportData",
    passed: rdOk,
    detail: rdOk
      ? "report_data is the settlement's EIP-712 digest ‖ 32 zero bytes"
      : `report_data ${hex(body.reportData).slice(0, 18)}… is not the settlement digest ${hex(expected).slice(0, 18)}…`,
  });
  const regs = { ...body };
  const id = measurementId(regs);
  verdict.measurementId = id;
  let allowed = false;
  let why = "";
  try {
    allowed = await input.isMeasurementAllowed(id);
  } catch (e) {
    why = ` (cannot read the contract: ${(e as Error).message})`;
  }
  checks.push({
    name: "measurement",
    passed: allowed,
    detail: allowed
      ? `measurement ${id.slice(0, 18)}… is allowed by DealProof`
      : `measurement ${id} is not allowed on-chain${why}`,
  });
  const problems = tdAttributesProblems(body.tdAttributes);
  checks.push({
    name: "tdAttributes",
    passed: problems.length === 0,
    detail: problems.length === 0 ? `production TD (${hex(body.tdAttributes)})` : problems.join("; "),
  });
  verdict.ok = checks.every((c) => c.passed) && checks.some((c) => c.name === "dcap");
  return verdict;
}
