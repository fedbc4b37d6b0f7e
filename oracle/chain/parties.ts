/**
 * The buyer's and the seller's side of a deal, as a dapp would do it with ethers: read the
 * oracle's registered key, seal the private input to it for this deal id, and send the
 * transaction. Nothing here sees the other party's input.
 */
import { hexlify, type ContractTransactionReceipt, type Signer } from "ethers";
import type { DealProof } from "./dealproof.ts";
import { dealIdFor, dealProofDomain } from "../../sdk/src/eip712.ts";
import { sealBuyerInput, sealSellerInput, type BuyerInput, type SellerInput } from "../../sdk/src/inputs.ts";
import type { CheckSpec } from "../../sdk/src/checks.ts";
import { generateX25519KeyPair, type X25519KeyPair } from "../../sdk/src/hpke.ts";
import { oracleSealingKey } from "../../sdk/src/oracle-key.ts";
import { DealProofError } from "../../sdk/src/errors.ts";
import { formatDealId } from "../../sdk/src/deal-id.ts";

async function oracleKey(dp: DealProof): Promise<Uint8Array> {
  const now = (await dp.runner!.provider!.getBlock("latest"))!.timestamp;
  return oracleSealingKey(await dp.currentOracle(), now);
}

export interface CreatedDeal {
  dealId: bigint;
  /** The buyer's delivery key pair: keep the private key to receive the dataset. */
  delivery: X25519KeyPair;
  receipt: ContractTransactionReceipt;
}

export async function createDeal(
  dp: DealProof,
  buyer: Signer,
  args: {
    seller: string;
    dataRoot: string;
    escrowWei: bigint;
    deadline: number;
    budgetWei: bigint;
    requirements: string;
    /** true: the seller must prove a DKIM-verified domain; a domain: that one (or a subdomain). */
    requireSellerDomain?: boolean | string;
    /** The buyer's delivery key pair; generated here when absent (save its private key first). */
    delivery?: X25519KeyPair;
    /** DESIGN §10: the buyer's checks (validated by the caller with parseCheckSpec), sealed. */
    checks?: CheckSpec;
  },
): Promise<CreatedDeal> {
  const key = await oracleKey(dp);
  const chainId = (await buyer.provider!.getNetwork()).chainId;
  const contract = await dp.getAddress();
  const buyerAddr = await buyer.getAddress();
  const dealId = dealIdFor(dealProofDomain(chainId, contract), {
    buyer: buyerAddr,
    seller: args.seller,
    dataRoot: args.dataRoot,
    deadline: args.deadline,
  });
  const existing = await dp.getDeal(dealId);
  if (existing.state !== 0n)
    throw new DealProofError(
      "deal.exists",
      `you already have deal ${formatDealId(dealId)} with this seller, data root and deadline`,
      { hint: "choose another deadline" },
    );
  const delivery = args.delivery ?? (await generateX25519KeyPair());
  const input: BuyerInput = {
    v: 1,
    budgetWei: args.budgetWei.toString(),
    requirements: args.requirements,
    deliveryPublicKey: hexlify(delivery.publicKey),
    ...(args.checks === undefined ? {} : { checks: args.checks }),
    ...(args.requireSellerDomain === undefined || args.requireSellerDomain === false
      ? {}
      : { requireSellerDomain: args.requireSellerDomain }),
  };
  const sealed = await sealBuyerInput(key, { chainId, contract, dealId }, input);
  const tx = await dp
    .connect(buyer)
    .createDeal(args.seller, args.dataRoot, args.deadline, sealed, { value: args.escrowWei });
  const receipt = (await tx.wait()) as ContractTransactionReceipt;
  return { dealId, delivery, receipt };
}

export async function acceptDeal(
  dp: DealProof,
  seller: Signer,
  dealId: bigint,
  input: Omit<SellerInput, "v">,
): Promise<ContractTransactionReceipt> {
  const key = await oracleKey(dp);
  const chainId = (await seller.provider!.getNetwork()).chainId;
  const sealed = await sealSellerInput(
    key,
    { chainId, contract: await dp.getAddress(), dealId },
    { v: 1, ...input },
  );
  const tx = await dp.connect(seller).acceptDeal(dealId, sealed);
  return (await tx.wait()) as ContractTransactionReceipt;
}
