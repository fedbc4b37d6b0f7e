/**
 * A listing flood by one seller against the oracle as a REAL process (issue 25, DESIGN.md §9 "no
 * party can make another wait", §11): a local Hardhat node with DealProof, one oracle daemon
 * (oracle/simulator/main.ts, scripts/lib/replica-fleet.ts) logging to a file, and a data server
 * that answers every dataset after a delay, so each verification takes about a second. One seller
 * publishes 20 listings in quick succession, then a second seller publishes 1 and a buyer buys it.
 * From the daemon's own log (each start with the queue's counts, each stored record with its hash):
 *   - fairness: the second seller's record is stored while the flood is still being verified, and
 *     at most `MAX_RUNNING` of the flooder's verifications start between its publication and its
 *     start (the poll that sees it; after that the first free slot is its);
 *   - the cap: never more than MAX_RUNNING verifications at once, the flooder never more than one
 *     while the second seller's runs, and the logged counts agree with the starts and ends seen;
 * then the oracle is SIGKILLed while verifications are in flight and started again on the same
 * store: every one of the 21 versions ends with exactly one stored record (its API serves one, at
 * most one "listing verified" across both runs and the served record is the one logged, a version
 * recorded before the kill is not verified again), each record's signature verifies against the
 * oracle's signer (trusted by the contract), and the deal bought during the flood settles once.
 * (pino writes asynchronously: a SIGKILL can lose the last log lines, never a stored record; so
 * a version in flight at the kill may have its record and no line.)
 */
import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createReadStream } from "node:fs";
import { waitFor } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { createFleet, fundedSenders, sharedReplicaEnv, type Fleet } from "../../scripts/lib/replica-fleet.ts";
import { agreeable, startFakeAnthropic } from "../../scripts/lib/fake-anthropic.ts";
import { prepareDataset, type SellerDataset } from "../../scripts/lib/seller-kit.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { POSTED, buyListing, publishListing, type ListingArgs } from "../../scripts/lib/listing-kit.ts";
import { at } from "../../scripts/lib/at.ts";
import { dealProofDomain } from "../../sdk/src/eip712.ts";
import { verifyVerifiedListing, type SignedVerifiedListing } from "../../sdk/src/verified-listing.ts";

const vision = scenarioByName("vision");
const PRICE = units(vision.floorUnits);
/** The daemon's default verification slots (listing-verification.ts). */
const MAX_RUNNING = 2;
const FLOOD = 20;
/** How long the data server waits before answering a dataset: one verification's length, about. */
const SERVE_DELAY_MS = 1000;

interface Line {
  msg: string;
  listingId?: string;
  version?: number;
  seller?: string;
  running?: number;
  sellerRunning?: number;
  recordHash?: string;
  signer?: string;
}

const keyOf = (l: Line) => `${BigInt(l.listingId!)}:${l.version}`;

