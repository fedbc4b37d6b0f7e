/**
 * DealProof's reads as viem actions: the registered oracle, a deal as the contract stores it,
 * and a deal's status in plain words — including "refundable", which the contract does not store:
 * a deal still Open or Accepted whose deadline has passed by chain time (the latest block's
 * timestamp), so `refund(dealId)` would succeed.
 */
import type { Address, Hex } from "viem";
import { readContract } from "viem/actions";
import { DEAL_PROOF_ABI } from "../abi.ts";
import { formatDealId } from "../deal-id.ts";
import { dealStateName, type DealStateName } from "../deal-state.ts";
import { onChain } from "./chain-error.ts";
import { chainTime, type DealProofClient } from "./client.ts";

export interface CurrentOracle {
  signer: Address;
  /** The HPKE (X25519) key inputs are sealed to. */
  encryptionKey: Hex;
  /** Unix seconds; 0 when no oracle is registered. */
  expiresAt: bigint;
  measurementId: Hex;
}

/** The registered oracle (`currentOracle()`); pass it to `oracleSealingKey` or `checkOracleReady`. */
export async function currentOracle(
  client: DealProofClient,
  p: { address: Address },
): Promise<CurrentOracle> {
  const [signer, encryptionKey, expiresAt, measurementId] = await onChain(() =>
    readContract(client, { address: p.address, abi: DEAL_PROOF_ABI, functionName: "currentOracle" }),
  );
  return { signer, encryptionKey, expiresAt, measurementId };
}

export interface Deal {
  dealId: bigint;
  buyer: Address;
  seller: Address;
  state: DealStateName;
  /** Wei escrowed by the buyer. */
  escrow: bigint;
  /** Unix seconds after which an unsettled deal can be refunded. */
  deadline: bigint;
  /** Wei the buyer and the seller can withdraw now. */
  buyerPayout: bigint;
  sellerPayout: bigint;
}

/** A deal as the contract stores it (state `None`: no deal has this id). */
export async function getDeal(
  client: DealProofClient,
  p: { address: Address; dealId: bigint },
): Promise<Deal> {
  const d = await onChain(() =>
    readContract(client, {
      address: p.address,
      abi: DEAL_PROOF_ABI,
      functionName: "getDeal",
      args: [p.dealId],
    }),
  );
  return {
    dealId: p.dealId,
    buyer: d.buyer,
    seller: d.seller,
    state: dealStateName(d.state),
    escrow: d.escrow,
    deadline: d.deadline,
    buyerPayout: d.buyerPayout,
    sellerPayout: d.sellerPayout,
  };
}

export type DealStatusName = "unknown" | "open" | "accepted" | "refundable" | "settled" | "refunded";

export interface DealStatus {
  status: DealStatusName;
  /** One sentence for a person: where the deal stands and what either party can do next. */
  words: string;
  /** Whether `refund(dealId)` would succeed now. */
  refundable: boolean;
  /** The chain time the status was judged at (latest block, Unix seconds). */
  chainTime: bigint;
  deal: Deal;
}

function describe(d: Deal, refundable: boolean): { status: DealStatusName; words: string } {
  const id = formatDealId(d.dealId);
  if (refundable)
    return {
      status: "refundable",
      words: `deal ${id} passed its deadline unsettled: refund(dealId) returns the escrow to the buyer`,
    };
  switch (d.state) {
    case "None":
      return { status: "unknown", words: `no deal ${id} exists on this DealProof` };
    case "Open":
      return { status: "open", words: `deal ${id} waits for the seller to accept it` };
    case "Accepted":
      return {
        status: "accepted",
        words: `deal ${id} is accepted: the oracle is checking the data and negotiating`,
      };
    case "Settled":
      return {
        status: "settled",
        words:
          d.sellerPayout > 0n || d.buyerPayout > 0n
            ? `deal ${id} is settled: withdraw(dealId) pays out what each party is owed`
            : `deal ${id} is settled and paid out`,
      };
    case "Refunded":
      return {
        status: "refunded",
        words:
          d.buyerPayout > 0n
            ? `deal ${id} was refunded: the buyer can withdraw its escrow with withdraw(dealId)`
            : `deal ${id} was refunded and the escrow withdrawn`,
      };
  }
}

/** A deal's status in plain words, judged at chain time ("refundable" once its deadline has passed). */
export async function getDealStatus(
  client: DealProofClient,
  p: { address: Address; dealId: bigint },
): Promise<DealStatus> {
  const [deal, now] = await Promise.all([getDeal(client, p), chainTime(client)]);
  const refundable = (deal.state === "Open" || deal.state === "Accepted") && now > deal.deadline;
  return { ...describe(deal, refundable), refundable, chainTime: now, deal };
}
