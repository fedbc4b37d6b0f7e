/**
 * `npm run bench:fleet [-- --replicas R --deals N --kills K --seed S] [-- --json]`: R oracle
 * replicas of one app as real processes (oracle/simulator/main.ts, each with its own store, port,
 * instance id and sender) against a local node mining a block every --block-ms (EDR interval
 * mining), with Claude-backed agents talking to a local fake Messages API that answers each
 * request after a random --model-ms (default 500–2000 ms), so throughput is agent-bound.
 * Three phases, deals opened at a steady rate by buyer/seller pairs:
 *   1. one replica, --scale-deals deals at --scale-rate per second;
 *   2. all R replicas, the same load — `scaling` = deals/minute of phase 2 ÷ phase 1 (48 deals
 *      each by default: with 24, the last deal's own latency was a third of the R-replica phase,
 *      capping the ratio near 2.3 whatever the assignment rule);
 *   3. all R replicas, N deals at --rate per second while K random SIGKILLs hit running replicas
 *      (each restarted on its store after a 2–5 s pause, except the middle kill, whose victim is
 *      killed for good); then it waits for every deal to end.
 * Judged from the chain (scripts/lib/chain-audit.ts): `settledOnce` (deals with exactly one
 * DealSettled), `landedTwice` (more than one), `stuck` (none by the end), `wastedTxs` (mined
 * settlement transactions of the replicas that did not settle their deal). `p95TakeoverSeconds`:
 * kill → DealSettled by another replica, over the deals the victim held when killed (the deals
 * open then whose rank 0 is its signer, by the daemon's own rule, oracle/daemon/assignment.ts).
 * Each replica registers its own instance-scoped signer (DEALPROOF_INSTANCE_ID); the takeover
 * delay is --takeover-s (DEALPROOF_TAKEOVER_AFTER_S, 20 s here against 120 s in production, so
 * a dead replica's deals move within the run). Targets: settledOnce = deals, stuck 0,
 * landedTwice 0, wastedTxs ≤ killCount, scaling ≥ 2.4. Benchmark, not test.
 */
import { parseArgs } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalChain } from "../lib/local-chain.ts";
import { prepareDataset } from "../lib/seller-kit.ts";
import { at } from "../lib/at.ts";
import { deployForSimulator } from "../lib/local-oracle.ts";
import { prng } from "../lib/fault-proxy.ts";
import { percentile } from "../lib/percentile.ts";
import { agreeable, startFakeAnthropic } from "../lib/fake-anthropic.ts";
import { createFleet, fundedSenders, sharedReplicaEnv } from "../lib/replica-fleet.ts";
import { auditChain } from "../lib/chain-audit.ts";
import { openDealsSteadily, type OpenedDeal } from "../lib/steady-deals.ts";
import { rankSigners } from "../../oracle/daemon/assignment.ts";
import { connectDealProof } from "../../oracle/chain/dealproof.ts";
import { scenarioByName } from "../lib/scenarios.ts";
import { Store } from "../../oracle/daemon/store.ts";

const { values: a } = parseArgs({
  options: {
    replicas: { type: "string", default: "3" },
    deals: { type: "string", default: "60" },
    kills: { type: "string", default: "5" },
    seed: { type: "string", default: "1" },
    rate: { type: "string", default: "0.5" },
    "scale-deals": { type: "string", default: "48" },
    "scale-rate": { type: "string", default: "2" },
    "block-ms": { type: "string", default: "1000" },
    "model-ms": { type: "string", default: "500-2000" },
    concurrency: { type: "string", default: "2" },
    "takeover-s": { type: "string", default: "20" },
    "timeout-s": { type: "string", default: "900" },
    json: { type: "boolean" },
  },
});
const R = Number(a.replicas);
const N = Number(a.deals);
const KILLS = Number(a.kills);
const SCALE_N = Number(a["scale-deals"]);
const [modelMin, modelMax] = a["model-ms"].split("-").map(Number) as [number, number];
const rand = prng(Number(a.seed));
const s = scenarioByName("vision");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
if (!(R >= 1 && N >= 1 && KILLS >= 0 && SCALE_N >= 0 && modelMax >= modelMin))
  throw new Error("--replicas ≥ 1, --deals ≥ 1, --kills ≥ 0, --scale-deals ≥ 0, --model-ms MIN-MAX");
