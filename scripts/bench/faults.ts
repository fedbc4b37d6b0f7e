/**
 * `npm run bench:faults [-- --deals N --kills K --block-ms MS --seed S --reorgs R --confirmations C]
 * [-- --json]`: the oracle daemon as a real process (oracle/simulator/main.ts) against a local node
 * that mines a block every MS milliseconds (EDR interval mining), behind a fault-injecting RPC
 * proxy (drops, HTTP 500s, lost answers, hanging requests), SIGKILLed at random moments and
 * restarted on the same SQLite file until K kills; N deals are opened by parties talking to the
 * node directly. With --reorgs R, R chain reorganisations of random depth 1–8 are made during the
 * run (scripts/lib/reorg-maker.ts); in each, at random, the node keeps the oracle's replaced
 * transactions or forgets them (then the oracle must send them again), the parties' are kept.
 * Judged from the chain, not from the oracle's word: every transaction the oracle's sender got
 * mined is decoded, so `duplicateTxs` counts settlement transactions beyond one per deal
 * (reverted ones included). Prints one JSON object with --json:
 *   deals, settledOnce, duplicateTxs, stuck, killCount, p50SettleSeconds, p95SettleSeconds,
 *   reorgs, reorgDepths, reorgsDroppingOracleTxs, oracleTxsForgotten, …
 * Target: duplicateTxs 0, stuck 0, settledOnce = deals, with ≥ 20 deals and ≥ 5 kills.
 * Benchmark, not test.
 */
import { percentile } from "../lib/percentile.ts";
import { parseArgs } from "node:util";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet, type Signer } from "ethers";
import { startLocalChain } from "../lib/local-chain.ts";
import { prepareDataset, sellerEmailKit } from "../lib/seller-kit.ts";
import { at } from "../lib/at.ts";
import { deployForSimulator, LOCAL_SENDER_KEY } from "../lib/local-oracle.ts";
import { prng, startFaultProxy } from "../lib/fault-proxy.ts";
import { makeReorg, ReorgLock, type ReorgResult } from "../lib/reorg-maker.ts";
import { acceptDeal, createDeal } from "../../sdk/src/parties.ts";
import { connectDealProof, dealProofInterface, parseSettleCall } from "../../oracle/chain/dealproof.ts";
import { scenarioByName, units } from "../lib/scenarios.ts";

