/**
 * Measurement id (DESIGN.md §4, normative):
 * keccak256(mrTd ‖ rtMr0 ‖ rtMr1 ‖ rtMr2 ‖ rtMr3 ‖ mrConfigId ‖ tdAttributes ‖ xFAM),
 * 5 × 48 + 48 + 8 + 8 = 304 bytes in that order, as the bytes appear in the TD10 body.
 * contracts/lib/DcapOutput.sol computes the same value from a verified output; the parity is
 * tested on fuzzed bodies and on a real dstack quote (test/contracts/measurement-parity.test.ts).
 */
import { keccak256, concat, getBytes } from "ethers";
import type { Hex } from "./eip712.ts";

/** The fields of a TD10 report body that name an enclave (a parsed body satisfies this). */
export interface TdMeasurements {
  mrTd: Uint8Array;
  rtMr0: Uint8Array;
  rtMr1: Uint8Array;
  rtMr2: Uint8Array;
  rtMr3: Uint8Array;
  mrConfigId: Uint8Array;
  tdAttributes: Uint8Array;
  xfam: Uint8Array;
}

/** The preimage's fields, in order, with their lengths. */
const MEASURED_FIELDS = [
  ["mrTd", 48],
  ["rtMr0", 48],
  ["rtMr1", 48],
  ["rtMr2", 48],
  ["rtMr3", 48],
  ["mrConfigId", 48],
  ["tdAttributes", 8],
  ["xfam", 8],
] as const satisfies readonly (readonly [keyof TdMeasurements, number])[];

/**
 * @example measurementId(parseQuote(raw).body) // "0x…" as DealProof's allowedMeasurements keys it
 */
export function measurementId(m: TdMeasurements): Hex {
  const parts = MEASURED_FIELDS.map(([name, len]) => {
    const bytes = getBytes(m[name]);
    if (bytes.length !== len)
      throw new Error(`measured field ${name} must be ${len} bytes, got ${bytes.length}`);
    return bytes;
  });
  return keccak256(concat(parts)) as Hex;
}
