/**
 * The chain's word on a run of oracle replicas (bench:fleet): every settlement transaction the
 * replicas' senders got mined, decoded and matched with its receipt, and every DealSettled log.
 * A settlement that reverted, or any beyond the one that settled its deal, is wasted.
 */
import type { Provider } from "ethers";
import { connectDealProof, parseSettleCall } from "../../oracle/chain/dealproof.ts";

export interface ChainAudit {
  /** DealSettled logs per deal id (decimal string). */
  settledEvents: Map<string, number>;
  /** The sender (lower case) of the transaction whose DealSettled log settled each deal. */
  settledBy: Map<string, string>;
  /** Mined settlement transactions of the replicas, per deal. */
  settleTxs: Map<string, number>;
  /** Mined settlement transactions that did not settle their deal (reverted). */
  wastedTxs: number;
  /** Wasted settlement transactions per sender (lower case). */
  wastedBySender: Map<string, number>;
  /** registerOracle transactions mined. */
  registrationTxs: number;
}

export async function auditChain(
  provider: Provider,
  dealProof: string,
  senders: readonly string[],
  fromBlock: number,
): Promise<ChainAudit> {
  const ours = new Set(senders.map((s) => s.toLowerCase()));
  const dp = connectDealProof(dealProof, provider);
  const settledEvents = new Map<string, number>();
  const settledBy = new Map<string, string>();
  const settlingTx = new Set<string>();
  for (const e of await dp.queryFilter(dp.filters.DealSettled(), fromBlock)) {
    const id = e.args.dealId.toString();
    settledEvents.set(id, (settledEvents.get(id) ?? 0) + 1);
    settlingTx.add(e.transactionHash);
    const tx = await provider.getTransaction(e.transactionHash);
    if (tx !== null) settledBy.set(id, tx.from.toLowerCase());
  }
  const settleTxs = new Map<string, number>();
  const wastedBySender = new Map<string, number>();
  let wastedTxs = 0;
  let registrationTxs = 0;
  const end = await provider.getBlockNumber();
  for (let b = fromBlock; b <= end; b++) {
    const block = await provider.getBlock(b, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      const from = tx.from.toLowerCase();
      if (!ours.has(from)) continue;
      const settle = parseSettleCall(tx.data);
      if (settle === null) {
        if (tx.data.startsWith(dp.interface.getFunction("registerOracle").selector)) registrationTxs++;
        continue;
      }
      const id = settle.outcome.dealId.toString();
      settleTxs.set(id, (settleTxs.get(id) ?? 0) + 1);
      if (!settlingTx.has(tx.hash)) {
        wastedTxs++;
        wastedBySender.set(from, (wastedBySender.get(from) ?? 0) + 1);
      }
    }
  }
  return { settledEvents, settledBy, settleTxs, wastedTxs, wastedBySender, registrationTxs };
}

/**
 * Polls `settledIds` (every 300 ms) until each of `ids` is in it; throws after `timeoutMs`, naming
 * where the replicas' logs are (the fault tests' and the rollover test's wait).
 */
export async function waitForSettled(
  ids: readonly string[],
  settledIds: () => Promise<{ has(id: string): boolean }>,
  timeoutMs: number,
  logDir: string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const got = await settledIds();
    if (ids.every((id) => got.has(id))) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`not settled within ${timeoutMs} ms (logs under ${logDir})`);
}

/** Mines one block (so what is pending lands), then audits the chain from `fromBlock`. */
export async function mineAndAudit(
  provider: Provider & { send(method: string, params: unknown[]): Promise<unknown> },
  dealProof: string,
  senders: readonly string[],
  fromBlock: number,
): Promise<ChainAudit> {
  await provider.send("evm_mine", []);
  return auditChain(provider, dealProof, senders, fromBlock);
}
