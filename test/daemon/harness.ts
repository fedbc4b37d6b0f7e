/**
 * End-to-end harness over the local chain fixture (test/fixtures/local-chain.ts): a real oracle,
 * the parties' deals, and waiting for what the oracle and the chain say.
 */
import pino from "pino";
import type { SellerDataset } from "../../scripts/lib/seller-kit.ts";
import { localOracleConfig } from "../../scripts/lib/local-oracle.ts";
import type { OracleOverrides, RunningOracle } from "../../oracle/main/app.ts";
import { startLocalOracle } from "../../oracle/simulator/oracle.ts";
import { acceptDeal, createDeal, type CreatedDeal } from "../../sdk/src/parties.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { at } from "../../scripts/lib/at.ts";
import type { DealId, DealRow, Store } from "../../oracle/daemon/store.ts";
import type { Env } from "../fixtures/local-chain.ts";

export async function oracle(
  env: Env,
  over: Record<string, string> = {},
  hooks: OracleOverrides = {},
): Promise<RunningOracle> {
  const cfg = localOracleConfig({
    rpcUrl: env.rpcUrl,
    deploymentFile: env.deploymentFile,
    seedFile: env.seedFile,
    dir: env.dir,
    overrides: { DEALPROOF_DB: env.dbFile, DEALPROOF_CONCURRENCY: "8", ...over },
  });
  return startLocalOracle(cfg, { resolver: env.email.resolver, logger: pino({ level: "silent" }), ...hooks });
}

/** Buyer creates (account #2), seller accepts (account #3) — vision scenario limits by default. */
export async function runDeal(
  env: Env,
  o: {
    buyerIx?: number;
    sellerIx?: number;
    budgetUnits?: number;
    floorUnits?: number;
    email?: string | null;
    dataset?: Partial<SellerDataset>;
    accept?: boolean;
    requireSellerDomain?: boolean | string;
  } = {},
): Promise<CreatedDeal> {
  const s = scenarioByName("vision");
  const buyer = at(env.signers, o.buyerIx ?? 2);
  const seller = at(env.signers, o.sellerIx ?? 3);
  const now = (await env.chain.connection.ethers.provider.getBlock("latest"))!.timestamp;
  const ds = { ...env.dataset, ...o.dataset };
  const deal = await createDeal(env.dp, buyer, {
    seller: await seller.getAddress(),
    dataRoot: ds.dataRoot,
    escrowWei: units(s.escrowUnits),
    deadline: now + 3600,
    budgetWei: units(o.budgetUnits ?? s.budgetUnits),
    requirements: s.buyerRequirements,
    ...(o.requireSellerDomain === undefined ? {} : { requireSellerDomain: o.requireSellerDomain }),
  });
  if (o.accept === false) return deal;
  const email =
    o.email === null
      ? undefined
      : (o.email ??
        (await env.email.sign(`sales@${env.email.domain}`, "Dataset offer", s.sellerDescription)));
  await acceptDeal(env.dp, seller, deal.dealId, {
    floorWei: units(o.floorUnits ?? s.floorUnits).toString(),
    description: s.sellerDescription,
    dataset: { location: ds.location, key: ds.key, chunkSize: ds.chunkSize },
    ...(email === undefined ? {} : { email }),
  });
  return deal;
}

export async function waitFor<T>(
  what: string,
  f: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function settledEvents(env: Env, dealId: bigint) {
  return env.dp.queryFilter(env.dp.filters.DealSettled(dealId), env.deployment.deployBlock);
}

/** Deal `id`'s row once its status is one of `statuses` (by default: settled). */
export async function rowWhen(
  o: { store: Store },
  id: DealId,
  statuses: readonly DealRow["status"][] = ["settled"],
  timeoutMs = 60_000,
): Promise<DealRow> {
  return waitFor(
    `deal ${id} to be ${statuses.join(" or ")}`,
    () => {
      const row = o.store.get(id);
      return row !== undefined && statuses.includes(row.status) ? row : undefined;
    },
    timeoutMs,
  );
}
