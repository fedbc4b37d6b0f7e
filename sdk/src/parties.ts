/**
 * The buyer's and the seller's side of a deal with ethers, the one copy the dapp, the Hardhat
 * tasks, the demo and the benchmarks all call: read the oracle's current registration (refused
 * when missing or expired, `oracleSealingKey`), seal the party's private input to it for this
 * deal id, and send the transaction. Nothing here sees the other party's input. Browser-safe: it
 * talks to DealProof through the SDK's ABI over any ethers runner (a wallet's BrowserProvider, a
 * JSON-RPC provider, Hardhat's), and reads (registration, deal, time) go through the contract's
 * own runner, transactions through the party's signer.
 */
import {
  Contract,
  hexlify,
  type ContractRunner,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type Provider,
  type Signer,
} from "ethers";
import { DEAL_PROOF_ABI } from "./abi.ts";
import type { CheckSpec, OverlapKeys } from "./checks.ts";
import { formatDealId } from "./deal-id.ts";
import { dealIdFor, dealProofDomain } from "./eip712.ts";
import { DealProofError } from "./errors.ts";
import { generateX25519KeyPair, type X25519KeyPair } from "./hpke.ts";
import { sealBuyerInput, sealSellerInput, type BuyerInput, type SellerInput } from "./inputs.ts";
import { oracleSealingKey, type CurrentOracle } from "./oracle-key.ts";

/**
 * DealProof as the caller holds it: an ethers contract (TypeChain's `DealProof`, or
 * `new Contract(address, DEAL_PROOF_ABI, runner)`); its runner does the reads.
 */
export interface DealProofContract {
  getAddress(): Promise<string>;
  readonly runner: ContractRunner | null;
}

/** The buyer's terms of a new deal; everything but seller, dataRoot, escrow and deadline is sealed. */
export interface NewDealArgs {
  seller: string;
  dataRoot: string;
  escrowWei: bigint;
  /** Unix seconds. */
  deadline: number;
  budgetWei: bigint;
  requirements: string;
  /** true: the seller must prove a DKIM-verified domain; a domain: that one (or a subdomain). */
  requireSellerDomain?: boolean | string;
  /** The buyer's delivery key pair; generated here when absent (keep its private key). */
  delivery?: X25519KeyPair;
  /** DESIGN §10: the buyer's data checks (build with `checks()` or `parseCheckSpec`), sealed. */
  checks?: CheckSpec;
  /** DESIGN §10: where the buyer's own hashed keys are, for `overlap` checks (`overlapKey`), sealed. */
  overlapKeys?: OverlapKeys;
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

interface Bound {
  reader: Contract;
  writer: Contract;
  contract: string;
  chainId: bigint;
}

function providerOf(runner: ContractRunner | null, party: Signer): Provider {
  const p = runner?.provider ?? party.provider;
  if (p === null || p === undefined)
    throw new DealProofError("parties.no_provider", "the signer is not connected to a chain", {
      hint: "connect the signer (or the DealProof contract) to a provider",
    });
  return p;
}

async function bind(dealProof: DealProofContract, party: Signer): Promise<Bound> {
  const contract = await dealProof.getAddress();
  const runner = dealProof.runner ?? party;
  const chainId = (await providerOf(null, party).getNetwork()).chainId;
  return {
    reader: new Contract(contract, DEAL_PROOF_ABI, runner),
    writer: new Contract(contract, DEAL_PROOF_ABI, party),
    contract,
    chainId,
  };
}

/** The registered oracle's HPKE key, refused when no oracle is registered or its registration expired. */
async function sealingKey(b: Bound, party: Signer): Promise<Uint8Array> {
  const [current, block] = await Promise.all([
    b.reader.getFunction("currentOracle")() as Promise<CurrentOracle>,
    providerOf(b.reader.runner, party).getBlock("latest"),
  ]);
  if (block === null)
    throw new DealProofError("parties.no_block", "the chain returned no latest block", {
      hint: "check the RPC endpoint, then try again",
    });
  return oracleSealingKey(current, block.timestamp);
}

async function mined(tx: ContractTransactionResponse): Promise<ContractTransactionReceipt> {
  const receipt = await tx.wait();
  if (receipt === null)
    throw new DealProofError("parties.not_mined", `transaction ${tx.hash} was not mined`, {
      hint: "look the transaction up on the chain before sending it again",
    });
  return receipt;
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
  const key = await sealingKey(b, buyer);
  const dealId = dealIdFor(dealProofDomain(b.chainId, b.contract), {
    buyer: await buyer.getAddress(),
    seller: args.seller,
    dataRoot: args.dataRoot,
    deadline: args.deadline,
  });
  const existing = (await b.reader.getFunction("getDeal")(dealId)) as { state: bigint };
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
    ...(args.overlapKeys === undefined ? {} : { overlapKeys: args.overlapKeys }),
    ...(args.requireSellerDomain === undefined || args.requireSellerDomain === false
      ? {}
      : { requireSellerDomain: args.requireSellerDomain }),
  };
  const sealed = await sealBuyerInput(key, { chainId: b.chainId, contract: b.contract, dealId }, input);
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
