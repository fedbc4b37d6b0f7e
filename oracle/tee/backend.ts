/** What the oracle needs from a TEE: quotes over 64 bytes of report data, and stable derived keys. */
import type { Hex } from "../../sdk/src/eip712.ts";
import { DealProofError } from "../../sdk/src/errors.ts";

export interface TeeInfo {
  mode: "simulator" | "dstack";
  appId: string;
  composeHash: string;
  instanceId: string;
  /** keccak256(mrTd ‖ rtMr0..3) of this instance, as the contract computes it. */
  measurementId: Hex;
}

export interface TeeQuote {
  quote: Uint8Array;
  /** dstack event log (JSON string), for RTMR3 replay. */
  eventLog: string;
}

export interface TeeBackend {
  readonly mode: "simulator" | "dstack";
  /** A TDX quote whose report_data is `reportData` (at most 64 bytes, zero-padded). */
  getQuote(reportData: Uint8Array): Promise<TeeQuote>;
  /** 32 bytes, deterministic per application and path: the same after a restart. */
  deriveKey(path: string): Promise<Uint8Array>;
  info(): Promise<TeeInfo>;
}

export function checkReportData(reportData: Uint8Array): Uint8Array {
  if (reportData.length > 64)
    throw new DealProofError(
      "tee.report_data_too_long",
      `report data is at most 64 bytes; got ${reportData.length}`,
      {
        hint: "pass at most 64 bytes of report data (a 32-byte digest is usual)",
      },
    );
  const rd = new Uint8Array(64);
  rd.set(reportData);
  return rd;
}
