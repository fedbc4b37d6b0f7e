/**
 * The one typed DealProof client: every call to DealProof and every read of its events goes
 * through `connectDealProof` (methods, filters and event arguments by name) or, for raw logs and
 * calldata, through `dealProofInterface` and `parseDealProofLog`.
 * The types are the ones TypeChain generates from the compiled artifact on `hardhat build`
 * (types/ethers-contracts/, imported as types only: the production image has no types/ and Node
 * strips type-only imports); the runtime ABI is the SDK's DEAL_PROOF_ABI.
 * Invariant: both come from the same ABI — test/contracts/abi-and-deploy.test.ts asserts that the
 * SDK's ABI, the artifact's and TypeChain's factory are one interface — so the casts below, the
 * only ones, are sound.
 */
import { Contract, Interface, type ContractRunner } from "ethers";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import type { DealProof, DealProofInterface, IDealProof } from "../../types/ethers-contracts/DealProof.ts";
import type { TypedLogDescription } from "../../types/ethers-contracts/common.ts";

export type { DealProof };
/** A settlement as decoded from calldata or an event (`dealId`, `agreed`, `price`, … by name). */
type SettlementOnChain = IDealProof.SettlementStructOutput;

/** DealProof at `address`, typed, sending through `runner` (a signer) or reading (a provider). */
export function connectDealProof(address: string, runner: ContractRunner | null): DealProof {
  return new Contract(address, DEAL_PROOF_ABI, runner) as unknown as DealProof;
}

/** DealProof's interface, typed: calldata encoding, custom-error decoding. */
export const dealProofInterface = new Interface(DEAL_PROOF_ABI) as DealProofInterface;

type Filters = DealProof["filters"];
/** The names of DealProof's events (without the full-signature aliases). */
type DealProofEventName = {
  [K in keyof Filters]: K extends `${string}(${string}` ? never : K;
}[keyof Filters];

/** A parsed DealProof event: `args.dealId`, `args.sealedBuyerInput`, … by name, typed. */
type DealProofLog<K extends DealProofEventName> = TypedLogDescription<Filters[K]>;

/**
 * A raw log (from getLogs or a receipt) read as DealProof's event `name`; null when the log is
 * another event. Throws, as ethers does, when the topic matches but the data does not decode.
 */
export function parseDealProofLog<K extends DealProofEventName>(
  log: { topics: readonly string[]; data: string },
  name: K,
): DealProofLog<K> | null {
  if (log.topics[0] !== dealProofInterface.getEvent(name).topicHash) return null;
  return dealProofInterface.parseLog(log) as unknown as DealProofLog<K>;
}

/** A settlement transaction's calldata, decoded: which method, the settlement, and its proof. */
interface SettleCall {
  method: "settleWithQuote" | "settleWithSignature";
  outcome: SettlementOnChain;
  /** The TDX quote (settleWithQuote) or the oracle's signature (settleWithSignature), 0x-hex. */
  proof: string;
}

/** Decodes calldata of settleWithQuote / settleWithSignature; null for any other call. */
export function parseSettleCall(data: string): SettleCall | null {
  const parsed = dealProofInterface.parseTransaction({ data });
  if (parsed === null) return null;
  if (parsed.name === "settleWithQuote")
    return {
      method: parsed.name,
      outcome: parsed.args.getValue("outcome"),
      proof: parsed.args.getValue("quote"),
    };
  if (parsed.name === "settleWithSignature")
    return {
      method: parsed.name,
      outcome: parsed.args.getValue("outcome"),
      proof: parsed.args.getValue("signature"),
    };
  return null;
}

/**
 * The listing events (IListingRegistry, DESIGN §11), decoded by their declared signatures;
 * test/chain/listing-events.test.ts asserts these are the compiled interface's events.
 */
export const listingEventsInterface = new Interface([
  "event ListingPublished(uint256 indexed listingId, address indexed seller, bytes32 indexed dataRoot, uint32 version, (uint8 mode, uint96 postedPrice, uint64 expiresAt, uint32 chunkSize, uint64 chunkCount, uint64 byteSize, bytes32 encryptionKey, string metadataURI) terms, bytes sealedSellerInput)",
  "event ListingWithdrawn(uint256 indexed listingId, uint32 version)",
  "event ListingDealCreated(uint256 indexed dealId, uint256 indexed listingId, address indexed buyer, uint32 version, uint256 escrow, uint64 deadline, bytes sealedBuyerInput)",
]);

/** The three listing events' topics. */
export const LISTING_TOPICS = ["ListingPublished", "ListingWithdrawn", "ListingDealCreated"].map(
  (n) => listingEventsInterface.getEvent(n)!.topicHash,
);

/** A raw log read as a listing event, by name; null when it is another event. */
export function parseListingLog(log: { topics: readonly string[]; data: string }) {
  const ev = listingEventsInterface.parseLog(log);
  return ev === null || !LISTING_TOPICS.includes(log.topics[0] ?? "") ? null : ev;
}
