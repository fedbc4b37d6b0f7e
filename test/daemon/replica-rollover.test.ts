/**
 * A rolling upgrade with the replicas as REAL separate daemon processes
 * (scripts/lib/replica-fleet.ts) on a local node mining a block every 500 ms, following
 * docs/operations.md ("Upgrade (rolling)") step by step (DESIGN.md §12):
 *   - a rolling upgrade: replicas of measurement A serve deals; replicas of measurement B (the
 *     simulator's compose hash, set per process) start, B is allowed from their own quote
 *     (measurement:allow's verifyAndAllowMeasurement), the A replicas stop one by one (a SIGTERM,
 *     then a SIGKILL of the one holding a deal mid-negotiation), A is disallowed; deals opened
 *     before, during and after all settle agreed, once each, the killed holder's deal by a B.
 * Key epochs as processes are not here yet (test/daemon/replicas-key-epochs.test.ts, in process).
 * Nothing is lost, judged from the chain (one DealSettled per deal, wasted settlement txs ≤
 * kills, every escrow paid out to the wei, the contract holding exactly what is still owed) and
 * from the replicas' stores (each settled by the replica whose sender settled it, the terms whose
 * hash is on-chain, no row left unfinished).
 */
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, toUtf8Bytes, type Signer } from "ethers";
import { startLocalChain, type LocalChain } from "../../scripts/lib/local-chain.ts";
import { deployForSimulator } from "../../scripts/lib/local-oracle.ts";
import { agreeable, startFakeAnthropic } from "../../scripts/lib/fake-anthropic.ts";
import { createFleet, fundedSenders, type Fleet, sharedReplicaEnv } from "../../scripts/lib/replica-fleet.ts";
import { mineAndAudit, waitForSettled } from "../../scripts/lib/chain-audit.ts";
import { openDealsSteadily, type OpenedDeal } from "../../scripts/lib/steady-deals.ts";
import { prepareDataset, type SellerDataset } from "../../scripts/lib/seller-kit.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { at } from "../../scripts/lib/at.ts";
import { rankSigners } from "../../oracle/daemon/assignment.ts";
import { connectDealProof, type DealProof } from "../../oracle/chain/dealproof.ts";
import { Store } from "../../oracle/daemon/store.ts";
import { DEFAULT_IMAGE, SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { verifyAndAllowMeasurement } from "../../tasks/lib/measurement.ts";
import { dealIdFor, dealProofDomain } from "../../sdk/src/eip712.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = scenarioByName("vision");
const ESCROW = units(s.escrowUnits);
/** The upgraded image's compose hash: another measurement of the same app (same KMS keys). */
const NEW_COMPOSE = createHash("sha256").update("dealproof docker-compose.yml, v2 image").digest("hex");
/** Short enough that key 1's registrations lapse within the test (a chain-time jump, not a wait). */
const TTL_S = 7200n;

interface Settled {
  agreed: boolean;
  termsHash: string;
  by: string;
}

interface World {
  chain: LocalChain;
  fleet: Fleet;
  dp: DealProof;
  dir: string;
  seedFile: string;
  dataset: SellerDataset;
  signers: Signer[];
  model: Awaited<ReturnType<typeof startFakeAnthropic>>;
  /** The replicas' senders (lower case), by index. */
  senders: string[];
  chainNow(): Promise<number>;
  open(count: number): Promise<OpenedDeal[]>;
  /** One deal whose rank-0 replica among `live` signers is `holder` (its deadline chosen so). */
  openHeldBy(holder: string, live: readonly string[]): Promise<OpenedDeal>;
  /** DealSettled per deal id (decimal) since the start: agreed, terms hash, the sending account. */
  settled(): Promise<Map<string, Settled[]>>;
  waitSettled(ids: readonly string[], timeoutMs: number): Promise<void>;
  audit(): ReturnType<typeof mineAndAudit>;
  close(): Promise<void>;
}

async function world(opts: {
  replicas: number;
  takeoverS: number;
  modelMs: number;
  envFor: (i: number) => Record<string, string>;
}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "replica-rollover-"));
  const chain = await startLocalChain();
  const model = await startFakeAnthropic(agreeable, { latencyMs: () => opts.modelMs });
  const provider = chain.connection.ethers.provider;
  const { seedFile, deployment, deploymentFile } = await deployForSimulator(
    chain.connection,
    dir,
    "rollover",
    {
      registrationTtl: TTL_S,
    },
  );
  const dataset = await prepareDataset(dir, s, { rows: 120 });
  const signers = await chain.connection.ethers.getSigners();
  const deployer = at(signers, 0);
  const dp = connectDealProof(deployment.dealProof, deployer);
  const wallets = await fundedSenders(deployer, opts.replicas, 0x7011n, "100");
  const startBlock = await provider.getBlockNumber();
  await provider.send("evm_setAutomine", [false]);
  await provider.send("evm_setIntervalMining", [500]);
  const fleet = await createFleet(
    {
      dir,
      env: {
        DEALPROOF_RPC_URL: chain.url,
        ...sharedReplicaEnv({
          deploymentFile,
          seedFile,
          takeoverS: opts.takeoverS,
          modelBaseURL: model.baseURL,
          apiKey: "sk-test-local",
        }),
      },
      envFor: opts.envFor,
    },
    wallets,
  );
  const pairs = [2, 4].map((i) => ({ buyer: at(signers, i), seller: at(signers, i + 1) }));
  const chainNow = async () => (await provider.getBlock("latest"))!.timestamp;
  let deadlineBase = (await chainNow()) + 3600;
  const domain = dealProofDomain(31337n, deployment.dealProof);
  const openAt = async (count: number, base: number) => {
    const ds = await openDealsSteadily({
      dp,
      pairs,
      scenario: s,
      dataset,
      count,
      perSecond: 5,
      deadlineBase: base,
    });
    deadlineBase = Math.max(deadlineBase, base + count);
    return ds;
  };
  const settled = async () => {
    const out = new Map<string, Settled[]>();
    for (const e of await dp.queryFilter(dp.filters.DealSettled(), startBlock + 1)) {
      const id = e.args.dealId.toString();
      const by = (await provider.getTransaction(e.transactionHash))!.from.toLowerCase();
      out.set(id, [...(out.get(id) ?? []), { agreed: e.args.agreed, termsHash: e.args.termsHash, by }]);
    }
    return out;
  };
  return {
    chain,
    fleet,
    dp,
    dir,
    seedFile,
    dataset,
    signers,
    model,
    senders: wallets.map((w) => w.address.toLowerCase()),
    chainNow,
    open: (count) => openAt(count, deadlineBase),
    openHeldBy: async (holder, live) => {
      const [buyer, seller] = [await pairs[0]!.buyer.getAddress(), await pairs[0]!.seller.getAddress()];
      let d = deadlineBase;
      const rank0 = (deadline: number) =>
        rankSigners(dealIdFor(domain, { buyer, seller, dataRoot: dataset.dataRoot, deadline }), live)[0];
      while (rank0(d) !== holder.toLowerCase()) d++;
      const [deal] = await openAt(1, d);
      return deal!;
    },
    settled,
    waitSettled: (ids, timeoutMs) => waitForSettled(ids, settled, timeoutMs, dir),
    audit: () =>
      mineAndAudit(
        provider,
        deployment.dealProof,
        wallets.map((w) => w.address),
        startBlock + 1,
      ),
    close: async () => {
      await fleet.stopAll();
      await model.close();
      await chain.close();
      if (process.env.KEEP_FAULT_DIRS === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the fake model has answered at least one more request than `from` (a deal is mid-negotiation). */
async function modelBusy(w: World, from: number, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (w.model.requests.length <= from) {
    if (Date.now() > until) throw new Error("no replica asked the model");
    await sleep(50);
  }
}

/**
 * What the operator feeds measurement:allow (and its --disallow) for replica `i`: its own quote
 * and event log from GET /attestation, with the simulated DCAP collateral and root CA, written to
 * files as the task reads them.
 */
async function attestationOf(w: World, i: number) {
  const nonce = `5eed0${i}`;
  const att = (await (await fetch(`${w.fleet.replicas[i]!.url}/attestation?nonce=${nonce}`)).json()) as {
    report_data: string;
    simulated_dcap: { collateral: unknown };
  };
  const file = (name: string, data: string | Uint8Array) => {
    const p = join(w.dir, `replica-${i}-${name}`);
    writeFileSync(p, data);
    return p;
  };
  return {
    quote: file("attestation.json", JSON.stringify(att)),
    reportData: att.report_data,
    collateral: file("collateral.json", JSON.stringify(att.simulated_dcap.collateral)),
    rootCa: file("root-ca.der", SimulatorBackend.fromSeedFile(w.seedFile).dcapRootCa()),
  };
}

/** measurement:allow (or --disallow) on an attestation, checked against `composeHash`. */
const allowMeasurement = async (
  w: World,
  att: Awaited<ReturnType<typeof attestationOf>>,
  composeHash: string,
  allowed: boolean,
) => verifyAndAllowMeasurement(w.chain.connection, await w.dp.getAddress(), { ...att, composeHash }, allowed);

/** The measurement id of the simulated app under `composeHash` (what its registrations carry). */
const measurementOf = (w: World, composeHash: string) =>
  new SimulatorBackend(new Uint8Array(readFileSync(w.seedFile)), {
    ...DEFAULT_IMAGE,
    composeHash,
  }).measurementId();

/**
 * Every escrow accounted for to the wei: each deal Settled with buyer + seller payouts equal to
 * its escrow (before any withdrawal) and the contract holding exactly the payouts still owed.
 */
async function checkEscrows(w: World, ids: readonly string[], withdrawn: ReadonlySet<string> = new Set()) {
  let owed = 0n;
  for (const id of ids) {
    const d = await w.dp.getDeal(BigInt(id));
    expect(Number(d.state), `deal ${id} settled on-chain`).to.equal(3);
    if (!withdrawn.has(id))
      expect(d.buyerPayout + d.sellerPayout, `deal ${id}'s escrow paid out`).to.equal(ESCROW);
    owed += d.buyerPayout + d.sellerPayout;
  }
  expect(
    await w.chain.connection.ethers.provider.getBalance(await w.dp.getAddress()),
    "the contract holds exactly what is owed",
  ).to.equal(owed);
}

/**
 * The stores after the fleet stopped: each deal's row at the replica whose sender settled it says
 * settled by itself (or, at a replica retired mid-run, still submitted with its transaction), with the terms whose hash is on-chain and the same agreement; no replica that
 * ran to the end has a deal left unfinished. Returns the settling rows by deal id.
 */
function checkStores(w: World, settled: Map<string, Settled[]>, ids: readonly string[]) {
  const stores = w.fleet.replicas.map((r) => new Store(r.dbPath));
  try {
    const rows = new Map<string, NonNullable<ReturnType<Store["get"]>>>();
    for (const id of ids) {
      const [ev] = settled.get(id)!;
      const i = w.senders.indexOf(ev!.by);
      expect(i, `deal ${id} settled by one of the replicas`).to.be.at.least(0);
      const row = stores[i]!.get(BigInt(id));
      // a replica stopped (retired) right after its settlement was mined may not have read the
      // receipt yet: its row is still submitted, with that transaction, and resumes on a restart
      const expected = w.fleet.replicas[i]!.retired && row?.status === "submitted" ? "submitted" : "settled";
      expect([row?.status, row?.settled_by ?? "oracle"], `deal ${id} in its settler's store`).to.deep.equal([
        expected,
        "oracle",
      ]);
      if (expected === "submitted")
        expect(row!.tx_hash, `deal ${id}'s settlement transaction`).to.be.a("string");
      expect(keccak256(toUtf8Bytes(row!.outcome!.termsJson)), `deal ${id}'s terms`).to.equal(ev!.termsHash);
      expect(row!.outcome!.settlement.agreed).to.equal(ev!.agreed);
      rows.set(id, row!);
    }
    for (const [i, st] of stores.entries()) {
      if (w.fleet.replicas[i]!.retired) continue;
      const unfinished = Object.keys(st.counts()).filter((k) => k !== "settled" && k !== "closed");
      expect(unfinished, `replica ${i} has no deal left unfinished`).to.deep.equal([]);
    }
    return rows;
  } finally {
    for (const st of stores) st.close();
  }
}

describe("replica rollover as separate processes: rolling upgrade (DESIGN §12)", function () {
  this.timeout(180_000);
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it("rolling upgrade A → B: both serve side by side, A stops (SIGTERM, then SIGKILL of a holder), no deal fails, each settles once", async () => {
    // replicas 0, 1 run the old image (A), 2, 3 the new one (B): another compose hash, same app keys
    w = await world({
      replicas: 4,
      takeoverS: 4,
      modelMs: 500,
      envFor: (i): Record<string, string> =>
        i >= 2 ? { DEALPROOF_SIMULATOR_COMPOSE_HASH: NEW_COMPOSE } : {},
    });
    const { fleet, dp } = w;
    const [mA, mB] = [measurementOf(w, DEFAULT_IMAGE.composeHash), measurementOf(w, NEW_COMPOSE)];
    expect(mA).to.not.equal(mB);
    for (const i of [0, 1]) await fleet.start(i);
    for (const i of [0, 1]) await fleet.ready(i, 90_000);
    const attA = await attestationOf(w, 0); // the operator keeps the old image's quote to disallow it later
    const before = await w.open(3);

    // B comes up unregistered (its measurement is not allowed yet) and serves its quote
    for (const i of [2, 3]) await fleet.start(i);
    await fleet.listening(2, 90_000);
    expect(
      (await dp.registrationOf(fleet.replicas[2]!.signer!)).issuedAt,
      "B unregistered before allow",
    ).to.equal(0n);
    const allowB = await allowMeasurement(w, await attestationOf(w, 2), NEW_COMPOSE, true);
    expect([allowB.measurementId, allowB.action]).to.deep.equal([mB, "executed"]);
    for (const i of [2, 3]) await fleet.ready(i, 90_000);
    for (const i of [0, 1, 2, 3])
      expect(
        (await dp.registrationOf(fleet.replicas[i]!.signer!)).measurementId,
        `replica ${i}'s registration carries its measurement`,
      ).to.equal(i < 2 ? mA : mB);
    const signers = fleet.replicas.map((r) => r.signer!.toLowerCase());

    // old and new overlap: deals opened now go to all four; A0 stops as a container does
    const during = await w.open(4);
    await fleet.stop(0, true);
    await w.waitSettled(
      [...before, ...during].map((d) => d.id),
      90_000,
    );

    // A1 holds a deal (rank 0 among the four live signers) and is SIGKILLed mid-negotiation
    const asked = w.model.requests.length;
    const held = await w.openHeldBy(signers[1]!, signers);
    await modelBusy(w, asked);
    await fleet.kill(1, true);
    // no replica runs A any more: disallow it, last (its signers stop being live at once)
    const disallowA = await allowMeasurement(w, attA, DEFAULT_IMAGE.composeHash, false);
    expect([disallowA.measurementId, disallowA.action]).to.deep.equal([mA, "disallowed"]);
    expect(await dp.allowedMeasurements(mA)).to.equal(false);
    const after = await w.open(3);
    const all = [...before, ...during, held, ...after].map((d) => d.id);
    await w.waitSettled(all, 90_000);
    await sleep(1500);

    const a = await w.audit();
    const ev = await w.settled();
    for (const id of all) {
      expect(ev.get(id)?.length, `deal ${id} settled exactly once`).to.equal(1);
      expect(ev.get(id)![0]!.agreed, `deal ${id} agreed (none failed)`).to.equal(true);
    }
    const bSenders = [w.senders[2], w.senders[3]];
    expect(bSenders, "the killed A holder's deal was taken over by B").to.include(ev.get(held.id)![0]!.by);
    for (const d of after)
      expect(bSenders, "after the upgrade only B settles").to.include(ev.get(d.id)![0]!.by);
    expect(a.wastedTxs, "wasted settlement txs ≤ kills (1)").to.be.at.most(1);
    expect(
      fleet.replicas.reduce((n, r) => n + r.selfExits, 0),
      "no replica crashed",
    ).to.equal(0);
    await checkEscrows(w, all);
    await fleet.stopAll();
    checkStores(w, ev, all);
  });
});
