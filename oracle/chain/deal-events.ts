/**
 * Reads a deal's `DealCreated` and `DealSettled` events. DealProof stores only what settlement
 * needs (two slots); the dataset root and the original escrow live in `DealCreated` (the root
 * also in the deal id), and the outcome with its sealed delivery in `DealSettled`.
 */
import type { Contract, EventLog } from "ethers";
import type { Hex } from "../../sdk/src/eip712.ts";

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

export interface DealSettledRecord {
  dealId: bigint;
  agreed: boolean;
  price: bigint;
  termsHash: Hex;
  transcriptHash: Hex;
  delivery: Hex;
  txHash: string;
}

async function firstEvent(dp: Contract, name: string, dealId: bigint, fromBlock: number) {
  const events = await dp.queryFilter(dp.filters[name]!(dealId), fromBlock);
  const ev = events[0];
  return ev !== undefined && "args" in ev ? (ev as EventLog) : null;
}

/** The deal's `DealCreated` event, or null when no such deal was created since `fromBlock`. */
export async function readDealCreated(
  dp: Contract,
  dealId: bigint,
  fromBlock: number,
): Promise<DealCreatedRecord | null> {
  const ev = await firstEvent(dp, "DealCreated", dealId, fromBlock);
  if (ev === null) return null;
  const a = ev.args;
  return {
    dealId: a.dealId as bigint,
    buyer: a.buyer as string,
    seller: a.seller as string,
    dataRoot: a.dataRoot as Hex,
    escrow: a.escrow as bigint,
    deadline: a.deadline as bigint,
    blockNumber: ev.blockNumber,
    txHash: ev.transactionHash,
  };
}

/** The deal's `DealSettled` event, or null while it is not settled. */
export async function readDealSettled(
  dp: Contract,
  dealId: bigint,
  fromBlock: number,
): Promise<DealSettledRecord | null> {
  const ev = await firstEvent(dp, "DealSettled", dealId, fromBlock);
  if (ev === null) return null;
  const a = ev.args;
  return {
    dealId: a.dealId as bigint,
    agreed: a.agreed as boolean,
    price: a.price as bigint,
    termsHash: a.termsHash as Hex,
    transcriptHash: a.transcriptHash as Hex,
    delivery: a.delivery as Hex,
    txHash: ev.transactionHash,
  };
}
