/**
 * Off-chain quote verification: a verdict with every check, for real quotes (Intel DCAP via
 * @phala/dcap-qvl with supplied collateral and time) and for the embedded simulator's quotes
 * (P-256 signature by a trusted simulator attestation key). Parsing lives in reader.ts; this
 * module is the policy.
 */
import { createRequire } from "node:module";
import { p256 } from "@noble/curves/p256";
import { sha256 } from "@noble/hashes/sha2";
import { hexlify } from "ethers";
import { parseQuote, type ParsedQuote } from "./reader.ts";
import { parseEventLog, replayRtmr3 } from "./eventlog.ts";
import { measurementId } from "../../sdk/src/measurement.ts";
import { checkTdAttributes } from "../../sdk/src/td-attributes.ts";
import type { Hex } from "../../sdk/src/eip712.ts";
import { checkDcap, checkTcbStatus, type DcapQvl } from "../../sdk/src/settlement-quote.ts";

// @phala/dcap-qvl is CommonJS.
const qvl = createRequire(import.meta.url)("@phala/dcap-qvl") as DcapQvl & {
  constants: { TRUSTED_ROOT_CA_DER: Uint8Array };
};

interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

export interface Verdict {
  ok: boolean;
  mode: "real" | "simulated";
  tcbStatus: string | null;
  advisoryIds: string[];
  mrTd: Hex | null;
  rtMr0: Hex | null;
  rtMr1: Hex | null;
  rtMr2: Hex | null;
  rtMr3: Hex | null;
  reportData: Hex | null;
  tdAttributes: Hex | null;
  xfam: Hex | null;
  mrConfigId: Hex | null;
  measurementId: Hex | null;
  appId: string | null;
  composeHash: string | null;
  instanceId: string | null;
  checks: Check[];
}

export interface VerifyOptions {
  /** DCAP collateral (the shape dcap-qvl's verify() takes). When given, the quote is verified
   * through the whole DCAP chain (PCK certificates, QE report, TCB info, QE identity, CRLs). */
  collateral?: unknown;
  /** DER root CA the DCAP chain must lead to (default: Intel's SGX root CA). Any other root —
   * e.g. the embedded simulator's — makes the verdict "simulated". */
  rootCaDer?: Uint8Array;
  /** Verification time, Unix seconds (default: now). Collateral has a validity window. */
  nowSeconds?: number;
  /** 64-byte (x ‖ y) simulator attestation keys to trust; a quote signed by one is "simulated". */
  simulatorKeys?: Uint8Array[];
  /** dstack event log (JSON string) to replay RTMR3 from. */
  eventLog?: string;
  expectedReportData?: Uint8Array;
  /** Hex compose hash (no 0x) the app must have. */
  expectedComposeHash?: string;
  /** TCB statuses that pass (default: UpToDate). */
  acceptedTcbStatuses?: string[];
}

const eqBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export function verifyQuote(raw: Uint8Array, opts: VerifyOptions = {}): Verdict {
  const checks: Check[] = [];
  const v: Verdict = {
    ok: false,
    mode: "real",
    tcbStatus: null,
    advisoryIds: [],
    mrTd: null,
    rtMr0: null,
    rtMr1: null,
    rtMr2: null,
    rtMr3: null,
    reportData: null,
    tdAttributes: null,
    xfam: null,
    mrConfigId: null,
    measurementId: null,
    appId: null,
    composeHash: null,
    instanceId: null,
    checks,
  };
  let q: ParsedQuote;
  try {
    q = parseQuote(raw);
    checks.push({ name: "format", passed: true, detail: `TDX v4 quote, ${raw.length} bytes` });
  } catch (e) {
    checks.push({ name: "format", passed: false, detail: (e as Error).message });
    return v;
  }
  const b = q.body;
  Object.assign(v, {
    mrTd: hexlify(b.mrTd),
    rtMr0: hexlify(b.rtMr0),
    rtMr1: hexlify(b.rtMr1),
    rtMr2: hexlify(b.rtMr2),
    rtMr3: hexlify(b.rtMr3),
    reportData: hexlify(b.reportData),
    tdAttributes: hexlify(b.tdAttributes),
    xfam: hexlify(b.xfam),
    mrConfigId: hexlify(b.mrConfigId),
    measurementId: measurementId(b),
  });
  // the same rule the contract applies (TdPolicy.sol): a failing check names the bit
  const td = checkTdAttributes(b.tdAttributes);
  checks.push({
    name: "tdAttributes",
    passed: td.ok,
    detail: td.ok
      ? `${hexlify(b.tdAttributes)}: production TD (DEBUG clear, SEPT_VE_DISABLE set, no reserved bits)`
      : `${hexlify(b.tdAttributes)}: ${td.problems.join("; ")}`,
  });

  const simKey = (opts.simulatorKeys ?? []).find((k) => eqBytes(k, q.signatureData.attestationKey));
  if (opts.collateral !== undefined) {
    const root = opts.rootCaDer;
    const intelRoot = root === undefined || eqBytes(root, Uint8Array.from(qvl.constants.TRUSTED_ROOT_CA_DER));
    v.mode = intelRoot ? "real" : "simulated";
    const nowSecs = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
    const dcap = checkDcap(qvl, raw, opts.collateral, nowSecs, intelRoot ? undefined : root);
    checks.push(dcap.check);
    v.tcbStatus = dcap.status;
    v.advisoryIds = dcap.advisoryIds;
  } else if (simKey) {
    v.mode = "simulated";
    const sigOk = (() => {
      try {
        return p256.verify(
          q.signatureData.signature,
          sha256(q.signedBytes),
          Uint8Array.from([4, ...simKey]),
          { lowS: true },
        );
      } catch {
        return false;
      }
    })();
    checks.push({
      name: "signature",
      passed: sigOk,
      detail: sigOk
        ? "P-256 signature by a trusted simulator attestation key"
        : "the quote signature does not verify",
    });
    checks.push({
      name: "length",
      passed: q.trailingBytes === 0,
      detail:
        q.trailingBytes === 0
          ? "no bytes after the signature data"
          : `${q.trailingBytes} unexpected trailing bytes`,
    });
    if (sigOk) v.tcbStatus = "UpToDate";
  } else {
    checks.push({
      name: "dcap",
      passed: false,
      detail:
        "not a trusted simulator quote, and no collateral was supplied to verify it through DCAP (pass --collateral)",
    });
  }
  if (v.tcbStatus !== null) checks.push(checkTcbStatus(v.tcbStatus, opts.acceptedTcbStatuses));
  if (opts.expectedReportData !== undefined) {
    const want = new Uint8Array(64);
    want.set(opts.expectedReportData.subarray(0, 64));
    checks.push({
      name: "reportData",
      passed: eqBytes(b.reportData, want),
      detail: `expected ${hexlify(want)}`,
    });
  }
  if (opts.eventLog !== undefined) {
    try {
      const replay = replayRtmr3(parseEventLog(opts.eventLog));
      v.appId = replay.appId ?? null;
      v.composeHash = replay.composeHash ?? null;
      v.instanceId = replay.instanceId ?? null;
      const same = eqBytes(replay.rtMr3, b.rtMr3);
      checks.push({
        name: "rtmr3",
        passed: same,
        detail: same
          ? "RTMR3 replays from the event log"
          : `the event log replays to ${hexlify(replay.rtMr3)}, not the quote's RTMR3`,
      });
    } catch (e) {
      checks.push({ name: "rtmr3", passed: false, detail: (e as Error).message });
    }
  }
  if (opts.expectedComposeHash !== undefined) {
    const rtmrOk = checks.some((c) => c.name === "rtmr3" && c.passed);
    const want = opts.expectedComposeHash.replace(/^0x/, "").toLowerCase();
    checks.push({
      name: "composeHash",
      passed: rtmrOk && v.composeHash === want,
      detail: !rtmrOk
        ? "needs an event log that replays to the quote's RTMR3"
        : v.composeHash === want
          ? "compose hash matches"
          : `the app's compose hash is ${v.composeHash ?? "absent"}`,
    });
  }
  v.ok = checks.every((c) => c.passed) && checks.some((c) => c.name === "signature" || c.name === "dcap");
  return v;
}
