/**
 * A party's deal with viem, shaped like viem's own actions (`(client, params) => Promise`): the
 * buyer prepares (the oracle's registration checked, the deal id computed, the input sealed, a
 * deal with the same id refused) and creates; the seller accepts; either party refunds after the
 * deadline, cancels while trust is widened, and withdraws its payout. Each write returns the
 * transaction hash; a revert is a `chain.reverted` DealProofError naming the contract's error.
 */
import { bytesToHex, type Address, type Hex } from "viem";
import { formatDealId } from "../deal-id.ts";
import { DealProofError } from "../errors.ts";
import { generateX25519KeyPair, type X25519KeyPair } from "../hpke.ts";
import { oracleSealingKey } from "../oracle-key.ts";
import {
  accountOf,
  addressOf,
  chainIdOf,
  chainTime,
  send,
  type DealProofClient,
  type WriteParameters,
} from "./client.ts";
import { dealIdFor } from "./protocol.ts";
import { currentOracle, getDeal } from "./reads.ts";
import { sealBuyerInput, sealSellerInput } from "./seal.ts";
import type { BuyerInput, SellerInput } from "./types.ts";

/** The oracle's live sealing key, refused when no oracle is registered or its registration expired. */
export async function sealingKey(client: DealProofClient, address: Address): Promise<Uint8Array> {
  const [oracle, now] = await Promise.all([currentOracle(client, { address }), chainTime(client)]);
  return oracleSealingKey(oracle, now);
}

export interface PrepareDealParameters extends WriteParameters {
  seller: Address;
  dataRoot: Hex;
  /** Unix seconds after which an unsettled deal can be refunded. */
  deadline: bigint | number;
  /** Wei escrowed (public). */
  escrowWei: bigint;
  /** The most the buyer pays, in wei (sealed: only the oracle reads it). */
  budgetWei: bigint;
  requirements: string;
  /** The buyer's delivery key pair; generated when absent (keep its private key). */
  delivery?: X25519KeyPair;
  /** Sealed optional fields of the buyer input (checks, requireSellerDomain, overlapKeys, …). */
  extra?: Omit<BuyerInput, "v" | "budgetWei" | "requirements" | "deliveryPublicKey">;
}

export interface PreparedDeal {
  dealId: bigint;
  /** The buyer's delivery key pair: without its private key the dataset cannot be opened. */
  delivery: X25519KeyPair;
  /** The sealed buyer input, bound to this chain, contract and deal id. */
  sealed: Hex;
}

/** Buyer: everything before the escrow moves (nothing is sent). */
export async function prepareDeal(client: DealProofClient, p: PrepareDealParameters): Promise<PreparedDeal> {
  const [account, chainId, key] = await Promise.all([
    accountOf(client, p.account),
    chainIdOf(client),
    sealingKey(client, p.address),
  ]);
  const dealId = dealIdFor(
    { chainId, contract: p.address },
    { buyer: addressOf(account), seller: p.seller, dataRoot: p.dataRoot, deadline: p.deadline },
  );
  if ((await getDeal(client, { address: p.address, dealId })).state !== "None")
    throw new DealProofError(
      "deal.exists",
      `you already have deal ${formatDealId(dealId)} with this seller, data root and deadline`,
      { hint: "choose another deadline" },
    );
  const delivery = p.delivery ?? (await generateX25519KeyPair());
  const sealed = await sealBuyerInput(
    key,
    { chainId, contract: p.address, dealId },
    {
      ...p.extra,
      v: 1,
      budgetWei: p.budgetWei.toString(),
      requirements: p.requirements,
      deliveryPublicKey: bytesToHex(delivery.publicKey),
    },
  );
  return { dealId, delivery, sealed: bytesToHex(sealed) };
}

export interface CreateDealParameters extends PrepareDealParameters {
  /**
   * Called with the delivery private key (0x-hex) before the escrow moves: keep it (a download,
   * a file); if it throws, nothing is sent.
   */
  saveDeliveryKey?: (privateKey: Hex) => Promise<void> | void;
}

export interface CreateDealReturnType extends PreparedDeal {
  hash: Hex;
}

/** Buyer: prepares the deal, hands the delivery key to `saveDeliveryKey`, then escrows and creates it. */
export async function createDeal(
  client: DealProofClient,
  p: CreateDealParameters,
): Promise<CreateDealReturnType> {
  const prepared = await prepareDeal(client, p);
  await p.saveDeliveryKey?.(bytesToHex(prepared.delivery.privateKey));
  const hash = await send(client, {
    address: p.address,
    ...(p.account === undefined ? {} : { account: p.account }),
    functionName: "createDeal",
    args: [p.seller, p.dataRoot, BigInt(p.deadline), prepared.sealed],
    value: p.escrowWei,
  });
  return { ...prepared, hash };
}

export interface AcceptDealParameters extends WriteParameters {
  dealId: bigint;
  /** The seller's private input (floor, description, dataset locator and key, …): sealed here. */
  input: Omit<SellerInput, "v">;
}

/** Seller: seals its input to the oracle for this deal and accepts. */
export async function acceptDeal(client: DealProofClient, p: AcceptDealParameters): Promise<Hex> {
  const [chainId, key] = await Promise.all([chainIdOf(client), sealingKey(client, p.address)]);
  const sealed = await sealSellerInput(
    key,
    { chainId, contract: p.address, dealId: p.dealId },
    { ...p.input, v: 1 },
  );
  return send(client, { ...p, functionName: "acceptDeal", args: [p.dealId, bytesToHex(sealed)] });
}

export interface DealWriteParameters extends WriteParameters {
  dealId: bigint;
}

/** Either party, after the deadline of an unsettled deal: the escrow becomes the buyer's payout. */
export const refund = (client: DealProofClient, p: DealWriteParameters) =>
  send(client, { ...p, functionName: "refund", args: [p.dealId] });

/** A party, while a widening of trust is scheduled (docs/contracts.md, "Leaving a deal"). */
export const cancelDeal = (client: DealProofClient, p: DealWriteParameters) =>
  send(client, { ...p, functionName: "cancelDeal", args: [p.dealId] });

/** The sender's payout of a settled or refunded deal, to the sender. */
export const withdraw = (client: DealProofClient, p: DealWriteParameters) =>
  send(client, { ...p, functionName: "withdraw", args: [p.dealId] });

export interface WithdrawManyParameters extends WriteParameters {
  /** Settled or refunded deals of the sender's; one already withdrawn (or listed twice) adds nothing. */
  dealIds: readonly bigint[];
  /** Who receives the total (default: the sender). */
  to?: Address;
}

/**
 * The sender's payouts of several settled or refunded deals in one transaction and one transfer
 * — a seller whose listing sold many times collects once. All or nothing: a deal that is not the
 * sender's or not finished reverts the whole call.
 */
export async function withdrawMany(client: DealProofClient, p: WithdrawManyParameters): Promise<Hex> {
  const sender = await accountOf(client, p.account);
  const to = p.to ?? (typeof sender === "string" ? sender : sender.address);
  return send(client, { ...p, account: sender, functionName: "withdrawMany", args: [p.dealIds, to] });
}
