/**
 * The StrategyAgent DealProof shipped before issue 14, kept only as the benchmark's sanity check
 * that its attacker is strong (it must recover these values). Never used by the oracle: its
 * offers are a public function of its reservation value (buyer opens at exactly half its budget,
 * the last move is the reservation itself), which DESIGN §8 forbids.
 *
 * A built-in negotiator with no network: a time-dependent concession tactic (Faratin, Sierra &
 * Jennings 1998). At its k-th move of K the target is
 *   target(k) = reservation + (1 − (k/(K−1))^(1/β)) · (initial − reservation)
 * β < 1 is Boulware (holds firm, concedes late), β > 1 Conceder. It accepts the other side's
 * offer when it is at least as good as its own target for this move (AC_next), and its last move
 * offers exactly its reservation, so two strategy agents agree whenever floor ≤ budget.
 */
import { formatEth } from "../../oracle/negotiation/money.ts";
import type { Agent, AgentView, RawMove } from "../../oracle/negotiation/types.ts";

export interface StrategyParams {
  /** Concession shape: < 1 Boulware, 1 linear, > 1 Conceder. */
  beta: number;
  /** Opening price as a fraction: seller × escrow (≥ floor), buyer × budget. */
  opening: number;
  /** Price granularity in wei (targets are rounded to it, in this side's favour). */
  tickWei: bigint;
}

const DEFAULT_STRATEGY: Record<"buyer" | "seller", StrategyParams> = {
  seller: { beta: 0.5, opening: 1, tickWei: 10n ** 12n },
  buyer: { beta: 0.5, opening: 0.5, tickWei: 10n ** 12n },
};

const scale = (wei: bigint, f: number) => (wei * BigInt(Math.round(f * 1e6))) / 1_000_000n;

export class LegacyStrategyAgent implements Agent {
  readonly kind = "strategy" as const;
  readonly name: string;
  readonly #params: Partial<Record<"buyer" | "seller", StrategyParams>>;

  constructor(params: Partial<Record<"buyer" | "seller", StrategyParams>> = {}) {
    this.#params = params;
    this.name = "legacy:time-dependent";
  }

  params(role: "buyer" | "seller"): StrategyParams {
    return this.#params[role] ?? DEFAULT_STRATEGY[role];
  }

  policy(): Record<string, unknown> {
    const p = (r: "buyer" | "seller") => ({ ...this.params(r), tickWei: this.params(r).tickWei.toString() });
    return { agent: "StrategyAgent/1", buyer: p("buyer"), seller: p("seller") };
  }

  /** This side's target price for its k-th move (k = round − 1), in wei. */
  target(view: AgentView): bigint {
    const p = this.params(view.role);
    const K = view.maxRounds;
    const k = view.round - 1;
    const res = view.reservationWei;
    if (k >= K - 1) return res; // last move: exactly the reservation, no rounding
    const initial =
      view.role === "seller"
        ? [scale(view.escrowWei, p.opening), res].reduce((a, b) => (a > b ? a : b))
        : [scale(res, p.opening), res].reduce((a, b) => (a < b ? a : b));
    const f = Math.pow(k / (K - 1), 1 / p.beta);
    const t = res + scale(initial - res, 1 - f);
    // round in this side's favour, never past the reservation
    const rounded =
      view.role === "seller" ? ((t + p.tickWei - 1n) / p.tickWei) * p.tickWei : (t / p.tickWei) * p.tickWei;
    if (view.role === "seller")
      return rounded < res
        ? res
        : rounded > view.escrowWei && res <= view.escrowWei
          ? view.escrowWei
          : rounded;
    return rounded > res ? res : rounded;
  }

  async move(view: AgentView): Promise<RawMove> {
    const target = this.target(view);
    const last = view.history.at(-1);
    if (
      last !== undefined &&
      last.role !== view.role &&
      last.priceWei !== undefined &&
      (last.action === "offer" || last.action === "counter")
    ) {
      const theirs = BigInt(last.priceWei);
      const good = view.role === "seller" ? theirs >= target : theirs <= target;
      if (good) return { action: "accept", message: "Agreed." };
    }
    if (view.role === "seller" && target > view.escrowWei)
      return { action: "reject", message: "The escrow cannot cover my price." };
    return {
      action: last === undefined ? "offer" : "counter",
      price: formatEth(target),
      terms: view.baseTerms,
      message: view.role === "seller" ? "Here is my price for the dataset." : "Here is what I can pay.",
    };
  }
}