describe("a listing flood by one seller, against the oracle process", function () {
  this.timeout(120_000);
  let env: Env;
  let server: Server;
  let base: string;
  let fleet: Fleet | undefined;
  let model: Awaited<ReturnType<typeof startFakeAnthropic>> | undefined;
  const files = new Map<string, string>();
  // registered before useLocalChain: the oracle and the servers stop before the chain does
  after(async () => {
    await fleet?.stopAll();
    await model?.close();
    server?.closeAllConnections();
    server?.close();
  });
  useLocalChain((e) => (env = e));
  before(async () => {
    server = createServer((req, res) => {
      const path = files.get((req.url ?? "/").slice(1));
      setTimeout(() => {
        if (path === undefined) return void res.writeHead(404).end();
        res.writeHead(200, { "content-type": "application/octet-stream" });
        createReadStream(path).pipe(res);
      }, SERVE_DELAY_MS);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    model = await startFakeAnthropic(agreeable);
  });

  async function dataset(tag: string, rows: number): Promise<SellerDataset> {
    const ds = await prepareDataset(env.dir, vision, { rows, tag });
    files.set(`${tag}.enc`, ds.encPath);
    return { ...ds, location: `${base}/${tag}.enc` };
  }
  const listing = (ds: SellerDataset): ListingArgs => ({
    dataset: ds,
    mode: POSTED,
    postedPriceWei: PRICE,
    input: { floorWei: PRICE.toString(), description: vision.sellerDescription },
  });

  it("the second seller is verified within the flood; the flooder holds at most the cap; a SIGKILL mid-flood loses and doubles nothing", async () => {
    const flooder = at(env.signers, 3);
    const other = at(env.signers, 4);
    const buyer = at(env.signers, 5);
    const floodSets: SellerDataset[] = [];
    for (let i = 0; i < FLOOD; i++) floodSets.push(await dataset(`flood-${i}`, 60 + i));
    const otherSet = await dataset("other", 90);

    const [sender] = await fundedSenders(at(env.signers, 0), 1, 0xf100dn, "10");
    fleet = await createFleet(
      {
        dir: join(env.dir, "flood-oracle"),
        env: {
          ...sharedReplicaEnv({
            deploymentFile: env.deploymentFile,
            seedFile: env.seedFile,
            takeoverS: 30,
            modelBaseURL: model!.baseURL,
            apiKey: "sk-test-local",
          }),
          DEALPROOF_RPC_URL: env.rpcUrl,
          DEALPROOF_POLL_MS: "50",
          DEALPROOF_RPC_POLL_MS: "50",
        },
      },
      [sender!],
    );
    const replica = fleet.replicas[0]!;
    const logPath = join(env.dir, "flood-oracle", replica.instanceId, "oracle.log");
    const log = (): string => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
    const lines = (text = log()): Line[] =>
      text
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Line);
    const verified = (ls: Line[]) => ls.filter((l) => l.msg === "listing verified");

    await fleet.start(0);
    await fleet.ready(0, 60_000);

    // the flood: 20 listings by one seller, each published as soon as the last is mined
    const flood: bigint[] = [];
    for (const ds of floodSets) flood.push((await publishListing(env.dp, flooder, listing(ds))).listingId);
    const mine = (await publishListing(env.dp, other, listing(otherSet))).listingId;
    const publishedAt = log().length; // everything the daemon logged before the second seller's listing existed
    const deal = await buyListing(env.dp, buyer, {
      listingId: mine,
      version: 1,
      escrowWei: units(vision.escrowUnits),
      budgetWei: units(vision.budgetUnits),
      requirements: vision.buyerRequirements,
    });
    const sellerOf = (l: Line) => (BigInt(l.listingId!) === mine ? "other" : "flooder");
    const otherKey = `${mine}:1`;

    await waitFor(
      "the second seller's record",
      () => verified(lines()).some((l) => keyOf(l) === otherKey) || undefined,
      60_000,
    );
    const atMine = log();
    // a real flood: when the second seller published, at least 5 of the flooder's versions had no record
    const floodDoneBefore = verified(lines(atMine.slice(0, publishedAt))).length;
    expect(floodDoneBefore, "flooder records before the second seller published").to.be.at.most(FLOOD - 5);
    // fairness, from the log as the second seller's record was stored: at most MAX_RUNNING flooder
    // verifications started between its publication and its start (the poll that sees it), and
    // its record was stored before the flooder's were all
    const startsSince = lines(atMine.slice(publishedAt)).filter(
      (l) => l.msg === "listing verification started",
    );
    const beforeMine = startsSince.findIndex((l) => sellerOf(l) === "other");
    expect(beforeMine, "flooder starts after the second seller's publication, before its start").to.be.within(
      0,
      MAX_RUNNING,
    );
    const order = verified(lines(atMine)).map(sellerOf);
    const floodBeforeMine = order.indexOf("other");
    // before its record: the flooder's done before it was published, the ones running then, the
    // ones started in the poll that saw it, and at most one that ran beside it
    expect(floodBeforeMine, `record order ${order.join(",")}`).to.be.within(
      0,
      Math.min(FLOOD - 1, floodDoneBefore + MAX_RUNNING + beforeMine + 1),
    );

    // SIGKILL while verifications are in flight (a start with no end yet)
    await waitFor(
      "a verification in flight",
      () => {
        const ls = lines();
        const ended = new Set(verified(ls).map(keyOf));
        return ls.some((l) => l.msg === "listing verification started" && !ended.has(keyOf(l))) || undefined;
      },
      30_000,
    );
    await fleet.kill(0);
    const firstRun = log();
    const run1 = lines(firstRun);
    const ended1 = new Set(verified(run1).map(keyOf));
    const inFlight = run1
      .filter((l) => l.msg === "listing verification started" && !ended1.has(keyOf(l)))
      .map(keyOf);
    expect(inFlight.length, "verifications in flight at the kill").to.be.greaterThan(0);

    // the restart on the same store finishes every version (read from its API: a log line can be
    // lost to a SIGKILL, pino writes asynchronously, a stored record cannot)
    await fleet.start(0);
    await fleet.listening(0);
    const keys = [...flood.map((id) => `${id}:1`), otherKey];
    const records = new Map<string, SignedVerifiedListing>();
    await waitFor(
      "all 21 records",
      async () => {
        for (const k of keys) {
          if (records.has(k)) continue;
          const view = (await (await fetch(`${replica.url}/listings/${k.split(":")[0]}`)).json()) as {
            versions: { version: number; record: SignedVerifiedListing | null }[];
          };
          const r = view.versions.find((v) => v.version === 1)?.record;
          if (r === null || r === undefined) return undefined;
          records.set(k, r);
        }
        return true;
      },
      60_000,
    );
    await waitFor(
      "the second run's log to catch up",
      () =>
        lines().filter((l) => l.msg === "listing verified").length >= keys.length - inFlight.length ||
        undefined,
    );
    const all = lines();

    // the cap, over both runs: replay every start and end in log order, per run
    let running = new Map<string, number>();
    let starts = 0;
    for (const l of all) {
      if (l.msg === "oracle started") running = new Map();
      if (l.msg === "listing verification started") {
        starts++;
        const s = sellerOf(l);
        running.set(s, (running.get(s) ?? 0) + 1);
        const total = [...running.values()].reduce((a, b) => a + b, 0);
        expect(total, "verifications at once").to.be.at.most(MAX_RUNNING);
        expect([l.running, l.sellerRunning], "the logged counts").to.deep.equal([total, running.get(s)]);
        if ((running.get("other") ?? 0) > 0)
          expect(running.get("flooder") ?? 0, "flooder slots while the other seller runs").to.be.at.most(1);
      }
      if (l.msg === "listing verified" || l.msg === "listing verification failed; it is tried again") {
        const s = sellerOf(l);
        running.set(s, running.get(s)! - 1);
      }
    }
    expect(starts).to.be.at.least(FLOOD + 1);

    // exactly one record per version, signed by the oracle's (trusted) signer: across both runs at
    // most one "listing verified" per version, and the served record is the one it logged; a
    // version whose record the first run logged is not verified again by the second
    const signer = all.find((l) => l.msg === "oracle started")!.signer!;
    expect(all.filter((l) => l.msg === "oracle started").every((l) => l.signer === signer)).to.equal(true);
    expect(await env.dp.isTrustedSigner(signer)).to.equal(true);
    const domain = dealProofDomain(BigInt(env.deployment.chainId), env.deployment.dealProof);
    const logged = verified(all);
    const run2 = lines(log().slice(firstRun.length));
    for (const k of keys) {
      const mineLogged = logged.filter((l) => keyOf(l) === k);
      expect(mineLogged.length, `records logged for ${k}`).to.be.at.most(1);
      if (!inFlight.includes(k)) expect(mineLogged.length, `records logged for ${k}`).to.equal(1);
      const served = records.get(k)!;
      if (mineLogged.length === 1) expect(served.recordHash).to.equal(mineLogged[0]!.recordHash);
      if (ended1.has(k))
        expect(run2.some((l) => l.msg === "listing verification started" && keyOf(l) === k)).to.equal(false);
      const [id] = k.split(":");
      const record = verifyVerifiedListing(served, domain, [signer]);
      expect([record.verdict, record.listingId, record.version]).to.deep.equal([
        "verified",
        `0x${BigInt(id!).toString(16).padStart(64, "0")}`,
        1,
      ]);
    }

    // the deal bought during the flood settles once
    await waitFor(
      "the listing deal's settlement",
      async () =>
        (await env.dp.queryFilter(env.dp.filters.DealSettled(deal.dealId))).length > 0 ? true : undefined,
      60_000,
    );
    expect((await env.dp.queryFilter(env.dp.filters.DealSettled(deal.dealId))).length).to.equal(1);
  });
});
