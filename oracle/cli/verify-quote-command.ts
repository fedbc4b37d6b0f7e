/**
 * `verify-quote`: verifies a TDX quote and prints a JSON verdict; exit code 1 when any check fails,
 * 2 on a usage error. Shared by the oracle CLI (oracle/cli/verify-quote.ts) and the Hardhat task.
 */
import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { DealProofError, findDealProofError, type DealProofErrorOptions } from "../../sdk/src/errors.ts";
import { verifyQuote, type Verdict } from "../quote/verify.ts";
import { loadQuoteInput } from "./quote-input.ts";

export interface VerifyQuoteArgs {
  quote: string;
  collateral?: string;
  /** File with the DER or PEM root CA the DCAP chain must lead to (default: Intel's). */
  rootCa?: string;
  eventLog?: string;
  reportData?: string;
  composeHash?: string;
  /** ISO date or Unix seconds. */
  now?: string;
  /** 64-byte hex (x ‖ y) simulator attestation keys to trust. */
  simulatorKeys?: string[];
  acceptTcb?: string[];
}

/** A bad command line: the CLI prints it with its usage and exits 2. */
export class UsageError extends DealProofError<"cli.usage"> {
  override name = "UsageError";
  constructor(message: string, options?: DealProofErrorOptions) {
    super("cli.usage", message, {
      hint:
        options?.hint ??
        findDealProofError(options?.cause)?.hint ??
        "run verify-quote --help for the options",
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
  }
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

/** A root CA certificate from a DER or PEM file. */
function readRootCa(file: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`--root-ca ${file}: ${(e as Error).message}`);
  }
  try {
    return new Uint8Array(new X509Certificate(bytes).raw); // PEM or DER in, DER out
  } catch {
    throw new UsageError(`--root-ca ${file} is not an X.509 certificate (DER or PEM)`);
  }
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
    throw new UsageError((e as Error).message, { cause: e });
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
  if (args.rootCa !== undefined && args.collateral === undefined)
    throw new UsageError(
      "--root-ca needs --collateral: the root CA anchors the DCAP chain the collateral completes",
    );
  return verifyQuote(loaded.quote, {
    collateral: args.collateral === undefined ? undefined : readJsonFile("--collateral", args.collateral),
    rootCaDer: args.rootCa === undefined ? undefined : readRootCa(args.rootCa),
    nowSeconds: args.now === undefined ? undefined : parseNow(args.now),
    eventLog,
    expectedReportData: reportData,
    expectedComposeHash: args.composeHash,
    simulatorKeys: (args.simulatorKeys ?? []).map((k) => hexArg("--simulator-key", k, 64)),
    acceptedTcbStatuses: args.acceptTcb,
  });
}
