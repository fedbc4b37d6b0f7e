/**
 * The oracle's one sender and nonce manager. Every transaction is signed locally with an explicit
 * nonce, stored (raw bytes, hash, nonce, fees) in SQLite before its broadcast, and then only
 * ever re-broadcast unchanged or replaced by a fee-bumped copy with the same nonce and calldata.
 * Whether a transaction made it is read from the chain (receipts, the account's nonce), never
 * from the text of a broadcast error: "already known", "nonce too low" or a lost answer all end
 * in the same reconciliation.
 * Invariants: nonces are allocated under one lock, from max(stored next nonce, chain nonce — read
 * at the first send and again after one of our nonces went to another transaction), and
 * stored with the signed transaction in one SQLite transaction (no gaps); a nonce is given up
 * ("dropped") only when the chain's nonce has passed it at the final block and none of our
 * transactions with that nonce has a receipt, so a new transaction for the same purpose is signed
 * only when the old one can no longer be mined.
 * Finality (DESIGN.md §9): a receipt, and a nonce another transaction took, count only at or below
 * the final block — the listener's cursor, which is at least `confirmations` deep and whose hash
 * the listener checks on every pass, so a reorganisation that replaces a block a fact rests on
 * is found and undone (`Store.rewind`). A receipt above it keeps its transaction pending without
 * re-broadcasts or fee bumps; when a reorganisation drops it, the same signed bytes are sent again
 * at once (its nonce is still ours), and our later nonces, whose bytes are stored, follow.
 */
import { Transaction, type Provider, type TransactionReceipt, type Wallet } from "ethers";
import type { Logger } from "pino";
import type { DealId, Store, TxRow } from "./store.ts";
import { REORG_WINDOW } from "./listener.ts";

export interface OutboxOptions {
  provider: Provider;
  wallet: Wallet;
  store: Store;
  chainId: bigint;
  logger: Logger;
  /**
   * The newest block whose facts are final (the listener's cursor), undefined before the first
   * scan: a receipt above it is not yet acted on.
   */
  finalBlock: () => number | undefined;
  /** A pending transaction is replaced with higher fees after this long (default 60 s). */
  bumpAfterMs?: number;
  /** A pending transaction is re-broadcast at most this often (default 10 s). */
  rebroadcastMs?: number;
  /** Fees are never bumped above this (wei per gas; default 1000 gwei). */
  maxFeeCapWei?: bigint;
}

export type Reconciled =
  | { kind: "mined"; tx: TxRow; receipt: TransactionReceipt }
  | { kind: "dropped" }
  /** Not final yet: waiting to be mined, or mined above the final block. */
  | { kind: "pending"; tx: TxRow };

export interface SendRequest {
  purpose: "settle" | "register";
  dealId: DealId | null;
  to: string;
  data: string;
  gasLimit: bigint;
  value?: bigint;
}

export class Outbox {
  readonly #o: Required<OutboxOptions>;
  #lock: Promise<unknown> = Promise.resolve();
  readonly #lastBroadcast = new Map<string, number>();
  /** The chain's nonce for our account, read once and again after a nonce went elsewhere. */
  #chainNonce: number | undefined;
  #fees: { at: number; data: Promise<{ maxFee: bigint; priority: bigint }> } | undefined;
  /**
   * Transactions seen with a receipt (hash → its block): re-sent at once if a reorganisation takes
   * it away; forgotten once that block is far below the final block.
   */
  readonly #included = new Map<string, number>();

  constructor(o: OutboxOptions) {
    this.#o = { bumpAfterMs: 60_000, rebroadcastMs: 10_000, maxFeeCapWei: 1000n * 10n ** 9n, ...o };
  }

  get address(): string {
    return this.#o.wallet.address;
  }

