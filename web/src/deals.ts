/**
 * The dapp's chain calls, each a thin use of the SDK: creating and accepting a deal are the SDK's
 * `prepareDeal` / `acceptDeal` (the same code the tasks and the demo run); this module only wires
 * them to the wallet's provider and signer, DealProof's address and the oracle check. Reads go
 * through the wallet's provider, so the dapp needs no RPC URL of its own.
 * DealProof is typed with the types TypeChain generates from the compiled contract (imported as
 * types only); the runtime ABI is the SDK's, and test/contracts/abi-and-deploy.test.ts asserts the
 * two are the same interface, which is what makes the casts in `dealProof` and `typedEvent` sound.
 */
import { badInput } from "./bad-input.ts";
import { Contract, type BrowserProvider, type Log } from "ethers";
import {
  DEAL_PROOF_ABI,
  acceptDeal as sdkAcceptDeal,
  checkOracleReady,
  dealStateName,
  decodeDealProofEvent,
  prepareDeal,
  type DealStateName,
  type NewDealArgs,
  type SellerInput,
} from "dealproof";
import type { ChainConfig } from "./config.ts";
import { dealHistory, type DealHistory, type HistoryLog } from "./deal-history.ts";
import type { DealProof, IDealProof } from "../../types/ethers-contracts/DealProof.ts";
import type { TypedContractEvent } from "../../types/ethers-contracts/common.ts";

export const dealProof = (
  chain: ChainConfig,
  runner: BrowserProvider | Awaited<ReturnType<BrowserProvider["getSigner"]>>,
): DealProof => new Contract(chain.dealProof, DEAL_PROOF_ABI, runner) as unknown as DealProof;

type SettlementOnChain = IDealProof.SettlementStructOutput;
type Filters = DealProof["filters"];
type EventName = { [K in keyof Filters]: K extends `${string}(${string}` ? never : K }[keyof Filters];
/** A DealProof event with its arguments by name, typed by the event's name. */
type DealProofEvent = {
  [K in EventName]: {
    name: K;
    args: Filters[K] extends TypedContractEvent<infer _I, infer _O, infer Args> ? Args : never;
  };
}[EventName];

/** The SDK's decoding of a log (name, args by name), typed by the event's name. */
function typedEvent(log: { topics: readonly string[]; data: string }): DealProofEvent | null {
  return decodeDealProofEvent(log) as DealProofEvent | null;
}

/**
 * Refuses (a DealProofError saying why) unless the oracle answers, serves this chain and contract,
 * and holds the registered keys: a deal it cannot settle would lock the escrow until its deadline.
 */
async function oracleReady(provider: BrowserProvider, chain: ChainConfig): Promise<void> {
  const [current, block] = await Promise.all([
    dealProof(chain, provider).currentOracle(),
    provider.getBlock("latest"),
  ]);
  await checkOracleReady({
    oracleUrl: chain.oracleUrl,
    chainId: chain.chainId,
    dealProof: chain.dealProof,
    current,
    nowSeconds: block!.timestamp,
  });
}

/** The buyer's form: the SDK's terms, with a required seller domain named (or none). */
export interface NewDeal extends Omit<NewDealArgs, "requireSellerDomain" | "delivery"> {
  requireSellerDomain?: string;
}

/**
 * Checks the oracle and seals the buyer's input (the SDK's `prepareDeal`); `send` creates the
 * deal (moves the escrow). The delivery key pair is the caller's to keep, before it calls `send`.
 */
export async function createDeal(provider: BrowserProvider, chain: ChainConfig, address: string, d: NewDeal) {
  await oracleReady(provider, chain);
  // the buyer's checks and overlap keys, when the form has them, go through with the rest of the terms
  const { requireSellerDomain, ...terms } = d;
  const { dealId, delivery, send } = await prepareDeal(
    dealProof(chain, provider),
    await provider.getSigner(address),
    {
      ...terms,
      ...(requireSellerDomain ? { requireSellerDomain } : {}),
    },
  );
  return { dealId, delivery, send };
}

/** Checks the oracle, then seals the seller's input and accepts the deal (the SDK's `acceptDeal`). */
export async function acceptDeal(
  provider: BrowserProvider,
  chain: ChainConfig,
  address: string,
  dealId: bigint,
  input: Omit<SellerInput, "v">,
) {
  await oracleReady(provider, chain);
  return sdkAcceptDeal(dealProof(chain, provider), await provider.getSigner(address), dealId, input);
}

export async function sendDealCall(
  provider: BrowserProvider,
  chain: ChainConfig,
  address: string,
  fn: "withdraw" | "refund" | "cancelDeal",
  dealId: bigint,
) {
  const tx = await dealProof(chain, await provider.getSigner(address))[fn](dealId);
  return tx.wait();
}

export interface DealView {
  buyer: string;
  seller: string;
  state: DealStateName;
  escrow: bigint;
  deadline: bigint;
  buyerPayout: bigint;
  sellerPayout: bigint;
}

export async function readDeal(
  provider: BrowserProvider,
  chain: ChainConfig,
  dealId: bigint,
): Promise<DealView> {
  const d = await dealProof(chain, provider).getDeal(dealId);
  return {
    buyer: d.buyer,
    seller: d.seller,
    state: dealStateName(Number(d.state)),
    escrow: d.escrow,
    deadline: d.deadline,
    buyerPayout: d.buyerPayout,
    sellerPayout: d.sellerPayout,
  };
}

