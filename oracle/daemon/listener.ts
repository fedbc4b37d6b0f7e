/**
 * Follows DealCreated / DealAccepted and the listing events (ListingPublished, ListingWithdrawn,
 * ListingDealCreated: DESIGN §11, the same confirmation depth and reorganisation handling) from the cursor to head − confirmations with getLogs in
 * bounded block ranges (no node-side filters), and stores them with the cursor atomically.
 * The chain is followed by number *and* hash (DESIGN.md §9): each pass ends at a block whose hash
 * is stored with the cursor, and the next pass first checks that hash against the chain. When it
 * differs, a reorganisation replaced that block: the newest stored block both branches share is
 * found, the store is rewound to it (`Store.rewind`: what rested on the replaced blocks is
 * reopened) and the replaced range is read again, so an event that moved to another block, even
 * below the old cursor, is seen. Applying events is idempotent, so reading a range twice is safe.
 * The hash of the pass's last block is read before its logs: if a reorganisation lands between
 * the two reads, the stored hash is the old branch's and the next pass rewinds and reads again.
 */
import type { Provider } from "ethers";
import type { Logger } from "pino";
import {
  dealProofInterface,
  LISTING_TOPICS,
  parseDealProofLog,
  parseListingLog,
} from "../chain/dealproof.ts";
import type { Store } from "./store.ts";
import type { ListingEvent } from "./listing-store.ts";

const CREATED = dealProofInterface.getEvent("DealCreated").topicHash;
const ACCEPTED = dealProofInterface.getEvent("DealAccepted").topicHash;

/** How many scanned blocks keep their hash: the deepest reorganisation found without a full re-read. */
export const REORG_WINDOW = 256;

export interface ListenerOptions {
  address: string;
  startBlock: number;
  confirmations: number;
  maxRange?: number;
  logger?: Logger;
  /** Called after a reorganisation was found and undone (the daemon re-checks what it reopened). */
  onReorg?: (r: Reorg) => void;
}

/** A reorganisation the listener found: the replaced blocks are those above `ancestor`. */
interface Reorg {
  /** The newest block both branches share; the store was rewound to it. */
  ancestor: number;
  /** The cursor before the rewind. */
  from: number;
  /** Our transactions and the deals the rewind reopened. */
  reopened: { txs: number; deals: number };
}

export class ChainListener {
  readonly provider: Provider;
  readonly store: Store;
  readonly opts: ListenerOptions;

  constructor(provider: Provider, store: Store, opts: ListenerOptions) {
    this.provider = provider;
    this.store = store;
    this.opts = opts;
  }

  /** The last block a pass processed, with its timestamp (for the lag in /health). */
  processed: { number: number; timestamp: number } | undefined;

