/** `DealProof.DealState`, in the contract's order (the ABI carries only its uint8 value). */
export const DEAL_STATE = ["None", "Open", "Accepted", "Settled", "Refunded"] as const;
export type DealStateName = (typeof DEAL_STATE)[number];

/** The name of an on-chain state value. */
export function dealStateName(value: bigint | number): DealStateName {
  const name = DEAL_STATE[Number(value)];
  if (name === undefined) throw new Error(`unknown deal state ${value}: is this a DealProof contract?`);
  return name;
}