  #serial<T>(f: () => Promise<T>): Promise<T> {
    const p = this.#lock.then(f);
    this.#lock = p.catch(() => undefined);
    return p;
  }

  /** The newest pending transaction for `purpose`, if any. */
  pendingFor(purpose: SendRequest["purpose"]): TxRow | undefined {
    return this.#o.store.pendingTxs().find((t) => t.purpose === purpose);
  }

  /** Re-broadcasts every stored transaction still pending, lowest nonce first (after a restart). */
  async resume(): Promise<number> {
    const txs = this.#o.store.pendingTxs();
    for (const tx of txs) await this.#broadcast(tx, true);
    return txs.length;
  }

  /** Signs, stores and broadcasts a new transaction with a fresh nonce; returns the stored row. */
  send(req: SendRequest): Promise<TxRow> {
    return this.#serial(async () => {
      const { provider, store } = this.#o;
      this.#chainNonce ??= await provider.getTransactionCount(this.address, "latest");
      const nonce = Math.max(store.nextNonce() ?? 0, this.#chainNonce);
      const { maxFee, priority } = await this.#feeData();
      const row = await this.#sign(req, nonce, maxFee, priority);
      store.recordSignedTx(row);
      await this.#broadcast({ ...row, state: "pending", created_at: Date.now(), mined_block: null }, true);
      return store.txByHash(row.hash)!;
    });
  }

  /** Current fees, read at most once a second (one read serves every send of a burst). */
  #feeData(): Promise<{ maxFee: bigint; priority: bigint }> {
    if (this.#fees === undefined || Date.now() - this.#fees.at > 1000) {
      const data = this.#o.provider.getFeeData().then((f) => ({
        priority: f.maxPriorityFeePerGas ?? 10n ** 9n,
        maxFee: f.maxFeePerGas ?? (f.gasPrice ?? 10n ** 9n) * 2n,
      }));
      this.#fees = { at: Date.now(), data };
      data.catch(() => (this.#fees = undefined));
    }
    return this.#fees.data;
  }

  async #sign(
    req: SendRequest,
    nonce: number,
    maxFee: bigint,
    priority: bigint,
  ): Promise<Omit<TxRow, "state" | "created_at" | "mined_block">> {
    const tx = Transaction.from({
      type: 2,
      chainId: this.#o.chainId,
      nonce,
      to: req.to,
      data: req.data,
      value: req.value ?? 0n,
      gasLimit: req.gasLimit,
      maxFeePerGas: maxFee,
      maxPriorityFeePerGas: priority,
    });
    const raw = await this.#o.wallet.signTransaction(tx);
    const signed = Transaction.from(raw);
    return {
      hash: signed.hash!,
      purpose: req.purpose,
      deal_id: req.dealId,
      nonce,
      raw,
      max_fee: maxFee.toString(),
      priority_fee: priority.toString(),
      gas_limit: req.gasLimit.toString(),
      to_addr: req.to,
      data: req.data,
      value: (req.value ?? 0n).toString(),
    };
  }

  /** Sends the stored bytes; the outcome is read from the chain later, so failures are only logged. */
  async #broadcast(tx: TxRow, force = false): Promise<void> {
    const last = this.#lastBroadcast.get(tx.hash) ?? 0;
    if (!force && Date.now() - last < this.#o.rebroadcastMs) return;
    this.#lastBroadcast.set(tx.hash, Date.now());
    try {
      await (this.#o.provider as unknown as { send(m: string, p: unknown[]): Promise<unknown> }).send(
        "eth_sendRawTransaction",
        [tx.raw],
      );
    } catch (e) {
      const code = (e as { code?: unknown })?.code;
      this.#o.logger.debug(
        { txHash: tx.hash, nonce: tx.nonce, code: typeof code === "string" ? code : undefined },
        "broadcast not accepted; the chain will tell",
      );
    }
  }

  /**
   * Where the transactions of `nonce` stand: one mined at the final block or below (its receipt),
   * all dropped (the nonce went to another transaction by the final block), or still pending —
   * included above the final block (left alone), re-broadcast (at once when a reorganisation took
   * away its receipt), or replaced with higher fees once it has waited bumpAfterMs.
   */
  async reconcile(nonce: number): Promise<Reconciled> {
    const { provider, store } = this.#o;
    const final = this.#o.finalBlock();
    const epoch = store.reorgEpoch(); // a rewind while we read makes what we read stale
    // the nonce first, receipts second: a transaction of ours mined in between shows its receipt
    const finalNonce =
      final === undefined ? undefined : await provider.getTransactionCount(this.address, final);
    const txs = store.txsWithNonce(nonce);
    for (const tx of txs) {
      const receipt = await provider.getTransactionReceipt(tx.hash);
      if (receipt === null) continue;
      this.#included.set(tx.hash, receipt.blockNumber);
      if (final !== undefined && receipt.blockNumber <= final && store.reorgEpoch() === epoch) {
        store.settleNonce(nonce, "mined", receipt.blockNumber);
        for (const [h, b] of this.#included) if (b < final - REORG_WINDOW) this.#included.delete(h);
        return { kind: "mined", tx, receipt };
      }
      return { kind: "pending", tx }; // included above the final block: neither re-sent nor bumped
    }
    const taken = finalNonce !== undefined && finalNonce > nonce && store.reorgEpoch() === epoch;
    if (txs.length === 0 || taken) {
      store.settleNonce(nonce, "dropped");
      this.#chainNonce = undefined; // someone else sends with our key: read the chain's nonce again
      this.#o.logger.warn({ nonce }, "our transaction's nonce was used by another transaction");
      return { kind: "dropped" };
    }
    const lost = txs.find((t) => this.#included.has(t.hash));
    if (lost !== undefined) {
      // a reorganisation took its receipt away: its nonce is still ours, so the same bytes again
      this.#included.delete(lost.hash);
      this.#o.logger.warn(
        { nonce, txHash: lost.hash },
        "a reorganisation dropped our transaction; re-broadcast",
      );
      await this.#broadcast(lost, true);
      return { kind: "pending", tx: lost };
    }
    let newest = txs.at(-1)!;
    if (Date.now() - newest.created_at >= this.#o.bumpAfterMs) newest = await this.#bump(newest);
    else await this.#broadcast(newest);
    return { kind: "pending", tx: newest };
  }

  /** A replacement: same nonce, calldata and gas limit; fees up by at least 25 % (stored first). */
  #bump(old: TxRow): Promise<TxRow> {
    return this.#serial(async () => {
      const fees = await this.#o.provider.getFeeData();
      const up = (v: bigint) => (v * 125n) / 100n + 1n;
      const priority = [up(BigInt(old.priority_fee)), fees.maxPriorityFeePerGas ?? 0n].reduce((a, b) =>
        a > b ? a : b,
      );
      const maxFee = [up(BigInt(old.max_fee)), fees.maxFeePerGas ?? 0n, priority].reduce((a, b) =>
        a > b ? a : b,
      );
      if (maxFee > this.#o.maxFeeCapWei) {
        await this.#broadcast(old);
        return old;
      }
      const row = await this.#sign(
        {
          purpose: old.purpose as SendRequest["purpose"],
          dealId: old.deal_id,
          to: old.to_addr,
          data: old.data,
          gasLimit: BigInt(old.gas_limit),
          value: BigInt(old.value),
        },
        old.nonce,
        maxFee,
        priority,
      );
      this.#o.store.recordSignedTx(row);
      this.#o.logger.info(
        { nonce: old.nonce, replaces: old.hash, txHash: row.hash },
        "fee-bumped replacement",
      );
      const stored = this.#o.store.txByHash(row.hash)!;
      await this.#broadcast(stored, true);
      return stored;
    });
  }
}
