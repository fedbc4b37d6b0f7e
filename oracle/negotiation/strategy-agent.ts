/**
 * The built-in negotiator (no network), private by construction (DESIGN §8, docs/negotiation.md).
 *
 * Its public moves depend on its own reservation value r only through one secret draw: the
 * aspiration A, its last position, placed by a log-uniform factor m from enclave randomness —
 *   seller: A = E − m·(E − r)   (its ask never goes below A ≥ floor)
 *   buyer:  A = m·min(r, E)     (its bid never goes above A ≤ budget)
 * with m ∈ [M_MIN, M_MAX] log-uniform, so a party that learns A learns r only up to a factor
 * M_MAX/M_MIN of the headroom: its posterior is flat over a wide interval rather than peaked.
 * It opens at a random point between A and the escrow (seller) or between zero and A (buyer)
 * and concedes along a time-dependent curve (Faratin, Sierra & Jennings 1998) whose shape β is
 * drawn too. It accepts the other side's offer when it is at least as good as its own position
 * this round, and otherwise never concedes past A: its limit is never offered. Agreement when
 * the paths do not cross is left to the enclave's mediator (engine.ts), which it opts into.
 * Every draw is keyed by (deal seed, role, label): no party's input enters the randomness.
 * Its messages follow the situation (round, the other side's last step, the gap, the data
 * facts) but contain no numbers at all, so the text guard never has to remove one.
 */
import { formatEth } from "./money.ts";
import type { Agent, AgentView, RawMove, TranscriptEntry } from "./types.ts";

export interface PrivateStrategyParams {
  /** Range of the log-uniform factor m placing the aspiration (see above). */
  aspiration: [number, number];
  /** The opening, as a uniform fraction of the way from A to the far end (escrow or zero). */
  opening: [number, number];
  /** Range of the log-uniform concession shape β (< 1 Boulware, > 1 Conceder). */
  beta: [number, number];
  /** Price granularity in wei; positions are rounded to it, in this side's favour. */
  tickWei: bigint;
}

const PRIVATE_STRATEGY: PrivateStrategyParams = {
  aspiration: [0.01, 0.99],
  opening: [0.25, 0.75],
  beta: [0.4, 2.5],
  tickWei: 10n ** 12n,
};

const logUniform = ([lo, hi]: [number, number], u: number) => Math.exp(Math.log(lo) + u * Math.log(hi / lo));
const lerp = ([lo, hi]: [number, number], u: number) => lo + u * (hi - lo);
/** wei × f for 0 ≤ f ≤ 1, exact to 1e-15 of the amount. */
const times = (wei: bigint, f: number) => (wei * BigInt(Math.round(f * 1e15))) / 10n ** 15n;
const ceilTo = (x: bigint, t: bigint) => ((x + t - 1n) / t) * t;
const floorTo = (x: bigint, t: bigint) => (x / t) * t;

/** The public path of one side: its position for each of its K moves (index 0..K−1). */
function privatePath(view: AgentView, p: PrivateStrategyParams = PRIVATE_STRATEGY): bigint[] {
  const { role, escrowWei: E, maxRounds: K } = view;
  const rnd = view.random;
  const m = logUniform(p.aspiration, rnd.uniform("aspiration"));
  const open = lerp(p.opening, rnd.uniform("opening"));
  const beta = logUniform(p.beta, rnd.uniform("beta"));
  const path: bigint[] = [];
  if (role === "seller") {
    const f = view.reservationWei;
    const A = E - times(E - f, m); // f ≤ A ≤ E
    const O = A + times(E - A, open);
    for (let k = 0; k < K; k++) {
      const progress = K === 1 ? 1 : k / (K - 1);
      const t = A + times(O - A, 1 - Math.pow(progress, 1 / beta));
      const r = ceilTo(t, p.tickWei);
      path.push(r > E ? (A > E - p.tickWei ? A : E) : r < A ? A : r);
    }
  } else {
    const B = view.reservationWei < E ? view.reservationWei : E;
    const A = times(B, m); // 0 ≤ A ≤ B
    const O = times(A, 1 - open);
    for (let k = 0; k < K; k++) {
      const progress = K === 1 ? 1 : k / (K - 1);
      const t = O + times(A - O, Math.pow(progress, 1 / beta));
      const r = floorTo(t, p.tickWei);
      const pos = r > A ? A : r;
      path.push(pos > 0n ? pos : B > 0n ? (B < p.tickWei ? B : p.tickWei) : 1n);
    }
  }
  return path;
}

type Situation =
  "open" | "firstReply" | "theyMovedMore" | "theyMovedLess" | "noStep" | "close" | "final" | "accept";

