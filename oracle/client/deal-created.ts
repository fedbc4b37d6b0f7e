/**
 * Reads what a deal was created with from its `DealCreated` event. DealProof stores only what
 * settlement needs (two slots); the dataset root and the original escrow live in this event
 * (and the root also in the deal id), so clients read them here.
 */
import type { Contract } from "ethers";
import type { Hex } from "../protocol/eip712.ts";

export interface DealCreatedRecord {
  dealId: bigint;
  buyer: string;
  seller: string;
  dataRoot: Hex;
  escrow: bigint;
  deadline: bigint;
  blockNumber: number;
  txHash: string;
}

/** The deal's `DealCreated` event, or null when no such deal was created since `fromBlock`. */
export async function readDealCreated(
  dp: Contract,
  dealId: bigint,
  fromBlock: number,
): Promise<DealCreatedRecord | null> {
  const events = await dp.queryFilter(dp.filters.DealCreated!(dealId), fromBlock);
  const ev = events[0];
  if (ev === undefined || !("args" in ev)) return null;
  const [id, buyer, seller, dataRoot, escrow, deadline] = ev.args as unknown as [
    bigint,
    string,
    string,
    Hex,
    bigint,
    bigint,
  ];
  return {
    dealId: id,
    buyer,
    seller,
    dataRoot,
    escrow,
    deadline,
    blockNumber: ev.blockNumber,
    txHash: ev.transactionHash,
  };
}
