/**
 * Replica faults with the replicas as REAL separate daemon processes (scripts/lib/replica-fleet.ts)
 * on a local node mining a block every 500 ms, each replica with its own store, sender, instance
 * signer and its own JSON-RPC fault proxy (scripts/lib/fault-proxy.ts) in front of the node, and a
 * fake Messages API answering each model request after a delay so a deal is "mid-deal" for seconds.
 * Judged from the chain (scripts/lib/chain-audit.ts): each deal has exactly one DealSettled, and
 * the mined settlement transactions that did not settle it (wasted) stay within the bound.
 *   - SIGKILL of the replica holding a deal mid-deal: the next rank takes over by chain time;
 *   - the holder's RPC frozen mid-deal (a stale chain view): the other settles, the thawed holder
 *     does not settle again;
 *   - one process's wall clock skewed by minutes (Date.now offset through a preload): the holdings
 *     follow chain time, so the skewed replica neither jumps the queue nor wastes a transaction;
 *   - the RPC shared by every replica failing (500s and dropped connections) for seconds: no
 *     deal lost, they resume;
 *   - the holder's signer revoked by the owner mid-deal: the other replica works the deal at once
 *     (the revoked one is no longer live) and settles it once; the contract refuses the revoked
 *     signer (at most one wasted transaction);
 *   - a split view: one replica's node hides the other's registration (a lie by omission), so both
 *     work the same deals; one settlement each, the loser records it settled by the other;
 *   - the current signer (the one dapps seal to) revoked: the first-ranked live replica registers
 *     again and is current within blocks, one registration, and a new deal settles once.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalChain, type LocalChain } from "../../scripts/lib/local-chain.ts";
import { deployForSimulator } from "../../scripts/lib/local-oracle.ts";
import { startFaultProxy } from "../../scripts/lib/fault-proxy.ts";
import { agreeable, startFakeAnthropic } from "../../scripts/lib/fake-anthropic.ts";
import { createFleet, fundedSenders, type Fleet, sharedReplicaEnv } from "../../scripts/lib/replica-fleet.ts";
import { mineAndAudit, waitForSettled } from "../../scripts/lib/chain-audit.ts";
import { openDealsSteadily, type OpenedDeal } from "../../scripts/lib/steady-deals.ts";
import { rankSigners } from "../../oracle/daemon/assignment.ts";
import { prepareDataset } from "../../scripts/lib/seller-kit.ts";
import { scenarioByName } from "../../scripts/lib/scenarios.ts";
import { at } from "../../scripts/lib/at.ts";
import { connectDealProof } from "../../oracle/chain/dealproof.ts";
import { Store } from "../../oracle/daemon/store.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = scenarioByName("vision");

type Proxy = Awaited<ReturnType<typeof startFaultProxy>>;

interface World {
  chain: LocalChain;
  fleet: Fleet;
  /** proxies[i] is replica i's RPC (all the same object when `sharedRpc`). */
  proxies: Proxy[];
  model: Awaited<ReturnType<typeof startFakeAnthropic>>;
  senders: string[];
  /** DealProof, as its owner (the deployer). */
  owner: ReturnType<typeof connectDealProof>;
  open(count: number): Promise<OpenedDeal[]>;
  settledIds(): Promise<Set<string>>;
  waitSettled(ids: readonly string[], timeoutMs: number): Promise<void>;
  audit(): ReturnType<typeof mineAndAudit>;
  /** The replica index rank 0 gives the deal among the running replicas' signers. */
  holder(dealId: string): number;
  close(): Promise<void>;
}

/** A preload that offsets this process's wall clock (Date.now and new Date()) by TEST_WALL_CLOCK_SKEW_MS. */
function skewPreload(dir: string): string {
  const file = join(dir, "skew.mjs");
  writeFileSync(
    file,
    [
      "const off = Number(process.env.TEST_WALL_CLOCK_SKEW_MS ?? 0);",
      "const RealDate = Date;",
      "const realNow = RealDate.now.bind(RealDate);",
      "class Skewed extends RealDate {",
      "  constructor(...a) { if (a.length === 0) super(realNow() + off); else super(...a); }",
      "  static now() { return realNow() + off; }",
      "}",
      "globalThis.Date = Skewed;",
      "",
    ].join("\n"),
  );
  return file;
}