if (KILLS > 0 && R < 2) throw new Error("kills need at least 2 replicas (one is killed for good)");

const dir = mkdtempSync(join(tmpdir(), "bench-fleet-"));
const chain = await startLocalChain();
const model = await startFakeAnthropic(agreeable, {
  latencyMs: () => modelMin + rand() * (modelMax - modelMin),
});
let fleet: Awaited<ReturnType<typeof createFleet>> | undefined;
try {
  const provider = chain.connection.ethers.provider;
  const { seedFile, deployment, deploymentFile } = await deployForSimulator(chain.connection, dir, "fleet");
  const dataset = await prepareDataset(dir, s, { rows: 300 });
  const signers = await chain.connection.ethers.getSigners();
  const deployer = at(signers, 0);
  const dp = connectDealProof(deployment.dealProof, deployer);
  // each replica pays its own gas: fresh accounts funded by the deployer
  const senders = await fundedSenders(deployer, R, 0xf1ee7n, "1000");
  const startBlock = await provider.getBlockNumber();
  await provider.send("evm_setAutomine", [false]);
  await provider.send("evm_setIntervalMining", [Number(a["block-ms"])]);

  fleet = await createFleet(
    {
      dir,
      env: {
        DEALPROOF_RPC_URL: chain.url,
        // the bench's takeover delay: short, so a killed replica's deals move on within the run
        ...sharedReplicaEnv({
          deploymentFile,
          seedFile,
          takeoverS: a["takeover-s"],
          modelBaseURL: model.baseURL,
          apiKey: "sk-bench-local",
        }),
        DEALPROOF_CONCURRENCY: a.concurrency,
        DEALPROOF_BUMP_AFTER_MS: "20000",
      },
    },
    senders,
  );
  const f = fleet;

  // settlements as they appear: wall time each deal's DealSettled was first seen
  const settledAt = new Map<string, number>();
  let watching = true;
  const watcher = (async () => {
    let from = startBlock + 1;
    while (watching) {
      const head = await provider.getBlockNumber();
      if (head >= from) {
        for (const e of await dp.queryFilter(dp.filters.DealSettled(), from, head)) {
          const id = e.args.dealId.toString();
          if (!settledAt.has(id)) settledAt.set(id, performance.now());
        }
        from = head + 1;
      }
      await sleep(200);
    }
  })();
  const allDeals: OpenedDeal[] = [];
  const pairs = [2, 4, 6, 8, 10, 12, 14, 16, 18].map((i) => ({
    buyer: at(signers, i),
    seller: at(signers, i + 1),
  }));
  let deadlineBase = (await provider.getBlock("latest"))!.timestamp + 7200;
  const t0 = performance.now();
  const timeoutAt = t0 + Number(a["timeout-s"]) * 1000;
  const open = async (count: number, perSecond: number) => {
    const ds = await openDealsSteadily({
      dp,
      pairs,
      scenario: s,
      dataset,
      count,
      perSecond,
      deadlineBase,
      onAccepted: (d) => allDeals.push(d),
    });
    deadlineBase += count;
    return ds;
  };
  const settled = async (ds: readonly OpenedDeal[]) => {
    while (ds.some((d) => !settledAt.has(d.id)) && performance.now() < timeoutAt) await sleep(200);
  };
  const perMinute = (ds: readonly OpenedDeal[]) => {
    const first = Math.min(...ds.map((d) => d.acceptedAt));
    const last = Math.max(...ds.map((d) => settledAt.get(d.id) ?? Infinity));
    return (ds.length / (last - first)) * 60_000;
  };

  // Phase 1 and 2: the same load on one replica, then on all of them
  await f.start(0);
  await f.ready(0);
  let one: number | undefined;
  let all: number | undefined;
  if (SCALE_N > 0) {
    const p1 = await open(SCALE_N, Number(a["scale-rate"]));
    await settled(p1);
    one = perMinute(p1);
  }
  for (let i = 1; i < R; i++) await f.start(i);
  for (let i = 1; i < R; i++) await f.ready(i);
  if (SCALE_N > 0) {
    const p2 = await open(SCALE_N, Number(a["scale-rate"]));
    await settled(p2);
    all = perMinute(p2);
  }

  // Phase 3: N deals at a steady rate, K SIGKILLs spread over the opening time
  const kills: { at: number; victim: number; held: string[]; forGood: boolean }[] = [];
  const openingMs = (N / Number(a.rate)) * 1000;
  const faultDeals: OpenedDeal[] = [];
  let opened = false;
  const opening = open(N, Number(a.rate)).then((ds) => {
    faultDeals.push(...ds);
    opened = true;
  });
  const restarts: Promise<void>[] = [];
  const gap = () => (openingMs / Math.max(1, KILLS)) * (0.5 + rand());
  let nextKill = performance.now() + gap() / 2;
  while (kills.length < KILLS && performance.now() < timeoutAt) {
    await sleep(100);
    if (performance.now() < nextKill) continue;
    const up = f.replicas.filter((r) => r.running());
    if (up.length < 2) continue; // never the last one standing
    const victim = up[Math.floor(rand() * up.length)]!;
    const forGood = kills.length === Math.floor(KILLS / 2);
    // the deals it holds: open now, and its by the assignment rule over the registered replicas
    const live = f.replicas.filter((r) => r.starts > 0 && r.signer !== undefined).map((r) => r.signer!);
    const held = allDeals
      .filter(
        (d) => !settledAt.has(d.id) && rankSigners(BigInt(d.id), live)[0] === victim.signer?.toLowerCase(),
      )
      .map((d) => d.id);
    await f.kill(victim.index, forGood);
    kills.push({ at: performance.now(), victim: victim.index, held, forGood });
    if (!forGood)
      restarts.push(
        (async () => {
          await sleep(2000 + rand() * 3000);
          await f.start(victim.index);
        })(),
      );
    nextKill = performance.now() + gap();
  }
  await opening;
  await Promise.all(restarts);
  await settled(allDeals);
  void opened;
  // let the replicas run on for a few blocks: a late duplicate would show now
  await sleep(Math.max(3000, Number(a["block-ms"]) * 3));
  watching = false;
  await watcher;
  await f.stopAll();
  await provider.send("evm_mine", []);

  const audit = await auditChain(
    provider,
    deployment.dealProof,
    senders.map((x) => x.address),
    startBlock + 1,
  );
  // the replicas' own count of their reverted settlements (reconciliation), beside the chain's
  const counted = f.replicas.map((r) => {
    if (r.starts === 0) return 0;
    const st = new Store(r.dbPath);
    try {
      return st.wastedTxs();
    } finally {
      st.close();
    }
  });
  const ids = allDeals.map((d) => d.id);
  const latencies = allDeals
    .filter((d) => settledAt.has(d.id))
    .map((d) => (settledAt.get(d.id)! - d.acceptedAt) / 1000);
  const takeovers: number[] = [];
  for (const k of kills) {
    const victimSender = senders[k.victim]!.address.toLowerCase();
    for (const id of k.held) {
      const by = audit.settledBy.get(id);
      if (by !== undefined && by !== victimSender && settledAt.has(id))
        takeovers.push((settledAt.get(id)! - k.at) / 1000);
    }
  }
  const scaling = one !== undefined && all !== undefined ? all / one : null;
  const result = {
    replicas: R,
    deals: ids.length,
    faultPhaseDeals: faultDeals.length,
    settledOnce: ids.filter((id) => audit.settledEvents.get(id) === 1).length,
    stuck: ids.filter((id) => !audit.settledEvents.has(id)).length,
    landedTwice: ids.filter((id) => (audit.settledEvents.get(id) ?? 0) > 1).length,
    wastedTxs: audit.wastedTxs,
    killCount: kills.length,
    killedForGood: kills.filter((k) => k.forGood).length,
    selfExits: f.replicas.reduce((n, r) => n + r.selfExits, 0),
    p50SettleSeconds: Number(percentile(latencies, 50).toFixed(1)),
    p95SettleSeconds: Number(percentile(latencies, 95).toFixed(1)),
    takeovers: takeovers.length,
    // null when no killed replica held an open deal another then settled (nothing to measure)
    p95TakeoverSeconds: takeovers.length === 0 ? null : Number(percentile(takeovers, 95).toFixed(1)),
    dealsPerMinuteOne: one === undefined ? null : Number(one.toFixed(1)),
    dealsPerMinuteAll: all === undefined ? null : Number(all.toFixed(1)),
    scaling: scaling === null ? null : Number(scaling.toFixed(2)),
    settledByReplica: f.replicas.map(
      (r) => [...audit.settledBy.values()].filter((x) => x === r.sender.toLowerCase()).length,
    ),
    wastedByReplica: f.replicas.map((r) => audit.wastedBySender.get(r.sender.toLowerCase()) ?? 0),
    wastedCountedByReplicas: counted,
    distinctSigners: new Set(f.replicas.map((r) => r.signer).filter(Boolean)).size,
    registrationTxs: audit.registrationTxs,
    modelRequests: model.requests.length,
    blockMs: Number(a["block-ms"]),
    modelMs: [modelMin, modelMax],
    concurrencyPerReplica: Number(a.concurrency),
    durationSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    targets: {} as Record<string, boolean>,
  };
  result.targets = {
    settledOnceEqualsDeals: result.settledOnce === result.deals,
    stuckZero: result.stuck === 0,
    landedTwiceZero: result.landedTwice === 0,
    wastedTxsAtMostKills: result.wastedTxs <= result.killCount,
    ...(result.scaling === null ? {} : { scalingAtLeast2_4: result.scaling >= 2.4 }),
  };
  if (a.json) console.log(JSON.stringify(result));
  else {
    const ok = (b: boolean | undefined) => (b === undefined ? "" : b ? "OK" : "FAILED");
    const t = result.targets;
    console.log(
      `${R} replicas (${result.distinctSigners} signer(s)), ${result.deals} deals (${SCALE_N} + ${SCALE_N} scaling, ${result.faultPhaseDeals} under kills), ${a["block-ms"]} ms blocks, model ${modelMin}–${modelMax} ms per request, concurrency ${a.concurrency} per replica`,
    );
    console.log(
      `settledOnce        ${String(result.settledOnce).padStart(8)}   target = ${result.deals}  ${ok(t.settledOnceEqualsDeals)}`,
    );
    console.log(`stuck              ${String(result.stuck).padStart(8)}   target 0  ${ok(t.stuckZero)}`);
    console.log(
      `landedTwice        ${String(result.landedTwice).padStart(8)}   target 0  ${ok(t.landedTwiceZero)}`,
    );
    console.log(
      `wastedTxs          ${String(result.wastedTxs).padStart(8)}   target ≤ killCount ${result.killCount} (${result.killedForGood} for good)  ${ok(t.wastedTxsAtMostKills)}`,
    );
    console.log(
      `p50/p95 settle     ${result.p50SettleSeconds} / ${result.p95SettleSeconds} s (accepted → DealSettled seen)`,
    );
    console.log(
      `p95 takeover       ${result.p95TakeoverSeconds ?? "—"} s over ${result.takeovers} deals (kill → settled by another replica)`,
    );
    console.log(
      `scaling            ${result.scaling ?? "—"}   (${result.dealsPerMinuteAll ?? "—"} deals/min on ${R} ÷ ${result.dealsPerMinuteOne ?? "—"} on 1)   target ≥ 2.4  ${ok(t.scalingAtLeast2_4)}`,
    );
    console.log(
      `per replica        settled ${result.settledByReplica.join(" / ")}, wasted ${result.wastedByReplica.join(" / ")} (their counters ${counted.join(" / ")}); self exits ${result.selfExits}; ${result.durationSeconds} s`,
    );
  }
} finally {
  await fleet?.stopAll();
  await model.close();
  await chain.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
