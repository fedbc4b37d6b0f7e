/**
 * Reads a deal's `DealCreated` and `DealSettled` events. DealProof stores only what settlement
 * needs (two slots); the dataset root and the original escrow live in `DealCreated` (the root
 * also in the deal id), and the outcome with its sealed delivery in `DealSettled`. A deal bought
 * from a listing has no `DealCreated`: its `ListingDealCreated` and the listing's seller and root
 * (fixed for a listing id) stand in for it.
 */
import type { DealProof } from "./dealproof.ts";
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

/** The deal's `DealCreated` event, or null when no such deal was created since `fromBlock`. */
export async function readDealCreated(
  dp: DealProof,
  dealId: bigint,
  fromBlock: number,
): Promise<DealCreatedRecord | null> {
  const [ev] = await dp.queryFilter(dp.filters.DealCreated(dealId), fromBlock);
  if (ev === undefined) return readListingDealCreated(dp, dealId, fromBlock);
  if (!("args" in ev)) return null; // a log that does not decode
  return createdRecord(ev, ev.args.seller, ev.args.dataRoot);
}

/** A creation event's record, with the seller and root it names (or its listing's). */
function createdRecord(
  ev: {
    args: { dealId: bigint; buyer: string; escrow: bigint; deadline: bigint };
    blockNumber: number;
    transactionHash: string;
  },
  seller: string,
  dataRoot: string,
): DealCreatedRecord {
  const a = ev.args;
  return {
    dealId: a.dealId,
    buyer: a.buyer,
    seller,
    dataRoot: dataRoot as Hex,
    escrow: a.escrow,
    deadline: a.deadline,
    blockNumber: ev.blockNumber,
    txHash: ev.transactionHash,
  };
}

/** A listing deal's creation: its `ListingDealCreated` event with its listing's seller and root. */
async function readListingDealCreated(
  dp: DealProof,
  dealId: bigint,
  fromBlock: number,
): Promise<DealCreatedRecord | null> {
  const [ev] = await dp.queryFilter(dp.filters.ListingDealCreated(dealId), fromBlock);
  if (ev === undefined || !("args" in ev)) return null;
  const listing = await dp.getListing(ev.args.listingId);
  return createdRecord(ev, listing.seller, listing.dataRoot);
}

/** The deal's `DealSettled` event, or null while it is not settled. */
export async function readDealSettled(
  dp: DealProof,
  dealId: bigint,
  fromBlock: number,
): Promise<DealSettledRecord | null> {
  const [ev] = await dp.queryFilter(dp.filters.DealSettled(dealId), fromBlock);
  if (ev === undefined || !("args" in ev)) return null; // a log that does not decode
  const a = ev.args;
  return {
    dealId: a.dealId,
    agreed: a.agreed,
    price: a.price,
    termsHash: a.termsHash as Hex,
    transcriptHash: a.transcriptHash as Hex,
    delivery: a.delivery as Hex,
    txHash: ev.transactionHash,
  };
}
