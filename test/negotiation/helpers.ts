import { negotiate, type NegotiationInput } from "../../oracle/negotiation/engine.ts";
import type { Agent, AgentView, RawMove } from "../../oracle/negotiation/types.ts";
import { parseEther } from "ethers";

/** An agent that plays a fixed script of moves (or functions of the view), for adversarial tests. */
export class ScriptedAgent implements Agent {
  readonly kind = "strategy" as const;
  readonly name: string;
  readonly views: AgentView[] = [];
  #script: (RawMove | unknown | ((v: AgentView) => unknown))[];
  constructor(name: string, script: (RawMove | unknown | ((v: AgentView) => unknown))[]) {
    this.name = name;
    this.#script = [...script];
  }
  policy() {
    return { scripted: this.name };
  }
  async move(view: AgentView): Promise<RawMove> {
    this.views.push(view);
    const next = this.#script.length > 1 ? this.#script.shift() : this.#script[0];
    const v = typeof next === "function" ? (next as (v: AgentView) => unknown)(view) : next;
    if (v instanceof Error) throw v;
    return v as RawMove;
  }
}

export const TERMS = { accessScope: "full" as const, durationDays: 365 };
export const BUDGET = parseEther("0.987654");
export const FLOOR = parseEther("0.612345");
export const ESCROW = parseEther("1.5");

export function run(buyer: Agent, seller: Agent, over: Partial<NegotiationInput> = {}) {
  return negotiate({
    dealId: 1n,
    escrowWei: ESCROW,
    buyer: { budgetWei: BUDGET, requirements: "10k labelled images" },
    seller: { floorWei: FLOOR, description: "COCO-style dataset" },
    facts: { sizeBytes: 1000, format: "csv", records: 10 },
    sellerIdentity: { domain: "acme-data.com", verified: true },
    agents: { buyer, seller },
    maxRounds: 4,
    ...over,
  });
}