const { values: a } = parseArgs({
  options: {
    deals: { type: "string", default: "20" },
    kills: { type: "string", default: "6" },
    "block-ms": { type: "string", default: "2000" },
    seed: { type: "string", default: "1" },
    "timeout-s": { type: "string", default: "600" },
    reorgs: { type: "string", default: "0" },
    confirmations: { type: "string", default: "0" },
    json: { type: "boolean" },
  },
});
const N = Number(a.deals);
const KILLS = Number(a.kills);
const BLOCK_MS = Number(a["block-ms"]);
const REORGS = Number(a.reorgs);
const rand = prng(Number(a.seed));
const FAULTS = { drop: 0.03, fail: 0.03, lose: 0.03, hang: 0.02, delayMs: 5 };
const root = join(import.meta.dirname, "..", "..");
const s = scenarioByName("vision");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), "bench-faults-"));
const chain = await startLocalChain();
const proxy = await startFaultProxy(chain.url, {}, Number(a.seed));
let child: ChildProcess | undefined;
try {
  const provider = chain.connection.ethers.provider;
  const { seedFile, deployment, deploymentFile } = await deployForSimulator(chain.connection, dir, "faults");
  const email = sellerEmailKit();
  const dataset = await prepareDataset(dir, s, { rows: 300 });
  const eml = await email.sign(`sales@${email.domain}`, "offer", s.sellerDescription);
  const signers = await chain.connection.ethers.getSigners();
  const dp = connectDealProof(deployment.dealProof, at(signers, 0));
  const sender = new Wallet(LOCAL_SENDER_KEY).address;
  const startBlock = await provider.getBlockNumber();
  await provider.send("evm_setAutomine", [false]);
  await provider.send("evm_setIntervalMining", [BLOCK_MS]);

  // DKIM needs DNS: the daemon process cannot be handed the test resolver, so deals carry no email
  void eml;
  let killCount = 0;
  /**
   * Like the compose file's `restart: unless-stopped`, a daemon that exits by itself (not by our
   * SIGKILL or the final SIGTERM) is started again after half a second, and counted: `selfExits`
   * should stay 0, since the daemon is meant to ride out RPC faults rather than exit on them.
   */
  let selfExits = 0;
  let stopping = false;
  const intended = new WeakSet<ChildProcess>();
  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => c.once("exit", () => r()));
  let logFd = openSync(join(dir, "oracle.log"), "a");
  const startDaemon = (): void => {
    const me = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", join(root, "oracle/simulator/main.ts")],
      {
        cwd: root,
        env: {
          ...process.env,
          DEALPROOF_RPC_URL: proxy.url,
          DEALPROOF_DEPLOYMENT: deploymentFile,
          DEALPROOF_SENDER_KEY: LOCAL_SENDER_KEY,
          DEALPROOF_SIMULATOR_SEED_FILE: seedFile,
          DEALPROOF_DB: join(dir, "oracle.sqlite"),
          DEALPROOF_SETTLE_MODE: "signature",
          DEALPROOF_CONFIRMATIONS: a.confirmations,
          DEALPROOF_POLL_MS: "200",
          DEALPROOF_RPC_POLL_MS: "200",
          DEALPROOF_RPC_TIMEOUT_MS: "1500",
          DEALPROOF_CONCURRENCY: "8",
          DEALPROOF_BUMP_AFTER_MS: String(Math.max(10_000, BLOCK_MS * 5)),
          DEALPROOF_HTTP_HOST: "127.0.0.1",
          DEALPROOF_HTTP_PORT: "0",
          LOG_LEVEL: "info",
          ANTHROPIC_API_KEY: "",
        },
        stdio: ["ignore", logFd, logFd],
      },
    );
    child = me;
    me.once("exit", () => {
      if (stopping || intended.has(me)) return;
      selfExits++;
      setTimeout(() => {
        if (!stopping && child === me) startDaemon();
      }, 500);
    });
  };
  // the first start registers the oracle without faults, so every deal seals to a registered key
  startDaemon();
  while ((await dp.currentOracle()).signer === "0x0000000000000000000000000000000000000000") await sleep(200);
  proxy.set(FAULTS);

  const pairs = [2, 4, 6, 8, 10, 12, 14, 16, 18].map((i) => ({
    buyer: at(signers, i),
    seller: at(signers, i + 1),
  }));
  const lock = new ReorgLock();
  const acceptedAt = new Map<string, number>();
  const settledAt = new Map<string, number>();
  const base = (await provider.getBlock("latest"))!.timestamp + 7200;
  const opening = Promise.all(
    pairs.map(async ({ buyer, seller }: { buyer: Signer; seller: Signer }, p) => {
      for (let j = p; j < N; j += pairs.length) {
        const d = await lock.shared(async () =>
          createDeal(dp, buyer, {
            seller: await seller.getAddress(),
            dataRoot: dataset.dataRoot,
            escrowWei: units(s.escrowUnits),
            deadline: base + j,
            budgetWei: units(s.budgetUnits),
            requirements: s.buyerRequirements,
          }),
        );
        await lock.shared(() =>
          acceptDeal(dp, seller, d.dealId, {
            floorWei: units(s.floorUnits).toString(),
            description: s.sellerDescription,
            dataset: { location: dataset.location, key: dataset.key, chunkSize: dataset.chunkSize },
          }),
        );
        acceptedAt.set(d.dealId.toString(), performance.now());
      }
    }),
  );

  // SIGKILL at random moments (1–4 s apart), restart at once, until KILLS kills
  let opened = false;
  void opening.then(() => (opened = true));
  const t0 = performance.now();
  const deadline = t0 + Number(a["timeout-s"]) * 1000;
  let nextKill = performance.now() + 1000 + rand() * 3000;
  /** Deals settled on the chain as it is now (a reorganisation may have taken some away). */
  let settledNow = 0;
  const seenSettled = async () => {
    const evs = await dp.queryFilter(dp.filters.DealSettled(), deployment.deployBlock);
    settledNow = new Set(evs.map((e) => e.args.dealId.toString())).size;
    for (const e of evs) {
      const id = e.args.dealId.toString();
      if (!settledAt.has(id)) settledAt.set(id, performance.now());
    }
  };
  // reorganisations of random depth 1–8, 1–4 s apart, beside the kills
  const reorgs: (ReorgResult & { forget: boolean })[] = [];
  const filler = at(signers, 0); // the deployer: nothing else sends from it during the run
  const reorging = (async () => {
    while (reorgs.length < REORGS && performance.now() < deadline) {
      await sleep(1000 + rand() * 3000);
      const depth = 1 + Math.floor(rand() * 8);
      const forget = rand() < 0.5;
      const r = await makeReorg(provider, { depth, lock, filler, dropSender: forget ? sender : undefined });
      reorgs.push({ ...r, forget });
    }
  })();
  while (performance.now() < deadline) {
    await seenSettled();
    if (opened && settledNow >= N && killCount >= KILLS && reorgs.length >= REORGS) break;
    if (killCount < KILLS && performance.now() >= nextKill) {
      const victim = child!;
      intended.add(victim);
      victim.kill("SIGKILL");
      await exited(victim);
      killCount++;
      startDaemon();
      nextKill = performance.now() + 1000 + rand() * 3000;
    }
    await sleep(250);
  }
  await opening;
  await reorging;
  // let the daemon run on for a few blocks: a duplicate it might still send would show now
  await sleep(Math.max(3000, BLOCK_MS * 3));
  await seenSettled();
  stopping = true;
  intended.add(child!);
  child!.kill("SIGTERM");
  await exited(child!);
  closeSync(logFd);
  logFd = -1;
  await provider.send("evm_mine", []);

  // the chain's word: every mined transaction of the oracle's sender, decoded
  const perDeal = new Map<string, number>();
  let registrations = 0;
  const end = await provider.getBlockNumber();
  for (let b = startBlock + 1; b <= end; b++) {
    const block = await provider.getBlock(b, true);
    for (const tx of block!.prefetchedTransactions) {
      if (tx.from.toLowerCase() !== sender.toLowerCase()) continue;
      const settle = parseSettleCall(tx.data);
      if (settle !== null) {
        const id = settle.outcome.dealId.toString();
        perDeal.set(id, (perDeal.get(id) ?? 0) + 1);
      } else if (dealProofInterface.parseTransaction({ data: tx.data })?.name === "registerOracle")
        registrations++;
    }
  }
  const ids = [...acceptedAt.keys()];
  const events = await dp.queryFilter(dp.filters.DealSettled(), deployment.deployBlock);
  const eventsPer = new Map<string, number>();
  for (const e of events) {
    const id = e.args.dealId.toString();
    eventsPer.set(id, (eventsPer.get(id) ?? 0) + 1);
  }
  const latencies = ids
    .filter((id) => settledAt.has(id))
    .map((id) => (settledAt.get(id)! - acceptedAt.get(id)!) / 1000);
  const result = {
    deals: ids.length,
    settledOnce: ids.filter((id) => eventsPer.get(id) === 1).length,
    duplicateTxs: [...perDeal.values()].reduce((n, c) => n + Math.max(0, c - 1), 0),
    stuck: ids.filter((id) => !eventsPer.has(id)).length,
    killCount,
    selfExits,
    p50SettleSeconds: Number(percentile(latencies, 50).toFixed(1)),
    p95SettleSeconds: Number(percentile(latencies, 95).toFixed(1)),
    blockMs: BLOCK_MS,
    registrationTxs: registrations,
    rpcRequests: proxy.stats.requests,
    rpcDropped: proxy.stats.dropped,
    rpc500s: proxy.stats.failed,
    rpcLostAnswers: proxy.stats.lost,
    rpcHung: proxy.stats.hung,
    durationSeconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    confirmations: Number(a.confirmations),
    reorgs: reorgs.length,
    reorgDepths: reorgs.map((r) => r.depth),
    reorgsDroppingOracleTxs: reorgs.filter((r) => r.forget).length,
    oracleTxsForgotten: reorgs.reduce((n, r) => n + r.dropped, 0),
    txsResent: reorgs.reduce((n, r) => n + r.resent, 0),
  };
  if (a.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `${result.deals} deals, ${BLOCK_MS} ms blocks, ${killCount} SIGKILLs, RPC faults: ${result.rpcDropped} dropped, ${result.rpc500s} 500s, ${result.rpcLostAnswers} lost answers, ${result.rpcHung} hung of ${result.rpcRequests}`,
    );
    console.log(`settled once   ${result.settledOnce} / ${result.deals}   target = deals`);
    console.log(`duplicate txs  ${result.duplicateTxs}   target 0`);
    console.log(`stuck          ${result.stuck}   target 0`);
    console.log(`self exits     ${result.selfExits}   (restarted like the compose file's restart policy)`);
    if (REORGS > 0)
      console.log(
        `reorgs         ${result.reorgs} (depths ${result.reorgDepths.join(", ")}), ${result.reorgsDroppingOracleTxs} forgetting the oracle's transactions (${result.oracleTxsForgotten} forgotten), confirmations ${result.confirmations}`,
      );
    console.log(
      `settle latency p50 ${result.p50SettleSeconds} s, p95 ${result.p95SettleSeconds} s (accepted → DealSettled seen)`,
    );
  }
} finally {
  child?.kill("SIGKILL");
  await proxy.close();
  await chain.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
