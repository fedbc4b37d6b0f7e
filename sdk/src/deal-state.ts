/**
 * DealProof's enums (`DealState` in contracts/interfaces/IDealEscrow.sol, `ChangeKind` in ITrustPolicy.sol) by name, in the contract's order (the ABI
 * carries only their uint8 values), and the deal limit a dapp checks before sending.
 * test/contracts/constants-parity.test.ts compares them with the compiled contract's.
 */
import { DealProofError } from "./errors.ts";

/** `DealProof.MAX_DEAL_DURATION`: the longest time from creating a deal to its deadline, in seconds. */
export const MAX_DEAL_DURATION = 365 * 24 * 3600;

/** `DealProof.DealState`. */
export const DEAL_STATE = ["None", "Open", "Accepted", "Settled", "Refunded"] as const;
export type DealStateName = (typeof DEAL_STATE)[number];

/** The name of an on-chain state value. */
export function dealStateName(value: bigint | number): DealStateName {
  const name = DEAL_STATE[Number(value)];
  if (name === undefined)
    throw new DealProofError("deal.unknown_state", `unknown deal state ${value}`, {
      hint: "check that the address is a DealProof contract of this SDK's version",
    });
  return name;
}

/** `DealProof.ChangeKind`: the owner changes that widen trust and so are scheduled (DESIGN.md §2). */
export const CHANGE_KIND = [
  "SetVerifier",
  "AllowMeasurement",
  "AcceptTcbStatus",
  "LengthenRegistrationTtl",
  "LengthenFreshnessWindow",
] as const;
