/**
 * What every viem action of DealProof needs from the client it is given, in one place: the
 * account that sends (the parameter's, the client's, or the wallet's first), the chain id, chain
 * time (the latest block's timestamp: the clock the contract's deadlines use) and sending one
 * DealProof transaction. Any viem Client works (public, wallet, or one extended with both).
 */
import type { Account, Address, Chain, Client, Hex, Transport } from "viem";
import { getAddresses, getBlock, getChainId, writeContract } from "viem/actions";
import { DEAL_PROOF_ABI } from "../abi.ts";
import { DealProofError } from "../errors.ts";
import { onChain } from "./chain-error.ts";

/** A viem client as DealProof's actions take it. */
export type DealProofClient = Client<Transport, Chain | undefined, Account | undefined>;

/** Parameters every write action takes. */
export interface WriteParameters {
  /** DealProof's address. */
  address: Address;
  /** Who sends; default: the client's account, else the wallet's first address. */
  account?: Account | Address;
}

/** The sending account: the parameter's, the client's, or the wallet's first address. */
export async function accountOf(
  client: DealProofClient,
  account?: Account | Address,
): Promise<Account | Address> {
  const given = account ?? client.account;
  if (given !== undefined) return given;
  const [first] = await onChain(() => getAddresses(client));
  if (first === undefined)
    throw new DealProofError("wallet.no_account", "the wallet shares no account with this dapp", {
      hint: "ask the user to connect (walletClient.requestAddresses()), or pass `account`",
    });
  return first;
}

export const addressOf = (a: Account | Address): Address => (typeof a === "string" ? a : a.address);

export async function chainIdOf(client: DealProofClient): Promise<number> {
  return client.chain?.id ?? onChain(() => getChainId(client));
}

/** The latest block's timestamp, in seconds: the time the contract compares deadlines with. */
export async function chainTime(client: DealProofClient): Promise<bigint> {
  return (await onChain(() => getBlock(client, { blockTag: "latest" }))).timestamp;
}

type WriteName =
  | "createDeal"
  | "acceptDeal"
  | "refund"
  | "cancelDeal"
  | "withdraw"
  | "withdrawMany"
  | "publishListing"
  | "updateListing"
  | "withdrawListing"
  | "createDealFromListing";

/** Sends one DealProof transaction and returns its hash (a revert is a `chain.reverted` DealProofError). */
export async function send(
  client: DealProofClient,
  p: WriteParameters & { functionName: WriteName; args: readonly unknown[]; value?: bigint },
): Promise<Hex> {
  const account = await accountOf(client, p.account);
  return onChain(() =>
    writeContract(client, {
      address: p.address,
      abi: DEAL_PROOF_ABI,
      functionName: p.functionName,
      args: p.args,
      account,
      chain: client.chain ?? null,
      ...(p.value === undefined ? {} : { value: p.value }),
    } as Parameters<typeof writeContract>[1]),
  );
}
