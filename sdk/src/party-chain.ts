/**
 * What the parties' clients (parties.ts for deals, listings.ts for listings) share: DealProof
 * bound to a party's signer (reads through the contract's runner, transactions through the
 * signer), the live oracle key to seal to, waiting for a transaction to be mined, and the buyer's
 * private input built from its terms. Browser-safe, like its callers.
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
import { DealProofError } from "./errors.ts";
import { formatDealId } from "./deal-id.ts";
import { dealIdFor, dealProofDomain } from "./eip712.ts";
import { generateX25519KeyPair, type X25519KeyPair } from "./hpke.ts";
import { sealBuyerInput, type BuyerInput } from "./inputs.ts";
import { oracleSealingKey, type CurrentOracle } from "./oracle-key.ts";

/**
 * DealProof as the caller holds it: an ethers contract (TypeChain's `DealProof`, or
 * `new Contract(address, DEAL_PROOF_ABI, runner)`); its runner does the reads.
 */
export interface DealProofContract {
  getAddress(): Promise<string>;
  readonly runner: ContractRunner | null;
}

/** The buyer's private terms of a deal (direct or from a listing); all of it is sealed. */
export interface BuyerTerms {
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

/** The buyer input (v1) for these terms and delivery key. */
function buyerInputOf(args: BuyerTerms, delivery: X25519KeyPair): BuyerInput {
  return {
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
}

export interface Bound {
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

export async function bind(dealProof: DealProofContract, party: Signer): Promise<Bound> {
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

/** The chain's time now: the latest block's timestamp (Unix seconds). */
export async function chainNow(b: Bound, party: Signer): Promise<number> {
  const block = await providerOf(b.reader.runner, party).getBlock("latest");
  if (block === null)
    throw new DealProofError("parties.no_block", "the chain returned no latest block", {
      hint: "check the RPC endpoint, then try again",
    });
  return block.timestamp;
}

/** The registered oracle's HPKE key, refused when no oracle is registered or its registration expired. */
export async function sealingKey(b: Bound, party: Signer): Promise<Uint8Array> {
  const [current, now] = await Promise.all([
    b.reader.getFunction("currentOracle")() as Promise<CurrentOracle>,
    chainNow(b, party),
  ]);
  return oracleSealingKey(current, now);
}

export async function mined(tx: ContractTransactionResponse): Promise<ContractTransactionReceipt> {
  const receipt = await tx.wait();
  if (receipt === null)
    throw new DealProofError("parties.not_mined", `transaction ${tx.hash} was not mined`, {
      hint: "look the transaction up on the chain before sending it again",
    });
  return receipt;
}

/**
 * Buyer: the id the deal with `seller` of `dataRoot` due at `deadline` will get, refused when the
 * buyer has that deal already, and the buyer input sealed to the live oracle key for it.
 */
export async function sealForNewDeal(
  b: Bound,
  buyer: Signer,
  key: { seller: string; dataRoot: string; deadline: number },
  args: BuyerTerms,
): Promise<{ dealId: bigint; delivery: X25519KeyPair; sealed: Uint8Array }> {
  const oracleKey = await sealingKey(b, buyer);
  const dealId = dealIdFor(dealProofDomain(b.chainId, b.contract), {
    buyer: await buyer.getAddress(),
    ...key,
  });
  const existing = (await b.reader.getFunction("getDeal")(dealId)) as { state: bigint };
  if (existing.state !== 0n)
    throw new DealProofError(
      "deal.exists",
      `you already have deal ${formatDealId(dealId)} with this seller, data root and deadline`,
      { hint: "choose another deadline" },
    );
  const delivery = args.delivery ?? (await generateX25519KeyPair());
  const sealed = await sealBuyerInput(
    oracleKey,
    { chainId: b.chainId, contract: b.contract, dealId },
    buyerInputOf(args, delivery),
  );
  return { dealId, delivery, sealed };
}
