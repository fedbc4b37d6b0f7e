/**
 * Deals opened at a steady rate for bench:fleet: deal j is created no earlier than `rate`
 * deals per second after the first, by one of several buyer/seller pairs in turn (a pair opens
 * its deals one after another, so its nonces never race), and accepted by its seller with the
 * demo scenario's sealed input. Each deal gets its own deadline (a deal id commits to it).
 * Records when each deal's acceptance was mined (wall clock, performance.now()).
 */
import type { Signer } from "ethers";
import { acceptDeal, createDeal } from "../../sdk/src/parties.ts";
import type { DealProof } from "../../oracle/chain/dealproof.ts";
import type { SellerDataset } from "./seller-kit.ts";
import { units, type Scenario } from "./scenarios.ts";

export interface DealPair {
  buyer: Signer;
  seller: Signer;
}

export interface OpenedDeal {
  id: string;
  /** performance.now() when the acceptance was mined. */
  acceptedAt: number;
}

export async function openDealsSteadily(args: {
  dp: DealProof;
  pairs: readonly DealPair[];
  scenario: Scenario;
  dataset: SellerDataset;
  count: number;
  perSecond: number;
  /** The first deal's deadline (unix seconds); deal j's is this + j. */
  deadlineBase: number;
  onAccepted?: (d: OpenedDeal) => void;
}): Promise<OpenedDeal[]> {
  const { dp, pairs, scenario: s, dataset, count } = args;
  const t0 = performance.now();
  const opened: OpenedDeal[] = [];
  await Promise.all(
    pairs.map(async ({ buyer, seller }, p) => {
      for (let j = p; j < count; j += pairs.length) {
        const due = t0 + (j * 1000) / args.perSecond;
        if (performance.now() < due) await new Promise((r) => setTimeout(r, due - performance.now()));
        const d = await createDeal(dp, buyer, {
          seller: await seller.getAddress(),
          dataRoot: dataset.dataRoot,
          escrowWei: units(s.escrowUnits),
          deadline: args.deadlineBase + j,
          budgetWei: units(s.budgetUnits),
          requirements: s.buyerRequirements,
        });
        await acceptDeal(dp, seller, d.dealId, {
          floorWei: units(s.floorUnits).toString(),
          description: s.sellerDescription,
          dataset: { location: dataset.location, key: dataset.key, chunkSize: dataset.chunkSize },
        });
        const o = { id: d.dealId.toString(), acceptedAt: performance.now() };
        opened.push(o);
        args.onAccepted?.(o);
      }
    }),
  );
  return opened;
}
