/**
 * Measurement id (DESIGN.md §4, normative): keccak256(mrTd ‖ rtMr0 ‖ rtMr1 ‖ rtMr2 ‖ rtMr3),
 * five 48-byte registers. The contract computes the same value from a verified TD report.
 */
import { keccak256, concat, getBytes } from "ethers";
import type { Hex } from "./eip712.ts";

export interface TdMeasurements {
  mrTd: Uint8Array;
  rtMr0: Uint8Array;
  rtMr1: Uint8Array;
  rtMr2: Uint8Array;
  rtMr3: Uint8Array;
}

export function measurementId(m: TdMeasurements): Hex {
  const regs = [m.mrTd, m.rtMr0, m.rtMr1, m.rtMr2, m.rtMr3];
  regs.forEach((r, i) => {
    if (getBytes(r).length !== 48)
      throw new Error(`measurement register ${i} must be 48 bytes, got ${r.length}`);
  });
  return keccak256(concat(regs)) as Hex;
}