/** Number-free lines per role and situation; one is picked with enclave randomness. */
const LINES: Record<"buyer" | "seller", Record<Situation, string[]>> = {
  seller: {
    open: [
      "The enclave has recomputed the commitment over the real bytes, so you are pricing verified data, not a promise. Here is my asking price.",
      "This dataset is exactly what the verified facts describe, and it is priced accordingly.",
      "Data of this quality and size is rarely offered under these terms; this is where I start.",
    ],
    firstReply: [
      "Your opening bid is well below what verified data of this kind is worth, but I can move a little.",
      "I understand the caution, yet that bid undervalues the dataset. Here is a step towards you.",
    ],
    theyMovedMore: [
      "That is a real move, thank you. I come down as well, though not as far: the data is worth it.",
      "Good, we are getting somewhere. I meet you part of the way.",
    ],
    theyMovedLess: [
      "That barely moves us. I am conceding more than you are; let us keep going.",
      "A small step. Here is a larger step from my side; I hope you can match it.",
    ],
    noStep: [
      "You have not moved, so I will hold close to my position and only adjust slightly.",
      "Standing still will not close this. I adjust a little and expect a move in return.",
    ],
    close: [
      "We are close now. This is a fair price for verified data.",
      "The gap is narrow; I am happy to close near here.",
    ],
    final: [
      "This is my last position. If it does not meet yours, the enclave can settle between our limits.",
      "Final position from my side; the mediator can take it from here if we have not met.",
    ],
    accept: ["Agreed. The data is yours at that price.", "That works for me. Agreed."],
  },
  buyer: {
    open: [
      "The verified facts look right for our needs. We have to be careful with spend, so this is our starting bid.",
      "Thank you for the offer. It is well above what we planned; here is where we can start.",
      "We are interested, and the enclave's checks help. Our opening bid reflects a cautious budget.",
    ],
    firstReply: [
      "We appreciate the detail. That price is above what we can justify, so here is our counter.",
      "Thank you. We are further apart than we hoped; this is where we can come in.",
    ],
    theyMovedMore: [
      "That is a meaningful step, appreciated. We move up too, if by less.",
      "Thanks for moving. We come up to meet you part of the way.",
    ],
    theyMovedLess: [
      "That is only a small step down. We move up by more than you did; please meet us.",
      "We need more movement than that, but here is a bigger step from our side.",
    ],
    noStep: [
      "Your price has not moved. We raise our bid a little, but need a step from you.",
      "Holding firm makes this hard. A modest increase from us; please meet us.",
    ],
    close: [
      "We are nearly there. This bid is fair for what the data offers.",
      "Only a small gap remains; we are keen to close.",
    ],
    final: [
      "This is our final bid. If we have not met, the enclave can settle the price between our limits.",
      "Our last position; the mediator can settle it if we are still apart.",
    ],
    accept: ["Agreed, we will take it at that price.", "Deal. We accept your price."],
  },
};

function lastOf(history: readonly TranscriptEntry[], role: string, nth = 0): bigint | undefined {
  const own = history.filter((e) => e.role === role && e.priceWei !== undefined);
  const e = own.at(-1 - nth);
  return e === undefined ? undefined : BigInt(e.priceWei!);
}

const dist = (a: bigint, b: bigint) => (a > b ? a - b : b - a);

/** What the public moves look like from here: only public values and this side's own path. */
function situation(view: AgentView, own: bigint): Situation {
  const other = view.role === "buyer" ? "seller" : "buyer";
  if (view.round === view.maxRounds) return "final";
  const theirs = lastOf(view.history, other);
  const mine = lastOf(view.history, view.role);
  if (theirs === undefined || mine === undefined) return "open";
  if (dist(own, theirs) * 20n < view.escrowWei) return "close";
  const before = lastOf(view.history, other, 1);
  if (before === undefined) return "firstReply";
  const theirStep = dist(theirs, before);
  if (theirStep === 0n) return "noStep";
  return theirStep > dist(own, mine) ? "theyMovedMore" : "theyMovedLess";
}

export class StrategyAgent implements Agent {
  readonly kind = "strategy" as const;
  readonly name = "strategy:private-concession";
  readonly mediation = true;
  readonly #params: PrivateStrategyParams;

  constructor(params: PrivateStrategyParams = PRIVATE_STRATEGY) {
    this.#params = params;
  }

  policy(): Record<string, unknown> {
    const p = this.#params;
    return {
      agent: "StrategyAgent/2",
      aspiration: p.aspiration,
      opening: p.opening,
      beta: p.beta,
      tickWei: p.tickWei.toString(),
      lines: LINES,
    };
  }

  async move(view: AgentView): Promise<RawMove> {
    if (view.role === "seller" && view.reservationWei > view.escrowWei)
      return {
        action: "reject",
        message: "The escrow cannot cover a price I could accept, so I must decline.",
      };
    const position = privatePath(view, this.#params)[view.round - 1]!;
    const other = view.role === "buyer" ? "seller" : "buyer";
    const last = view.history.at(-1);
    const pick = (s: Situation) => {
      const lines = LINES[view.role][s];
      return lines[Math.floor(view.random.uniform(`line:${view.round}`) * lines.length)]!;
    };
    if (last !== undefined && last.role === other && last.priceWei !== undefined) {
      const theirs = BigInt(last.priceWei);
      if (view.role === "seller" ? theirs >= position : theirs <= position)
        return { action: "accept", message: pick("accept") };
    }
    return {
      action: last === undefined ? "offer" : "counter",
      price: formatEth(position),
      terms: view.baseTerms,
      message: pick(situation(view, position)),
    };
  }
}
