/**
 * Follows DealCreated / DealAccepted from the cursor to head − confirmations with getLogs in
 * bounded block ranges (no node-side filters), and stores them with the cursor atomically.
 */
import type { Provider } from "ethers";
import { dealProofInterface, parseDealProofLog } from "../chain/dealproof.ts";
import type { Store } from "./store.ts";

const CREATED = dealProofInterface.getEvent("DealCreated").topicHash;
const ACCEPTED = dealProofInterface.getEvent("DealAccepted").topicHash;

export interface ListenerOptions {
  address: string;
  startBlock: number;
  confirmations: number;
  maxRange?: number;
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

  /** One catch-up pass up to `head` (default: the chain's head); returns the number of events stored. */
  async poll(head?: number): Promise<number> {
    head ??= await this.provider.getBlockNumber();
    const safe = head - this.opts.confirmations;
    let from = (this.store.cursor() ?? this.opts.startBlock - 1) + 1;
    let stored = 0;
    while (from <= safe) {
      const to = Math.min(safe, from + (this.opts.maxRange ?? 2000) - 1);
      const logs = await this.provider.getLogs({
        address: this.opts.address,
        fromBlock: from,
        toBlock: to,
        topics: [[CREATED, ACCEPTED]],
      });
      logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
      const events = logs.map((log) => {
        const created = parseDealProofLog(log, "DealCreated");
        if (created !== null) {
          const a = created.args;
          return {
            kind: "created" as const,
            id: a.dealId.toString(),
            buyer: a.buyer,
            seller: a.seller,
            dataRoot: a.dataRoot,
            escrow: a.escrow.toString(),
            deadline: Number(a.deadline),
            sealed: a.sealedBuyerInput,
            block: log.blockNumber,
          };
        }
        const a = parseDealProofLog(log, "DealAccepted")!.args;
        return { kind: "accepted" as const, id: a.dealId.toString(), sealed: a.sealedSellerInput };
      });
      this.store.applyEvents(events, to);
      stored += events.length;
      from = to + 1;
    }
    return stored;
  }
}
