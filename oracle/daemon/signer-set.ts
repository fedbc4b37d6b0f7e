/**
 * The live signer set replicas rank deals over (assignment.ts), refreshed with the chain view each
 * tick: every signer an OracleRegistered log ever named (scanned on from the last block read),
 * kept when the contract's trust rule holds for it at the head (oracle/chain/trusted-signer.ts).
 * A registration replaced by a reorganisation fails the rule at the head, so the set needs no
 * rewind. Also the chain time of the blocks deals were accepted in (cached: a block's time never
 * changes under its hash, and a reorg that moves an acceptance re-reads its row's block).
 */
import type { Provider } from "ethers";
import { connectDealProof, dealProofInterface, type DealProof } from "../chain/dealproof.ts";
import { isTrustedSigner } from "../chain/trusted-signer.ts";

const REGISTERED = dealProofInterface.getEvent("OracleRegistered").topicHash;

export class SignerSet {
  readonly #provider: Provider;
  readonly #dp: DealProof;
  readonly #address: string;
  readonly #known = new Set<string>();
  readonly #times = new Map<number, number>();
  #next: number;
  #live: readonly string[] | undefined;

  constructor(provider: Provider, address: string, startBlock: number) {
    this.#provider = provider;
    this.#address = address;
    this.#dp = connectDealProof(address, provider);
    this.#next = startBlock;
  }

  /**
   * The signers trusted at the last refresh (undefined before the first one succeeded). When
   * none is (the owner disallowed every measurement, or every registration lapsed), every signer
   * ever registered: the work goes on and waits on the contract, which refuses or accepts the
   * settlements (DESIGN.md §9: such a refusal keeps the deal pending, it never closes it).
   */
  get live(): readonly string[] | undefined {
    return this.#live?.length === 0 ? [...this.#known] : this.#live;
  }

  /** The signers the trust rule held for at the last refresh, none left out (undefined before it). */
  get trusted(): readonly string[] | undefined {
    return this.#live;
  }

  /** Reads new registrations up to `head` and the trust rule of each known signer at it. */
  async refresh(head: { number: number; timestamp: number }): Promise<void> {
    while (this.#next <= head.number) {
      const to = Math.min(head.number, this.#next + 1999);
      const logs = await this.#provider.getLogs({
        address: this.#address,
        fromBlock: this.#next,
        toBlock: to,
        topics: [REGISTERED],
      });
      for (const l of logs) {
        const signer = dealProofInterface.parseLog(l)?.args.signer as string | undefined;
        if (signer !== undefined) this.#known.add(signer.toLowerCase());
      }
      this.#next = to + 1;
    }
    const at = { blockTag: head.number, now: BigInt(head.timestamp) };
    const known = [...this.#known];
    const trusted = await Promise.all(known.map((s) => isTrustedSigner(this.#dp, s, at)));
    this.#live = known.filter((_, i) => trusted[i]);
  }

  /** The timestamp of block `n` (cached). */
  async blockTime(n: number): Promise<number> {
    const cached = this.#times.get(n);
    if (cached !== undefined) return cached;
    const b = await this.#provider.getBlock(n);
    if (b === null) throw new Error(`block ${n} is not known to the RPC yet`);
    if (this.#times.size > 10_000) this.#times.clear();
    this.#times.set(n, b.timestamp);
    return b.timestamp;
  }
}
