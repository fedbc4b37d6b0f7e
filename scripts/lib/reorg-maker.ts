/**
 * Chain reorganisations on a local Hardhat (EDR) node, for bench:faults: a snapshot, `depth`
 * blocks mined on it (by the node's interval mining), then evm_revert and a new branch. Every
 * transaction the replaced blocks held and every one waiting in the mempool is sent again as its
 * signed bytes, so the parties' deals survive — except, when `dropSender` is given, that
 * account's transactions (the oracle's settlements), which the node then has forgotten: the
 * oracle must find out and send them again. The new branch's first block holds a transfer of
 * `filler` (an account nobody else uses) at a later timestamp, so each replaced block gets a new hash. Parties hold `lock.shared` around
 * each of their operations, so no transaction is sent while the revert runs.
 */
import { Transaction, type JsonRpcProvider, type Signer, type TransactionResponse } from "ethers";

/** What a reorganisation needs of the node's provider (ethers' or Hardhat's). */
type NodeProvider = Pick<JsonRpcProvider, "getBlockNumber" | "getBlock" | "getTransaction"> & {
  send(method: string, params: unknown[]): Promise<unknown>;
};

/** A readers/writer gate: parties share it, a reorganisation takes it alone. */
export class ReorgLock {
  #readers = 0;
  #writer: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  /** Runs `f` while no reorganisation is under way. */
  async shared<T>(f: () => Promise<T>): Promise<T> {
    while (this.#writer !== undefined) await this.#writer;
    this.#readers++;
    try {
      return await f();
    } finally {
      this.#readers--;
      if (this.#readers === 0) this.#drained?.();
    }
  }

  async exclusive<T>(f: () => Promise<T>): Promise<T> {
    while (this.#writer !== undefined) await this.#writer;
    let release!: () => void;
    this.#writer = new Promise<void>((r) => (release = r));
    try {
      if (this.#readers > 0) await new Promise<void>((r) => (this.#drained = r));
      this.#drained = undefined;
      return await f();
    } finally {
      this.#writer = undefined;
      release();
    }
  }
}

export interface ReorgResult {
  depth: number;
  /** Transactions of `dropSender` that the node forgot. */
  dropped: number;
  /** Transactions sent again into the new branch. */
  resent: number;
}

const raw = (tx: TransactionResponse) => Transaction.from(tx).serialized;

/**
 * One reorganisation of `depth` blocks (1 or more): waits for the node to mine them on a
 * snapshot, then replaces them.
 */
export async function makeReorg(
  provider: NodeProvider,
  opts: { depth: number; lock: ReorgLock; filler: Signer; dropSender?: string; pollMs?: number },
): Promise<ReorgResult> {
  const snap = (await provider.send("evm_snapshot", [])) as string;
  const base = await provider.getBlockNumber();
  while ((await provider.getBlockNumber()) < base + opts.depth)
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
  return opts.lock.exclusive(async () => {
    const head = await provider.getBlockNumber();
    const txs: TransactionResponse[] = [];
    for (let b = base + 1; b <= head; b++)
      txs.push(...(await provider.getBlock(b, true))!.prefetchedTransactions);
    // the mempool, by hash (the "pending" block has no number, which ethers' block parser refuses)
    const pending = (await provider.send("eth_getBlockByNumber", ["pending", false])) as {
      transactions?: string[];
    } | null;
    for (const hash of pending?.transactions ?? []) {
      const tx = await provider.getTransaction(hash);
      if (tx !== null) txs.push(tx);
    }
    const drop = opts.dropSender?.toLowerCase();
    if (!((await provider.send("evm_revert", [snap])) as boolean))
      throw new Error("evm_revert refused the snapshot");
    let dropped = 0;
    let resent = 0;
    const top = (await provider.getBlock("latest"))!;
    await provider.send("evm_setNextBlockTimestamp", [top.timestamp + 13]);
    const seen = new Set<string>();
    for (const tx of txs) {
      if (seen.has(tx.hash)) continue;
      seen.add(tx.hash);
      if (drop !== undefined && tx.from.toLowerCase() === drop) {
        // the revert may have put it back in the mempool (sent before the snapshot): forget it
        await provider.send("hardhat_dropTransaction", [tx.hash]);
        dropped++;
        continue;
      }
      try {
        await provider.send("eth_sendRawTransaction", [raw(tx)]);
        resent++;
      } catch {
        // already in the mempool again (restored by the revert): kept either way
      }
    }
    // last, so that it takes the filler's next nonce, not one of its replaced transactions'
    await opts.filler.sendTransaction({ to: await opts.filler.getAddress(), value: 1n });
    return { depth: head - base, dropped, resent };
  });
}