  async #blockOf(n: number): Promise<{ hash: string; timestamp: number } | undefined> {
    const b = await this.provider.getBlock(n);
    return b?.hash == null ? undefined : { hash: b.hash, timestamp: b.timestamp };
  }

  async #hashOf(n: number): Promise<string | undefined> {
    return (await this.#blockOf(n))?.hash;
  }

  /**
   * Where to read from: one past the cursor when its block is still the chain's, else one past the
   * newest stored block the chain still has (after rewinding the store to it).
   */
  async #resume(): Promise<number> {
    const cursor = this.store.cursor();
    if (cursor === undefined) return this.opts.startBlock;
    const known = this.store.scannedBlocks();
    if (known.length === 0) {
      // a cursor stored before block hashes were: re-read the last window once (idempotent)
      const ancestor = Math.max(this.opts.startBlock - 1, cursor - REORG_WINDOW);
      if (ancestor < cursor) this.store.rewind(ancestor);
      return ancestor + 1;
    }
    const top = known[0]!;
    if (top.number === cursor && (await this.#hashOf(top.number)) === top.hash) return cursor + 1;
    let ancestor = this.opts.startBlock - 1; // none of the stored blocks is the chain's: read all again
    for (const b of known) {
      if (b.number <= cursor && (await this.#hashOf(b.number)) === b.hash) {
        ancestor = b.number;
        break;
      }
    }
    const reopened = this.store.rewind(ancestor);
    this.opts.logger?.warn(
      { from: cursor, ancestor, reopenedTxs: reopened.txs, reopenedDeals: reopened.deals },
      "chain reorganisation: reading the replaced blocks again",
    );
    this.opts.onReorg?.({ ancestor, from: cursor, reopened });
    return ancestor + 1;
  }

  /** One catch-up pass up to `head` (default: the chain's head); returns the number of events stored. */
  async poll(head?: number): Promise<number> {
    head ??= await this.provider.getBlockNumber();
    const safe = head - this.opts.confirmations;
    let from = await this.#resume();
    let stored = 0;
    while (from <= safe) {
      const to = Math.min(safe, from + (this.opts.maxRange ?? 2000) - 1);
      const toBlock = await this.#blockOf(to);
      if (toBlock === undefined) break; // the node is behind its own head (a reorg under way): next pass
      const toHash = toBlock.hash;
      const logs = await this.provider.getLogs({
        address: this.opts.address,
        fromBlock: from,
        toBlock: to,
        topics: [[CREATED, ACCEPTED, ...LISTING_TOPICS]],
      });
      logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
      const events = logs.flatMap((log): Parameters<Store["applyEvents"]>[0] => {
        const listing = listingEvent(log);
        if (listing === "refused") {
          // not a listing this oracle can price: never read as another mode (its deals stay
          // unworked and the buyer's escrow refundable at the deadline, as for any unread listing)
          this.opts.logger?.warn(
            { listingId: (log.topics[1] ?? "").toString(), block: log.blockNumber },
            "a ListingPublished with an unknown pricing mode: the listing version is ignored",
          );
          return [];
        }
        if (listing !== null) return [listing];
        const created = parseDealProofLog(log, "DealCreated");
        if (created !== null) {
          const a = created.args;
          return [
            {
              kind: "created" as const,
              id: a.dealId,
              buyer: a.buyer,
              seller: a.seller,
              dataRoot: a.dataRoot,
              escrow: a.escrow.toString(),
              deadline: Number(a.deadline),
              sealed: a.sealedBuyerInput,
              block: log.blockNumber,
            },
          ];
        }
        const a = parseDealProofLog(log, "DealAccepted")!.args;
        return [
          {
            kind: "accepted" as const,
            id: a.dealId,
            sealed: a.sealedSellerInput,
            block: log.blockNumber,
          },
        ];
      });
      this.store.applyEvents(events, to, { hash: toHash, keepFrom: to - REORG_WINDOW });
      stored += events.length;
      this.processed = { number: to, timestamp: toBlock.timestamp };
      from = to + 1;
    }
    return stored;
  }
}

/** The contract's PricingMode enum, by value. */
const MODES = ["negotiated", "posted"] as const;

/**
 * A listing event from a raw log, as the store applies it; null for a deal event; "refused" for a
 * published version whose pricing mode is none this oracle knows (refused, never guessed).
 */
export function listingEvent(log: {
  topics: readonly string[];
  data: string;
  blockNumber: number;
}): ListingEvent | null | "refused" {
  const ev = parseListingLog(log);
  if (ev === null) return null;
  const a = ev.args;
  if (ev.name === "ListingPublished") {
    const t = a.terms as {
      mode: bigint;
      postedPrice: bigint;
      expiresAt: bigint;
      chunkSize: bigint;
      chunkCount: bigint;
      byteSize: bigint;
      encryptionKey: string;
      metadataURI: string;
    };
    const mode = MODES[Number(t.mode)];
    if (mode === undefined) return "refused";
    return {
      kind: "listing_published",
      listingId: a.listingId as bigint,
      seller: a.seller as string,
      dataRoot: a.dataRoot as string,
      version: Number(a.version),
      terms: {
        mode,
        postedPrice: t.postedPrice.toString(),
        expiresAt: Number(t.expiresAt),
        chunkSize: Number(t.chunkSize),
        chunkCount: Number(t.chunkCount),
        byteSize: Number(t.byteSize),
        encryptionKey: t.encryptionKey,
        metadataURI: t.metadataURI,
      },
      sealed: a.sealedSellerInput as string,
      block: log.blockNumber,
    };
  }
  if (ev.name === "ListingWithdrawn")
    return {
      kind: "listing_withdrawn",
      listingId: a.listingId as bigint,
      version: Number(a.version),
      block: log.blockNumber,
    };
  return {
    kind: "listing_deal",
    id: a.dealId as bigint,
    listingId: a.listingId as bigint,
    buyer: a.buyer as string,
    version: Number(a.version),
    escrow: (a.escrow as bigint).toString(),
    deadline: Number(a.deadline),
    sealed: a.sealedBuyerInput as string,
    block: log.blockNumber,
  };
}
