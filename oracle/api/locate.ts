/**
 * Which replica holds a deal's record, for a replica that does not: the one that settled it — its
 * signer recovered from the settlement transaction's calldata (settleWithSignature(outcome,
 * signature)), or its sender (the transaction's `from`, as a quote-mode settlement names no
 * signer) — else the peer whose /health says it holds the deal now. The settlement's author is
 * cached (bounded, oldest dropped first); a search that takes longer than `deadlineMs` ends as
 * unavailable, never a hang.
 * Invariants: a located peer is one of DEALPROOF_PEERS whose signed card matched (peers.ts); a
 * settlement by this replica itself is "self"; an answer is one of self / peer / none /
 * unavailable, the last with what the client should do.
 */
import { recoverAddress, type Provider } from "ethers";
import { dealProofInterface, parseDealProofLog, parseSettleCall } from "../chain/dealproof.ts";
import { dealProofDomain, settlementDigest, type Hex } from "../../sdk/src/eip712.ts";
import type { PeerAnswer, PeerDirectory, PeerView } from "./peers.ts";

const SETTLED = dealProofInterface.getEvent("DealSettled").topicHash;

/** Who sent and signed a deal's settlement (signer: null for a quote-mode settlement). */
interface SettlementAuthor {
  signer: string | null;
  sender: string;
}

export type Location =
  | { kind: "self" }
  | { kind: "peer"; peer: PeerView }
  | { kind: "none" }
  /** `settled`: the chain says it is settled (by a replica that cannot be reached). */
  | { kind: "unavailable"; why: string; hint: string; settled: boolean };

export interface LocatorOptions {
  provider: Provider;
  chainId: number;
  dealProof: string;
  peers: PeerDirectory;
  self: { signer: string; sender: string };
  /** The whole search (chain and peers) ends within this. */
  deadlineMs: number;
  /** Settlement authors remembered (a settlement is final once deep enough; the cache is bounded). */
  maxCached?: number;
}

const same = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

export class ReplicaLocator {
  readonly #o: LocatorOptions;
  readonly #authors = new Map<string, SettlementAuthor>();

  constructor(o: LocatorOptions) {
    this.#o = o;
  }

  /** The settlement's author, from its DealSettled log and transaction; undefined if not settled. */
  async #author(dealId: bigint, fromBlock: number): Promise<SettlementAuthor | undefined> {
    const key = dealId.toString();
    const hit = this.#authors.get(key);
    if (hit !== undefined) return hit;
    const logs = await this.#o.provider.getLogs({
      address: this.#o.dealProof,
      fromBlock,
      toBlock: "latest",
      topics: [SETTLED, "0x" + dealId.toString(16).padStart(64, "0")],
    });
    const log = logs.find((l) => parseDealProofLog(l, "DealSettled") !== null);
    if (log === undefined) return undefined;
    const tx = await this.#o.provider.getTransaction(log.transactionHash);
    if (tx === null) return undefined;
    const call = parseSettleCall(tx.data);
    let signer: string | null = null;
    if (call?.method === "settleWithSignature") {
      const o = call.outcome;
      const digest = settlementDigest(dealProofDomain(this.#o.chainId, this.#o.dealProof), {
        dealId: o.dealId,
        agreed: o.agreed,
        price: o.price,
        termsHash: o.termsHash as Hex,
        dataRoot: o.dataRoot as Hex,
        transcriptHash: o.transcriptHash as Hex,
        delivery: o.delivery as Hex,
      });
      try {
        signer = recoverAddress(digest, call.proof);
      } catch {
        signer = null;
      }
    }
    const author = { signer, sender: tx.from };
    if (this.#authors.size >= (this.#o.maxCached ?? 10_000))
      this.#authors.delete(this.#authors.keys().next().value!);
    this.#authors.set(key, author);
    return author;
  }

  async #search(dealId: bigint, fromBlock: number): Promise<Location> {
    let author: SettlementAuthor | undefined;
    try {
      author = await this.#author(dealId, fromBlock);
    } catch {
      return {
        kind: "unavailable",
        why: `cannot read deal ${dealId}'s settlement from the chain right now`,
        hint: "try again in a few seconds",
        settled: false,
      };
    }
    const { self } = this.#o;
    if (author !== undefined && (same(author.signer, self.signer) || same(author.sender, self.sender)))
      return { kind: "self" };
    const answers = await this.#o.peers.answers();
    // DEALPROOF_PEERS may list this replica too (one list for all): it is never a peer of itself
    const live = answers.flatMap((a) => (a.ok && !same(a.view.signer, self.signer) ? [a.view] : []));
    const down = answers.filter((a): a is PeerAnswer & { ok: false } => !a.ok);
    const downText = down.map((a) => `${a.url}: ${a.why}`).join("; ");
    if (author !== undefined) {
      const peer =
        live.find((p) => same(author.signer, p.signer)) ?? live.find((p) => same(author.sender, p.sender));
      if (peer !== undefined) return { kind: "peer", peer };
      const who = author.signer ?? `sender ${author.sender}`;
      return {
        kind: "unavailable",
        why:
          `deal ${dealId} was settled by replica ${who}, which is not among the reachable peers` +
          (down.length > 0 ? ` (${downText})` : ""),
        hint:
          down.length > 0
            ? "try again later, or ask the operator to bring that replica back"
            : "ask the operator to list that replica's URL in DEALPROOF_PEERS",
        settled: true,
      };
    }
    const holder = live.find((p) => p.holds.has(dealId.toString()));
    if (holder !== undefined) return { kind: "peer", peer: holder };
    return { kind: "none" };
  }

  /** Where deal `dealId` (created at block `fromBlock`) is held, within `deadlineMs`. */
  async locate(dealId: bigint, fromBlock: number): Promise<Location> {
    let t: NodeJS.Timeout | undefined;
    const late = new Promise<Location>((resolve) => {
      t = setTimeout(
        () =>
          resolve({
            kind: "unavailable",
            why: `finding the replica that holds deal ${dealId} took over ${this.#o.deadlineMs} ms`,
            hint: "try again in a few seconds",
            settled: false,
          }),
        this.#o.deadlineMs,
      );
    });
    try {
      return await Promise.race([this.#search(dealId, fromBlock), late]);
    } finally {
      clearTimeout(t);
    }
  }
}
