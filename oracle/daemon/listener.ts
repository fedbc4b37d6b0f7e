/**
 * Follows DealCreated / DealAccepted from the cursor to head − confirmations with getLogs in
 * bounded block ranges (no node-side filters), and stores them with the cursor atomically.
 */
import { Interface, type Provider } from "ethers";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import type { Store } from "./store.ts";

const iface = new Interface(DEAL_PROOF_ABI);
const CREATED = iface.getEvent("DealCreated")!.topicHash;
const ACCEPTED = iface.getEvent("DealAccepted")!.topicHash;

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
        const ev = iface.parseLog(log)!;
        if (ev.name === "DealCreated") {
          return {
            kind: "created" as const,
            id: (ev.args[0] as bigint).toString(),
            buyer: ev.args[1] as string,
            seller: ev.args[2] as string,
            dataRoot: ev.args[3] as string,
            escrow: (ev.args[4] as bigint).toString(),
            deadline: Number(ev.args[5] as bigint),
            sealed: ev.args[6] as string,
            block: log.blockNumber,
          };
        }
        return {
          kind: "accepted" as const,
          id: (ev.args[0] as bigint).toString(),
          sealed: ev.args[2] as string,
        };
      });
      this.store.applyEvents(events, to);
      stored += events.length;
      from = to + 1;
    }
    return stored;
  }
}