async function world(opts: {
  replicas: number;
  sharedRpc?: boolean;
  takeoverS: number;
  modelMs: number;
  envFor?: (i: number, dir: string) => Record<string, string>;
  /** Start only the first this many replicas (the test starts the rest). */
  startFirst?: number;
}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "replica-faults-"));
  const chain = await startLocalChain();
  const model = await startFakeAnthropic(agreeable, { latencyMs: () => opts.modelMs });
  const provider = chain.connection.ethers.provider;
  const { seedFile, deployment, deploymentFile } = await deployForSimulator(chain.connection, dir, "faults");
  const dataset = await prepareDataset(dir, s, { rows: 120 });
  const signers = await chain.connection.ethers.getSigners();
  const deployer = at(signers, 0);
  const dp = connectDealProof(deployment.dealProof, deployer);
  const wallets = await fundedSenders(deployer, opts.replicas, 0xfa017n, "100");
  const startBlock = await provider.getBlockNumber();
  await provider.send("evm_setAutomine", [false]);
  await provider.send("evm_setIntervalMining", [500]);
  const proxies: Proxy[] = [];
  if (opts.sharedRpc === true) {
    const p = await startFaultProxy(chain.url);
    for (let i = 0; i < opts.replicas; i++) proxies.push(p);
  } else for (let i = 0; i < opts.replicas; i++) proxies.push(await startFaultProxy(chain.url, {}, i + 1));
  const fleet = await createFleet(
    {
      dir,
      env: sharedReplicaEnv({
        deploymentFile,
        seedFile,
        takeoverS: opts.takeoverS,
        modelBaseURL: model.baseURL,
        apiKey: "sk-test-local",
      }),
      envFor: (i) => ({ DEALPROOF_RPC_URL: proxies[i]!.url, ...opts.envFor?.(i, dir) }),
    },
    wallets,
  );
  const first = opts.startFirst ?? opts.replicas;
  for (let i = 0; i < first; i++) await fleet.start(i);
  for (let i = 0; i < first; i++) await fleet.ready(i, 90_000);
  const pairs = [2, 4].map((i) => ({ buyer: at(signers, i), seller: at(signers, i + 1) }));
  let deadlineBase = (await provider.getBlock("latest"))!.timestamp + 3600;
  const settledIds = async () =>
    new Set(
      (await dp.queryFilter(dp.filters.DealSettled(), startBlock + 1)).map((e) => e.args.dealId.toString()),
    );
  return {
    chain,
    fleet,
    proxies,
    model,
    senders: wallets.map((w) => w.address.toLowerCase()),
    owner: dp,
    open: async (count) => {
      const ds = await openDealsSteadily({
        dp,
        pairs,
        scenario: s,
        dataset,
        count,
        perSecond: 5,
        deadlineBase,
      });
      deadlineBase += count;
      return ds;
    },
    settledIds,
    waitSettled: (ids, timeoutMs) => waitForSettled(ids, settledIds, timeoutMs, dir),
    audit: () =>
      mineAndAudit(
        provider,
        deployment.dealProof,
        wallets.map((w) => w.address),
        startBlock + 1,
      ),
    holder: (dealId) => {
      const live = fleet.replicas.filter((r) => r.running() && r.signer !== undefined).map((r) => r.signer!);
      // the daemon's own rule (assignment.ts), not a copy of it
      const h = rankSigners(BigInt(dealId), live)[0];
      const i = fleet.replicas.findIndex((r) => r.signer?.toLowerCase() === h);
      if (i < 0) throw new Error("no holder among the running replicas");
      return i;
    },
    close: async () => {
      await fleet.stopAll();
      for (const p of new Set(proxies)) await p.close();
      await model.close();
      await chain.close();
      if (process.env.KEEP_FAULT_DIRS === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the fake model has answered at least `n` more requests than `from`. */
async function modelBusy(w: World, from: number, n: number, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (w.model.requests.length < from + n) {
    if (Date.now() > until) throw new Error("the holder never asked the model");
    await sleep(50);
  }
}

describe("replica faults with replicas as separate processes (DESIGN §12)", function () {
  this.timeout(120_000);
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it("SIGKILL of the holder mid-deal: another replica takes over and settles once, ≤ 1 wasted tx", async () => {
    w = await world({ replicas: 3, takeoverS: 4, modelMs: 600 });
    const before = w.model.requests.length;
    const [deal] = await w.open(1);
    const victim = w.holder(deal!.id);
    await modelBusy(w, before, 1); // the holder is negotiating
    const killedAt = performance.now();
    await w.fleet.kill(victim, true);
    await w.waitSettled([deal!.id], 60_000);
    const takeoverS = (performance.now() - killedAt) / 1000;
    const a = await w.audit();
    expect(a.settledEvents.get(deal!.id), "settled exactly once").to.equal(1);
    expect(a.settledBy.get(deal!.id)).to.not.equal(w.senders[victim]);
    expect(a.wastedTxs, `wasted settlement txs (takeover took ${takeoverS.toFixed(1)} s)`).to.be.at.most(1);
    expect(takeoverS, "taken over well before the deadline").to.be.below(50);
    expect(
      w.fleet.replicas.reduce((n, r) => n + r.selfExits, 0),
      "no replica crashed",
    ).to.equal(0);
  });

  it("the holder's chain view frozen mid-deal: the other settles; the thawed holder does not settle again", async () => {
    w = await world({ replicas: 2, takeoverS: 3, modelMs: 400 });
    const before = w.model.requests.length;
    const [deal] = await w.open(1);
    const stale = w.holder(deal!.id);
    await modelBusy(w, before, 1);
    w.proxies[stale]!.set({ fail: 1 }); // its RPC answers nothing but 500s: its view stops
    await w.waitSettled([deal!.id], 60_000);
    w.proxies[stale]!.set({ fail: 0 });
    await sleep(5000); // let the thawed holder catch up and act on what it sees
    const a = await w.audit();
    expect(a.settledEvents.get(deal!.id), "settled exactly once").to.equal(1);
    expect(a.settledBy.get(deal!.id), "settled by the replica that could see").to.equal(w.senders[1 - stale]);
    expect(a.wastedTxs, "the stale holder's late settlement, at most").to.be.at.most(1);
    expect(w.proxies[stale]!.stats.failed, "the freeze really happened").to.be.above(0);
  });

  it("a wall clock skewed by minutes in one process changes no holding (chain time rules)", async () => {
    // replica 0 runs 7 minutes ahead, replica 1 7 minutes behind; the takeover delay (90 s) is
    // well inside the skew, so a wall-clock rule would make the next rank jump in at once
    w = await world({
      replicas: 2,
      takeoverS: 90,
      modelMs: 300,
      envFor: (i, dir) => ({
        NODE_OPTIONS: `--import=${skewPreload(dir)}`,
        TEST_WALL_CLOCK_SKEW_MS: String(i === 0 ? 420_000 : -420_000),
      }),
    });
    const deals = await w.open(4);
    const holders = new Map(deals.map((d) => [d.id, w!.holder(d.id)]));
    await w.waitSettled(
      deals.map((d) => d.id),
      90_000,
    );
    await sleep(2000);
    const a = await w.audit();
    for (const d of deals) {
      expect(a.settledEvents.get(d.id), "settled exactly once").to.equal(1);
      expect(a.settledBy.get(d.id), "settled by its rank-0 holder").to.equal(w.senders[holders.get(d.id)!]);
    }
    expect(a.wastedTxs, "no replica jumped in").to.equal(0);
  });

  it("the holder's signer revoked mid-deal: the other settles it once; the revoked replica wastes at most one tx", async () => {
    w = await world({ replicas: 2, takeoverS: 60, modelMs: 600 });
    const before = w.model.requests.length;
    const [deal] = await w.open(1);
    const revoked = w.holder(deal!.id);
    const signer = w.fleet.replicas[revoked]!.signer!;
    await modelBusy(w, before, 1); // the holder is negotiating
    await (await w.owner.revokeSigner(signer)).wait();
    expect(await w.owner.isTrustedSigner(signer)).to.equal(false);
    // the takeover delay is 60 s: a settlement well before it is the other replica seeing the
    // revoked one leave the live set, not the clock
    const t0 = performance.now();
    await w.waitSettled([deal!.id], 45_000);
    const takeoverS = (performance.now() - t0) / 1000;
    // (a revoked current signer leaves currentOracle empty until a replica registers again: the
    // next case)
    await sleep(2000); // let the revoked replica act on what it sees
    const a = await w.audit();
    expect(a.settledEvents.get(deal!.id), "settled exactly once").to.equal(1);
    expect(a.settledBy.get(deal!.id), "by the replica still trusted").to.equal(w.senders[1 - revoked]);
    expect(
      a.wastedTxs,
      `the revoked replica's refused settlement, at most (${takeoverS.toFixed(1)} s)`,
    ).to.be.at.most(1);
    expect(
      w.fleet.replicas.reduce((n, r) => n + r.selfExits, 0),
      "no replica crashed",
    ).to.equal(0);
  });

  it("a split view as processes: a node that hides the other replica's registration makes two replicas both work its deals — one settlement each, the loser records it settled by the other", async () => {
    // replica 0's RPC lies by omission once replica 0 has seen its own registration: it cuts every
    // OracleRegistered log, so replica 0 never learns replica 1 exists and believes it holds every
    // deal, while replica 1 (an honest node) ranks both — the deals replica 1 ranks first are
    // worked by both at once. The contract's single settlement is the guard.
    w = await world({ replicas: 2, takeoverS: 60, modelMs: 300, startFirst: 1 });
    const registered = connectDealProof(
      w.owner.target as string,
      w.chain.connection.ethers.provider,
    ).interface.getEvent("OracleRegistered").topicHash;
    await sleep(1500); // a few ticks: replica 0's signer set holds its own registration
    w.proxies[0]!.set({ omitLogs: (topics) => topics[0] === registered });
    await w.fleet.start(1);
    await w.fleet.ready(1, 90_000);
    const [a0, a1] = w.fleet.replicas.map((r) => r.signer!.toLowerCase());
    const deals = [];
    const both: string[] = [];
    while (both.length < 2 && deals.length < 12) {
      const [d] = await w.open(1);
      deals.push(d!);
      if (rankSigners(BigInt(d!.id), [a0!, a1!])[0] === a1) both.push(d!.id);
    }
    const contested = both.length;
    expect(contested, "deals both replicas believe they hold").to.equal(2);
    await w.waitSettled(
      deals.map((d) => d.id),
      90_000,
    );
    await sleep(3000); // let the loser of each race read the chain
    const a = await w.audit();
    for (const d of deals) expect(a.settledEvents.get(d.id), "settled exactly once").to.equal(1);
    expect(w.proxies[0]!.stats.omitted, "the lie was told").to.be.above(0);
    expect(a.wastedTxs, "at most one wasted settlement per contested deal").to.be.at.most(contested);
    // every deal's record at both replicas: settled, by one of them; the other never shows its own
    for (const d of deals) {
      const views = await Promise.all(
        w.fleet.replicas.map(
          async (r) => (await (await fetch(`${r.url}/deals/${d.id}`)).json()) as Record<string, unknown>,
        ),
      );
      expect(
        views.map((v) => v.status),
        `deal ${d.id}`,
      ).to.deep.equal(["settled", "settled"]);
      expect(views.map((v) => v.settledBy).sort(), `deal ${d.id}`).to.deep.equal(["oracle", "other"]);
      const other = views.find((v) => v.settledBy === "other")!;
      expect(other.outcome, "the loser shows no outcome of its own").to.equal(null);
    }
    expect(
      w.fleet.replicas.reduce((n, r) => n + r.selfExits, 0),
      "no replica crashed",
    ).to.equal(0);
    // the split was real: both replicas built an outcome of their own for each contested deal
    await w.fleet.stopAll();
    const stores = w.fleet.replicas.map((r) => new Store(r.dbPath));
    try {
      for (const id of both)
        for (const [i, st] of stores.entries()) {
          const row = st.get(BigInt(id))!;
          expect(row.outcome, `replica ${i} worked deal ${id}`).to.not.equal(null);
          const terms = JSON.parse(row.outcome!.termsJson) as { oracle: { signer: string } };
          expect(terms.oracle.signer.toLowerCase()).to.equal([a0, a1][i]);
        }
    } finally {
      for (const st of stores) st.close();
    }
  });

  it("the current signer revoked: the first-ranked live replica is current again within blocks, one registration, a new deal settles", async () => {
    w = await world({ replicas: 3, takeoverS: 4, modelMs: 300 });
    const current = (await w.owner.currentSigner()).toLowerCase();
    const victim = w.fleet.replicas.findIndex((r) => r.signer?.toLowerCase() === current);
    expect(victim, "the current signer is a replica's").to.be.at.least(0);
    const first = w.fleet.replicas
      .filter((_, i) => i !== victim)
      .map((r) => r.signer!.toLowerCase())
      .sort()[0]!;
    const before = await w.audit();
    await (await w.owner.revokeSigner(current)).wait();
    const t0 = performance.now();
    let next: string | undefined;
    while (next === undefined && performance.now() - t0 < 15_000) {
      const c = (await w.owner.currentSigner()).toLowerCase();
      if (BigInt(c) !== 0n && (await w.owner.isTrustedSigner(c))) next = c;
      else await sleep(100);
    }
    const tookS = (performance.now() - t0) / 1000;
    expect(next, "a trusted replica is current again").to.equal(first);
    await sleep(3000); // six blocks: no other replica registers to fix what is fixed
    // a new deal, sealed by the SDK to the new current signer, settles once
    const [deal] = await w.open(1);
    await w.waitSettled([deal!.id], 60_000);
    const a = await w.audit();
    expect(
      a.registrationTxs - before.registrationTxs,
      `recovery registrations (${tookS.toFixed(1)} s)`,
    ).to.equal(1);
    expect(a.settledEvents.get(deal!.id), "settled exactly once").to.equal(1);
    expect(a.wastedTxs).to.equal(0);
    expect(
      w.fleet.replicas.reduce((n, r) => n + r.selfExits, 0),
      "no replica crashed",
    ).to.equal(0);
  });

  it("the RPC shared by every replica failing for seconds: no deal lost, they resume, each settles once", async () => {
    w = await world({ replicas: 2, sharedRpc: true, takeoverS: 4, modelMs: 300 });
    const before = w.model.requests.length;
    const deals = await w.open(3);
    await modelBusy(w, before, 1);
    const rpc = w.proxies[0]!;
    rpc.set({ fail: 0.6, drop: 0.4 }); // nothing reaches the node
    await sleep(6000);
    rpc.set({ fail: 0, drop: 0 });
    await w.waitSettled(
      deals.map((d) => d.id),
      80_000,
    );
    await sleep(2000);
    const a = await w.audit();
    for (const d of deals) expect(a.settledEvents.get(d.id), "settled exactly once").to.equal(1);
    expect(rpc.stats.failed + rpc.stats.dropped, "the outage really happened").to.be.above(0);
    expect(a.wastedTxs, "at most one takeover per deal during the outage").to.be.at.most(deals.length);
    expect(
      w.fleet.replicas.reduce((n, r) => n + r.selfExits, 0),
      "no replica crashed",
    ).to.equal(0);
  });
});
