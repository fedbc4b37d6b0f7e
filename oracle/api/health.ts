/**
 * What /health says about this replica beyond its keys: the deals it holds now, how far its
 * listener is behind the chain head (blocks and seconds, from its last processed block and the
 * head the RPC gave), and whether it is ok or degraded — with every reason, so an operator (or a
 * load balancer reading `ok`) knows what to fix.
 * Invariants: `ok` is true exactly when `reasons` is empty; an unknown lag (no chain pass yet) is
 * shown as null and is no reason by itself (a dead RPC already is one); the answer is always 200
 * (a degraded replica is still up: the container's healthcheck must not restart it for a missing
 * registration or a slow node).
 */
import type { RpcHealth } from "../chain/provider.ts";

/** A block as the replica saw it. */
interface SeenBlock {
  number: number;
  timestamp: number;
}

export interface ChainView {
  /** The newest block the RPC returned. */
  head: SeenBlock | undefined;
  /** The listener's last processed block (its cursor), with its timestamp when known. */
  processed: { number: number; timestamp: number | undefined } | undefined;
}

interface Lag {
  blocks: number;
  seconds: number | null;
  head: number;
  processed: number;
}

export interface HealthInput {
  chain: ChainView;
  rpc: RpcHealth | undefined;
  /** Whether this replica registers (DEALPROOF_REGISTER): only then is a missing registration a fault. */
  registering: boolean;
  registrationExpiresAt: bigint | undefined;
  /** A lag above this many seconds makes the replica degraded. */
  maxLagS: number;
}

function lagOf(view: ChainView): Lag | null {
  const { head, processed } = view;
  if (head === undefined || processed === undefined) return null;
  return {
    blocks: Math.max(0, head.number - processed.number),
    seconds: processed.timestamp === undefined ? null : Math.max(0, head.timestamp - processed.timestamp),
    head: head.number,
    processed: processed.number,
  };
}

/** ok / degraded and why. */
export function healthStatus(h: HealthInput): {
  ok: boolean;
  status: "ok" | "degraded";
  reasons: string[];
  lag: Lag | null;
} {
  const reasons: string[] = [];
  if (h.rpc !== undefined && !h.rpc.ok) reasons.push("rpc: the RPC does not answer; chain reads are retried");
  const lag = lagOf(h.chain);
  if (lag?.seconds != null && lag.seconds > h.maxLagS)
    reasons.push(
      `lag: ${lag.blocks} blocks, ${lag.seconds} s behind the chain head (limit ${h.maxLagS} s); check the RPC`,
    );
  if (h.registering) {
    const now = h.chain.head?.timestamp;
    if (h.registrationExpiresAt === undefined)
      reasons.push("registration: not registered, so it cannot settle (is its measurement allowed?)");
    else if (now !== undefined && h.registrationExpiresAt <= BigInt(now))
      reasons.push("registration: expired; it re-registers on its next pass");
  }
  return { ok: reasons.length === 0, status: reasons.length === 0 ? "ok" : "degraded", reasons, lag };
}
