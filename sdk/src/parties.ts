/**
 * The buyer's and the seller's side of a deal with ethers, the one copy the dapp, the Hardhat
 * tasks, the demo and the benchmarks all call: read the oracle's current registration (refused
 * when missing or expired, `oracleSealingKey`), seal the party's private input to it for this
 * deal id, and send the transaction. Nothing here sees the other party's input. Browser-safe: it
 * talks to DealProof through the SDK's ABI over any ethers runner (a wallet's BrowserProvider, a
 * JSON-RPC provider, Hardhat's), and reads (registration, deal, time) go through the contract's
 * own runner, transactions through the party's signer.
 */
import type { ContractTransactionReceipt, ContractTransactionResponse, Signer } from "ethers";
import type { X25519KeyPair } from "./hpke.ts";
import { sealSellerInput, type SellerInput } from "./inputs.ts";
import {
  bind,
  mined,
  sealForNewDeal,
  sealingKey,
  type BuyerTerms,
  type DealProofContract,
} from "./party-chain.ts";

export type { DealProofContract } from "./party-chain.ts";

/** The buyer's terms of a new deal; everything but seller, dataRoot, escrow and deadline is sealed. */
export interface NewDealArgs extends BuyerTerms {
  seller: string;
  dataRoot: string;
  escrowWei: bigint;
  /** Unix seconds. */
  deadline: number;
}

/** A deal whose buyer input is sealed, not yet created: `send` moves the escrow. */
export interface PreparedDeal {
  dealId: bigint;
  /** The buyer's delivery key pair: keep the private key to receive the dataset. */
  delivery: X25519KeyPair;
  /** The sealed buyer input, bound to this chain, contract and deal id. */
  sealed: Uint8Array;
  /** Sends createDeal with the escrow and waits for it to be mined. */
  send(): Promise<ContractTransactionReceipt>;
}

export interface CreatedDeal {
  dealId: bigint;
  /** The buyer's delivery key pair: keep the private key to receive the dataset. */
  delivery: X25519KeyPair;
  receipt: ContractTransactionReceipt;
}

/**
 * Buyer: seals the buyer input for the deal's id (refusing a stale oracle registration and a
 * deal that exists already) without moving anything; the caller keeps the delivery key, then
 * calls `send`.
 */
export async function prepareDeal(
  dealProof: DealProofContract,
  buyer: Signer,
  args: NewDealArgs,
): Promise<PreparedDeal> {
  const b = await bind(dealProof, buyer);
  const { dealId, delivery, sealed } = await sealForNewDeal(
    b,
    buyer,
    { seller: args.seller, dataRoot: args.dataRoot, deadline: args.deadline },
    args,
  );
  const send = async () =>
    mined(
      (await b.writer.getFunction("createDeal")(args.seller, args.dataRoot, args.deadline, sealed, {
        value: args.escrowWei,
      })) as ContractTransactionResponse,
    );
  return { dealId, delivery, sealed, send };
}

/** Buyer: seals the buyer input and creates the deal, escrowing `escrowWei`. */
export async function createDeal(
  dealProof: DealProofContract,
  buyer: Signer,
  args: NewDealArgs,
): Promise<CreatedDeal> {
  const d = await prepareDeal(dealProof, buyer, args);
  return { dealId: d.dealId, delivery: d.delivery, receipt: await d.send() };
}

/** Seller: seals the seller input (floor, description, dataset locator and key, …) and accepts. */
export async function acceptDeal(
  dealProof: DealProofContract,
  seller: Signer,
  dealId: bigint,
  input: Omit<SellerInput, "v">,
): Promise<ContractTransactionReceipt> {
  const b = await bind(dealProof, seller);
  const key = await sealingKey(b, seller);
  const sealed = await sealSellerInput(
    key,
    { chainId: b.chainId, contract: b.contract, dealId },
    { v: 1, ...input },
  );
  return mined((await b.writer.getFunction("acceptDeal")(dealId, sealed)) as ContractTransactionResponse);
}