export type TimelineEvent = DealProofEvent & {
  blockNumber: number;
  transactionHash: string;
  timestamp: number;
};

const topicOf = (id: bigint) => `0x${id.toString(16).padStart(64, "0")}`;

/** Every DealProof event of one deal, oldest first, from the chain's logs. */
export async function dealTimeline(
  provider: BrowserProvider,
  chain: ChainConfig,
  dealId: bigint,
): Promise<TimelineEvent[]> {
  const logs: Log[] = await provider.getLogs({
    address: chain.dealProof,
    fromBlock: chain.deployBlock,
    toBlock: "latest",
    topics: [null, topicOf(dealId)],
  });
  const out: TimelineEvent[] = [];
  for (const l of logs) {
    const e = typedEvent(l);
    if (e === null) continue;
    const block = await provider.getBlock(l.blockNumber);
    out.push({
      ...e,
      blockNumber: l.blockNumber,
      transactionHash: l.transactionHash,
      timestamp: block?.timestamp ?? 0,
    });
  }
  return out;
}

/** One of the account's deals: DealProof's view of it now, its history, and whether it may cancel. */
export interface MyDeal {
  dealId: bigint;
  deal: DealView;
  history: DealHistory;
  /** `cancelDeal` is open to this account now (a widening change pending, or its request live). */
  cancelAllowed: boolean;
}

/**
 * Deals where `address` is the buyer or the seller (DealCreated logs, and ListingDealCreated logs
 * as a listing's buyer or of the address's listings), newest first, each with
 * getDeal and its whole history (one getLogs over all their ids), and the chain's time now.
 */
export async function myDeals(
  provider: BrowserProvider,
  chain: ChainConfig,
  address: string,
): Promise<{ now: number; deals: MyDeal[] }> {
  const dp = dealProof(chain, provider);
  const pad = `0x${address.slice(2).toLowerCase().padStart(64, "0")}`;
  const topic = (n: string) => dp.interface.getEvent(n as "DealCreated")!.topicHash;
  const created = topic("DealCreated");
  const fromListing = topic("ListingDealCreated");
  const scan = (topics: (string | string[] | null)[]) =>
    provider.getLogs({ address: chain.dealProof, fromBlock: chain.deployBlock, toBlock: "latest", topics });
  const [asBuyer, asSeller, asListingBuyer, published, block, pending] = await Promise.all([
    scan([created, null, pad]),
    scan([created, null, null, pad]),
    scan([fromListing, null, null, pad]),
    scan([topic("ListingPublished"), null, pad]),
    provider.getBlock("latest"),
    dp.hasPendingChange(),
  ]);
  // a listing deal has no DealCreated: its seller's are the ListingDealCreated of its listings
  const myListings = [...new Set(published.map((l) => l.topics[1]!))];
  const asListingSeller = myListings.length === 0 ? [] : await scan([fromListing, null, myListings]);
  const creations = [...asBuyer, ...asSeller, ...asListingBuyer, ...asListingSeller].sort(
    (a, b) => a.blockNumber - b.blockNumber || a.index - b.index,
  );
  const ids = [...new Set(creations.map((l) => l.topics[1]!))];
  const logs = ids.length === 0 ? [] : await scan([null, ids]);
  const byId = new Map<string, HistoryLog[]>(ids.map((t) => [t, []]));
  for (const l of logs) {
    const e = typedEvent(l);
    if (e !== null) byId.get(l.topics[1]!)?.push({ ...e, transactionHash: l.transactionHash });
  }
  const me = address.toLowerCase();
  const deals = await Promise.all(
    ids.map(async (t): Promise<MyDeal> => {
      const dealId = BigInt(t);
      const deal = await readDeal(provider, chain, dealId);
      const buyerRequest =
        !pending && deal.state === "Accepted" && deal.buyer.toLowerCase() === me
          ? (await dp.cancelRequest(dealId)).live
          : false;
      return { dealId, deal, history: dealHistory(byId.get(t)!), cancelAllowed: pending || buyerRequest };
    }),
  );
  // the logs came oldest first; the newest deal is the one a user looks for
  return { now: block!.timestamp, deals: deals.reverse() };
}

/** The settleWithQuote call that settled a deal: its outcome and quote (null for a signature settlement). */
export async function settlementCall(provider: BrowserProvider, chain: ChainConfig, txHash: string) {
  const tx = await provider.getTransaction(txHash);
  if (tx === null)
    throw badInput(
      `the settlement transaction ${txHash} is not on this chain`,
      "switch the wallet to the deal's network",
    );
  const parsed = dealProof(chain, provider).interface.parseTransaction({ data: tx.data, value: tx.value });
  if (parsed?.name !== "settleWithQuote") return null;
  const o: SettlementOnChain = parsed.args.getValue("outcome");
  const quote: string = parsed.args.getValue("quote");
  return {
    outcome: {
      dealId: o.dealId,
      agreed: o.agreed,
      price: o.price,
      termsHash: o.termsHash as `0x${string}`,
      dataRoot: o.dataRoot as `0x${string}`,
      transcriptHash: o.transcriptHash as `0x${string}`,
      delivery: o.delivery as `0x${string}`,
    },
    quote,
  };
}
