/**
 * Before a rebuilt store (a quarantined database) signs anything: waits until the sender has no
 * transaction in the mempool — its pending nonce equals its mined nonce — so a settlement the lost
 * store had broadcast is mined (and then seen as settled by the listener) or dropped before a
 * fresh one is signed. Bounded by `maxWaitMs`: past it the oracle goes on, and a new transaction
 * takes the lowest unmined nonce, i.e. it *replaces* what is still pending (one of them, never
 * both, can be mined — as when the database file is deleted).
 */
import type { Provider } from "ethers";
import type { Logger } from "pino";

export async function waitForQuietSender(
  provider: Provider,
  address: string,
  logger: Logger,
  opts: { maxWaitMs: number; pollMs: number; signal?: AbortSignal },
): Promise<boolean> {
  const end = Date.now() + opts.maxWaitMs;
  let logged = false;
  for (;;) {
    const [mined, pending] = await Promise.all([
      provider.getTransactionCount(address, "latest"),
      provider.getTransactionCount(address, "pending"),
    ]);
    if (pending <= mined) return true;
    if (!logged)
      logger.warn(
        { pending: pending - mined },
        "rebuilt store: waiting for the sender's pending transactions to be mined before signing anew",
      );
    logged = true;
    if (Date.now() >= end || opts.signal?.aborted) {
      logger.warn(
        { pending: pending - mined },
        "rebuilt store: sender still has pending transactions; new ones will replace them by nonce",
      );
      return false;
    }
    await new Promise((r) => setTimeout(r, opts.pollMs));
  }
}
