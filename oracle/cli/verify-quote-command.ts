/**
 * `verify-quote`: verifies a TDX quote and prints a JSON verdict; exit code 1 when any check fails,
 * 2 on a usage error. Shared by the oracle CLI (oracle/cli/verify-quote.ts) and the Hardhat task.
 */
import { readFileSync } from "node:fs";
import { verifyQuote, type Verdict } from "../quote/verify.ts";
import { loadQuoteInput } from "./quote-input.ts";

export interface VerifyQuoteArgs {
  quote: string;
  collateral?: string;
  eventLog?: string;
  reportData?: string;
  composeHash?: string;
  /** ISO date or Unix seconds. */
  now?: string;
  /** 64-byte hex (x ‖ y) simulator attestation keys to trust. */
  simulatorKeys?: string[];
  acceptTcb?: string[];
}

export class UsageError extends Error {
  override name = "UsageError";
}

function parseNow(s: string): number {
  if (/^[0-9]+$/.test(s)) return Number(s);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError(`--now must be an ISO date or Unix seconds, got "${s}"`);
  return Math.floor(t / 1000);
}

function hexArg(name: string, s: string, bytes?: number): Uint8Array {
  const h = s.replace(/^0x/, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(h) || (bytes !== undefined && h.length !== bytes * 2)) {
    throw new UsageError(`${name} must be ${bytes === undefined ? "" : `${bytes} bytes of `}hex`);
  }
  return Uint8Array.from(Buffer.from(h, "hex"));
}

function readJsonFile(name: string, file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${name} ${file}: ${(e as Error).message}`);
  }
}

export function runVerifyQuote(args: VerifyQuoteArgs): Verdict {
  let loaded;
  try {
    loaded = loadQuoteInput(args.quote);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let eventLog = loaded.eventLog;
  if (args.eventLog !== undefined) {
    try {
      eventLog = readFileSync(args.eventLog, "utf8");
    } catch (e) {
      throw new UsageError(`--event-log ${args.eventLog}: ${(e as Error).message}`);
    }
  }
  const reportData = args.reportData === undefined ? undefined : hexArg("--report-data", args.reportData);
  if (reportData !== undefined && reportData.length > 64)
    throw new UsageError("--report-data is at most 64 bytes");
  if (args.composeHash !== undefined) hexArg("--compose-hash", args.composeHash, 32);
  return verifyQuote(loaded.quote, {
    collateral: args.collateral === undefined ? undefined : readJsonFile("--collateral", args.collateral),
    nowSeconds: args.now === undefined ? undefined : parseNow(args.now),
    eventLog,
    expectedReportData: reportData,
    expectedComposeHash: args.composeHash,
    simulatorKeys: (args.simulatorKeys ?? []).map((k) => hexArg("--simulator-key", k, 64)),
    acceptedTcbStatuses: args.acceptTcb,
  });
}
