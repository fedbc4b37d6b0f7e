import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { hexlify, randomBytes } from "ethers";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { createApi } from "../../oracle/api/server.ts";
import { Store } from "../../oracle/daemon/store.ts";
import { viemClientFor } from "../../oracle/chain/viem-client.ts";
import { connectDealProof } from "../../oracle/chain/dealproof.ts";
import { deploymentPath, readDeployment } from "../../oracle/chain/deployment.ts";
import { dealContext, dealIdHex, taskDeployment } from "../../tasks/actions/context.ts";
import { publishListing } from "../../sdk/src/listings.ts";
import { rejects } from "../helpers.ts";

/** Runs a task and returns what it printed. */
async function runTask(name: string, args: Record<string, unknown>): Promise<string> {
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  try {
    await hre.tasks.getTask(name).run(args);
  } finally {
    console.log = log;
  }
  return out.join("\n");
}

/** Where nothing listens: an oracle that is down. */
const DOWN = "http://127.0.0.1:9";

/**
 * The oracle's real HTTP API (no daemon behind it) for the tasks' pre-flight check, serving the
 * keys DealProof has registered, or another signer's to play an oracle that is not the registered one.
 */
async function startOracleApi(other = false) {
  const connection = await hre.network.getOrCreate();
  const deployment = readDeployment(deploymentPath(hre.config.paths.root, connection.networkName));
  const current = await connectDealProof(deployment.dealProof, connection.ethers.provider).currentOracle();
  const api = createApi({
    store: new Store(":memory:"),
    deployment,
    teeMode: "simulator",
    settleMode: "signature",
    signer: other ? "0x" + "11".repeat(20) : current.signer,
    encryptionKey: current.encryptionKey,
    measurementId: current.measurementId,
    registrationExpiresAt: () => current.expiresAt,
    publicUrl: "http://127.0.0.1",
    corsOrigins: [],
    chainClient: viemClientFor(connection.ethers.provider),
  });
  const url = await api.listen(0, "127.0.0.1");
  const close = () =>
    new Promise<void>((r) => (api.server.closeAllConnections(), api.server.close(() => r())));
  return { url, close };
}

/** deal:status arguments; the oracle URL points at a closed port (its view is optional). */
const statusArgs = (dealId: string) => ({
  dealId,
  oracle: DOWN,
  wait: false,
  timeout: "600",
  json: true,
});

describe("Hardhat tasks on the in-process network", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "dealproof-tasks-"));
  const seedFile = join(dir, "seed");
  let oracle: Awaited<ReturnType<typeof startOracleApi>>;
  after(() => oracle?.close());

  it("deploy → oracle:register → dataset:encrypt → deal:create → deal:accept → deal:status", async () => {
    const sim = SimulatorBackend.fromSeedFile(seedFile);
    const dep = JSON.parse(
      await runTask("deploy", {
        verifierKind: "",
        verifier: "",
        ttl: "604800",
        attestationKey: hexlify(sim.attestationPublicKey()),
        measurement: sim.measurementId(),
        seedFile,
        json: true,
      }),
    );
    expect(dep.verifierKind).to.equal("simulated");
    const reg = JSON.parse(
      await runTask("oracle:register", { tee: "simulator", seedFile, endpoint: "", json: true }),
    );
    expect(reg.measurementId).to.equal(sim.measurementId());
    oracle = await startOracleApi();
    // a typo in the seed path is an error, never a new oracle identity (and no directory is made)
    await rejects(
      runTask("oracle:register", {
        tee: "simulator",
        seedFile: join(dir, "typo", "seed"),
        endpoint: "",
        json: true,
      }),
      /did not give the oracle's identity and quote: no simulator seed at .*\nhint: check the path/,
    );
    expect(existsSync(join(dir, "typo"))).to.equal(false);

    const plain = join(dir, "d.csv");
    writeFileSync(plain, "a,b\n1,2\n");
    const keyFile = join(dir, "dataset.key");
    const enc = JSON.parse(
      await runTask("dataset:encrypt", {
        path: plain,
        out: join(dir, "d.enc"),
        key: "",
        keyOut: keyFile,
        chunkSize: "4096",
        force: false,
        json: true,
      }),
    );
    expect(enc).to.not.have.property("key"); // the key went to the file, not the terminal
    expect(readFileSync(keyFile, "utf8").trim()).to.match(/^0x[0-9a-f]{64}$/);

    const [buyer0, seller] = await (await hre.network.getOrCreate()).ethers.getSigners();
    const createArgs = (over: Record<string, unknown> = {}) => ({
      seller: seller!.address,
      dataRoot: enc.root,
      escrow: "1.5",
      budget: "1",
      requirements: "small csv",
      hours: "2",
      deliveryKeyOut: join(dir, "delivery.key"),
      force: false,
      account: "0",
      json: true,
      oracle: oracle.url,
      skipOracleCheck: false,
      ...over,
    });
    // the oracle down, or up but not the registered one: refused before the key file or the escrow
    const provider = (await hre.network.getOrCreate()).ethers.provider;
    const balance0 = await provider.getBalance(buyer0!.address);
    await rejects(
      runTask("deal:create", createArgs({ oracle: DOWN })),
      /the oracle does not answer \(cannot reach the oracle at http:\/\/127\.0\.0\.1:9\/health .*\): a deal made now would wait for it until its deadline\nhint: nothing has moved; .*--skip-oracle-check/,
    );
    const impostor = await startOracleApi(true);
    try {
      await rejects(
        runTask("deal:create", createArgs({ oracle: impostor.url })),
        /is not the oracle registered on DealProof .*could neither open your sealed input nor settle the deal/,
      );
    } finally {
      await impostor.close();
    }
    expect(existsSync(join(dir, "delivery.key"))).to.equal(false);
    expect(await provider.getBalance(buyer0!.address)).to.equal(balance0);
    const created = JSON.parse(await runTask("deal:create", createArgs()));
    expect(existsSync(join(dir, "delivery.key"))).to.equal(true);
    expect(created.dealIdHex).to.equal("0x" + BigInt(created.dealId).toString(16).padStart(64, "0"));
    // the key file of that deal is never replaced silently, and the refusal comes before any escrow moves
    const keyBefore = readFileSync(join(dir, "delivery.key"), "utf8");
    const connection0 = await hre.network.getOrCreate();
    const [buyer] = await connection0.ethers.getSigners();
    const balanceBefore = await connection0.ethers.provider.getBalance(buyer!.address);
    await rejects(
      runTask("deal:create", createArgs({ hours: "3" })),
      /exists already: choose another file, or add --force/,
    );
    expect(readFileSync(join(dir, "delivery.key"), "utf8")).to.equal(keyBefore);
    expect(await connection0.ethers.provider.getBalance(buyer!.address)).to.equal(balanceBefore);
    // a wrong dataset key is refused before acceptDeal (the oracle would close the deal "no agreement")
    const wrongKey = join(dir, "wrong.key");
    writeFileSync(wrongKey, hexlify(randomBytes(32)));
    await rejects(
      runTask("deal:accept", {
        dealId: created.dealIdHex,
        floor: "0.5",
        description: "csv",
        location: pathToFileURL(join(dir, "d.enc")).href,
        keyFile: wrongKey,
        eml: "",
        account: "1",
        json: true,
        oracle: oracle.url,
        skipOracleCheck: false,
      }),
      /does not pass the oracle's check.*wrong dataset key/,
    );
    await rejects(
      runTask("deal:accept", {
        dealId: created.dealIdHex,
        floor: "0.5",
        description: "csv",
        location: pathToFileURL(join(dir, "d.enc")).href,
        keyFile,
        eml: "",
        account: "2",
        json: true,
        oracle: oracle.url,
        skipOracleCheck: false,
      }),
      /names seller .* pick that signer with --account/,
    );
    const acceptArgs = {
      dealId: created.dealIdHex,
      floor: "0.5",
      description: "csv",
      location: pathToFileURL(join(dir, "d.enc")).href,
      keyFile,
      eml: "",
      account: "1",
      json: true,
      oracle: DOWN,
      skipOracleCheck: false,
    };
    await rejects(runTask("deal:accept", acceptArgs), /the oracle does not answer .*127\.0\.0\.1:9/);
    expect(JSON.parse(await runTask("deal:status", statusArgs(created.dealIdHex))).state).to.equal("Open");
    const accepted = JSON.parse(
      await runTask("deal:accept", {
        dealId: created.dealIdHex, // hex, as events show it
        floor: "0.5",
        description: "csv",
        location: pathToFileURL(join(dir, "d.enc")).href,
        keyFile,
        eml: "",
        account: "1",
        json: true,
        oracle: oracle.url,
        skipOracleCheck: false,
      }),
    );
    expect([accepted.txHash.slice(0, 2), accepted.chunkSize]).to.deep.equal(["0x", 4096]); // from the header
    const listed = JSON.parse(
      await runTask("deals:list", { buyer: "", seller: "", account: "1", json: true }),
    );
    expect(
      listed.deals.map((d: { dealIdHex: string; state: string }) => [d.dealIdHex, d.state]),
    ).to.deep.equal([[created.dealIdHex, "Accepted"]]);
    const none = JSON.parse(await runTask("deals:list", { buyer: "", seller: "", account: "3", json: true }));
    expect(none.deals).to.deep.equal([]);
    // listings:list: none yet, then the seller's published listing with its price, status, sales
    const noListings = JSON.parse(await runTask("listings:list", { seller: "", account: "0", json: true }));
    expect(noListings.listings).to.deep.equal([]);
    const { dp: sellerDp, signer: sellerSigner } = await dealContext(hre, "1");
    const published = await publishListing(sellerDp, sellerSigner, {
      dataRoot: hexlify(randomBytes(32)),
      mode: "Posted",
      postedPriceWei: 10n ** 17n,
      chunkSize: 4096,
      chunkCount: 1,
      byteSize: 100,
      metadataURI: "ipfs://bafy-tasks",
      input: {
        floorWei: "0",
        description: "rows",
        dataset: { location: "https://example.com/x.enc", key: hexlify(randomBytes(32)), chunkSize: 4096 },
      },
    });
    const listings = JSON.parse(await runTask("listings:list", { seller: "", account: "0", json: true }));
    expect(listings.listings).to.deep.equal([
      {
        listingId: dealIdHex(published.listingId),
        seller: await sellerSigner.getAddress(),
        mode: "Posted",
        price: "0.1",
        status: "Active",
        version: 1,
        sales: 0,
        metadataURI: "ipfs://bafy-tasks",
      },
    ]);
    const table = await runTask("listings:list", { seller: "", account: "0", json: false });
    expect(table).to.match(/Posted +0\.1 ETH +Active +v1 {2}0 sales/);
    const notASeller = await (await dealContext(hre, "3")).signer.getAddress();
    const otherSeller = JSON.parse(
      await runTask("listings:list", { seller: notASeller, account: "0", json: true }),
    );
    expect(otherSeller.listings).to.deep.equal([]);
    // listing:withdraw: only its seller, once; listings:list then reports it Withdrawn
    const withdrawArgs = (account: string) => ({
      listingId: dealIdHex(published.listingId),
      account,
      json: true,
    });
    await rejects(runTask("listing:withdraw", withdrawArgs("0")), /is 0x[0-9a-fA-F]{40}'s, not account/);
    const withdrawn = JSON.parse(await runTask("listing:withdraw", withdrawArgs("1")));
    expect([withdrawn.listingId, withdrawn.version]).to.deep.equal([dealIdHex(published.listingId), 1]);
    await rejects(runTask("listing:withdraw", withdrawArgs("1")), /is withdrawn already/);
    const afterWithdrawal = JSON.parse(
      await runTask("listings:list", { seller: "", account: "0", json: true }),
    );
    expect(afterWithdrawal.listings.map((l: { status: string }) => l.status)).to.deep.equal(["Withdrawn"]);
    const status = JSON.parse(await runTask("deal:status", statusArgs(created.dealId)));
    expect([status.state, status.escrow, status.dataRoot, status.settlement]).to.deep.equal([
      "Accepted",
      "1.5",
      enc.root,
      null,
    ]);

    // deal:withdraw: refused while live, then after a refund pays the buyer once
    const withdraw = (account: string, to = "") =>
      runTask("deal:withdraw", { dealId: created.dealId, to, account, json: true });
    await rejects(withdraw("0"), /is Accepted: payouts exist once it is settled or refunded/);
    const refund = () => runTask("deal:refund", { dealId: created.dealId, account: "2", json: true });
    await rejects(refund(), /can be refunded after its deadline/);
    const open = JSON.parse(
      await runTask("deal:create", createArgs({ hours: "1", deliveryKeyOut: join(dir, "open.key") })),
    );
    const live = JSON.parse(await runTask("deal:status", statusArgs(open.dealIdHex)));
    expect([live.state, live.refundable, live.next]).to.deep.equal(["Open", false, null]);
    // the oracle's view is optional, and when it is down the status says where it looked
    expect(live.oracle.unavailable).to.match(/cannot reach the oracle at http:\/\/127\.0\.0\.1:9\/deals\//);
    const connection = await hre.network.getOrCreate();
    await connection.networkHelpers.time.increase(3 * 3600);
    const expired = JSON.parse(await runTask("deal:status", statusArgs(open.dealIdHex)));
    expect([expired.state, expired.refundable]).to.deep.equal(["Open", true]);
    expect(expired.next).to.equal(
      `past its deadline: refundable with npx hardhat deal:refund ${open.dealIdHex}`,
    );
    const text = await runTask("deal:status", { ...statusArgs(open.dealIdHex), json: false });
    expect(text).to.include(
      `deal ${open.dealIdHex}: Open, past its deadline: refundable with npx hardhat deal:refund`,
    );
    const refunded = JSON.parse(await refund()); // anyone may trigger it: here a third account
    expect(refunded.buyerPayout).to.equal("1.5");
    await rejects(refund(), /already Refunded: there is nothing to refund/);
    await rejects(
      runTask("deal:refund", { dealId: "77", account: "0", json: true }),
      /deal 0x0{62}4d does not exist/, // ids are read in hex everywhere, whatever was typed
    );
    await rejects(withdraw("1"), /nothing to withdraw: the seller's payout/);
    await rejects(withdraw("2"), /is neither the buyer nor the seller/);
    await rejects(withdraw("0", "0x1234"), /--to must be an address/);
    const stranger = (await connection.ethers.getSigners())[5]!.address;
    const before = await connection.ethers.provider.getBalance(stranger);
    const paid = JSON.parse(await withdraw("0", stranger));
    expect([paid.role, paid.amount, paid.to]).to.deep.equal(["buyer", "1.5", stranger]);
    expect((await connection.ethers.provider.getBalance(stranger)) - before).to.equal(15n * 10n ** 17n);
    await rejects(withdraw("0"), /nothing to withdraw: the buyer's payout/);
    const after = JSON.parse(await runTask("deal:status", statusArgs(created.dealId)));
    expect([after.state, after.escrow, after.unwithdrawn]).to.deep.equal([
      "Refunded",
      "1.5",
      { buyer: "0.0", seller: "0.0" },
    ]);
  });

  it("listing:publish → deal:create --listing → listing:update, each refusal before anything is sent", async () => {
    const connection = await hre.network.getOrCreate();
    const provider = connection.ethers.provider;
    const plain = join(dir, "listed.csv");
    writeFileSync(plain, "city,count\nParis,3\nLyon,5\n");
    const keyFile = join(dir, "listed.key");
    const enc = JSON.parse(
      await runTask("dataset:encrypt", {
        path: plain,
        out: join(dir, "listed.enc"),
        key: "",
        keyOut: keyFile,
        chunkSize: "4096",
        force: false,
        json: true,
      }),
    );
    const publishArgs = (over: Record<string, unknown> = {}) => ({
      dataRoot: enc.root,
      floor: "",
      postedPrice: "0.2",
      description: "city counts",
      location: pathToFileURL(join(dir, "listed.enc")).href,
      keyFile,
      eml: "",
      metadataUri: "ipfs://bafy-listed",
      days: "",
      account: "1",
      json: true,
      oracle: oracle.url,
      skipOracleCheck: false,
      ...over,
    });
    const listedNow = async () =>
      JSON.parse(await runTask("listings:list", { seller: "", account: "0", json: true })).listings.length;
    const listingsBefore = await listedNow();
    // bad options and a dataset that fails the oracle's check: refused, nothing published
    await rejects(
      runTask("listing:publish", publishArgs({ dataRoot: "0x12" })),
      /--data-root must be the 32-byte root/,
    );
    await rejects(
      runTask("listing:publish", publishArgs({ metadataUri: "ftp://x" })),
      /--metadata-uri must be an https/,
    );
    await rejects(runTask("listing:publish", publishArgs({ days: "soon" })), /--days must be a whole number/);
    const wrongKey = join(dir, "listed-wrong.key");
    writeFileSync(wrongKey, hexlify(randomBytes(32)));
    await rejects(
      runTask("listing:publish", publishArgs({ keyFile: wrongKey })),
      /does not pass the oracle's check/,
    );
    await rejects(runTask("listing:publish", publishArgs({ oracle: DOWN })), /the oracle does not answer/);
    expect(await listedNow()).to.equal(listingsBefore);

    const published = JSON.parse(await runTask("listing:publish", publishArgs()));
    expect([published.version, published.mode, published.price, published.dataRoot]).to.deep.equal([
      1,
      "Posted",
      "0.2",
      enc.root,
    ]);
    const { dp, signer: sellerSigner } = await dealContext(hre, "1");
    const onChain = await dp.getListing(BigInt(published.listingId));
    // sealed to the key the registered oracle carries now, at the posted price, for this root
    expect([onChain.postedPrice, onChain.dataRoot, onChain.encryptionKey]).to.deep.equal([
      2n * 10n ** 17n,
      enc.root,
      (await dp.currentOracle()).encryptionKey,
    ]);
    await rejects(
      runTask("listing:publish", publishArgs()),
      /you have a live listing of this data root already/,
    );

    const buyArgs = (over: Record<string, unknown> = {}) => ({
      listing: published.listingId,
      seller: "",
      dataRoot: "",
      escrow: "0.5",
      budget: "0.3",
      requirements: "city counts",
      hours: "2",
      deliveryKeyOut: join(dir, "listing-buy.key"),
      force: false,
      account: "2",
      json: true,
      requireSellerDomain: false,
      sellerDomain: "",
      oracle: oracle.url,
      skipOracleCheck: false,
      checks: "",
      ...over,
    });
    const buyer = (await connection.ethers.getSigners())[2]!;
    const balance = await provider.getBalance(buyer.address);
    await rejects(
      runTask("deal:create", buyArgs({ seller: sellerSigner.address })),
      /--listing names the seller and the data root/,
    );
    await rejects(
      runTask("deal:create", buyArgs({ escrow: "0.1", budget: "0.1" })),
      /below listing 0x[0-9a-f]{64}'s posted price of 0\.2 ETH/,
    );
    await rejects(
      runTask("deal:create", buyArgs({ budget: "0.1" })),
      /--budget 0\.1 ETH is below .* no agreement/,
    );
    await rejects(runTask("deal:create", buyArgs({ account: "1" })), /is your own/);
    expect(existsSync(join(dir, "listing-buy.key"))).to.equal(false);
    expect(await provider.getBalance(buyer.address)).to.equal(balance);

    const bought = JSON.parse(await runTask("deal:create", buyArgs()));
    expect([bought.listingId, bought.listingVersion, bought.escrow]).to.deep.equal([
      published.listingId,
      1,
      "0.5",
    ]);
    expect(existsSync(join(dir, "listing-buy.key"))).to.equal(true);
    const deal = await dp.getDeal(BigInt(bought.dealId));
    expect([deal.buyer, deal.seller, deal.escrow, deal.state]).to.deep.equal([
      buyer.address,
      sellerSigner.address,
      5n * 10n ** 17n,
      2n, // Accepted from its creation: the seller is already in
    ]);

    // listing:update: only its seller; the next version, and the sale is counted
    const updateArgs = (over: Record<string, unknown> = {}) => {
      const { dataRoot: _, ...rest } = publishArgs(over);
      return { ...rest, listingId: published.listingId };
    };
    await rejects(
      runTask("listing:update", updateArgs({ account: "2" })),
      /is 0x[0-9a-fA-F]{40}'s, not account/,
    );
    const updated = JSON.parse(
      await runTask("listing:update", updateArgs({ postedPrice: "", floor: "0.1" })),
    );
    expect([updated.version, updated.mode, updated.price]).to.deep.equal([2, "Negotiated", null]);
    const row = JSON.parse(
      await runTask("listings:list", { seller: sellerSigner.address, account: "0", json: true }),
    ).listings.find((l: { listingId: string }) => l.listingId === published.listingId);
    expect([row.version, row.mode, row.sales, row.status]).to.deep.equal([2, "Negotiated", 1, "Active"]);
    // withdrawn: no longer buyable, refused before the key file and the escrow
    await runTask("listing:withdraw", { listingId: published.listingId, account: "1", json: true });
    await rejects(
      runTask("listing:update", updateArgs()),
      /is withdrawn: publish it again with listing:publish/,
    );
    const balance2 = await provider.getBalance(buyer.address);
    await rejects(
      runTask("deal:create", buyArgs({ deliveryKeyOut: join(dir, "listing-buy2.key") })),
      /cannot be bought: it is Withdrawn/,
    );
    expect(existsSync(join(dir, "listing-buy2.key"))).to.equal(false);
    expect(await provider.getBalance(buyer.address)).to.equal(balance2);
    // published again: its next version
    const again = JSON.parse(await runTask("listing:publish", publishArgs()));
    expect([again.listingId, again.version]).to.deep.equal([published.listingId, 3]);
  });

  it("measurement:disallow withdraws a measurement by its id alone; only the owner may", async () => {
    const m = SimulatorBackend.fromSeedFile(seedFile).measurementId();
    const dis = (account: string, id = m) =>
      runTask("measurement:disallow", { measurementId: id, account, json: true });
    await rejects(
      dis("1"),
      /OwnableUnauthorizedAccount\(account=0x[0-9a-fA-F]{40}\)\nhint: only DealProof's owner/,
    );
    await rejects(dis("0", "0x12"), /0x followed by 64 hex digits/);
    expect(JSON.parse(await dis("0")).measurementId).to.equal(m);
    await rejects(dis("0"), /is not allowed on this DealProof: nothing to do/);
  });

  it("tee:simulator-pki writes the simulator's root CA and collateral, and verify-quote accepts its quote with them", async () => {
    const out = join(dir, "pki");
    const r = JSON.parse(await runTask("tee:simulator-pki", { seedFile, outDir: out, json: true }));
    expect(r.rootCa).to.equal(join(out, "root-ca.pem"));
    const sim = SimulatorBackend.fromSeedFile(seedFile);
    const quoteFile = join(dir, "q.hex");
    writeFileSync(quoteFile, hexlify((await sim.getQuote(new Uint8Array(64).fill(1))).quote));
    const verdict = JSON.parse(
      await runTask("verify-quote", {
        quote: quoteFile,
        collateral: r.collateral,
        rootCa: r.rootCa,
        now: "",
        eventLog: "",
        simulatorKey: "",
        reportData: "01".repeat(64),
        composeHash: "",
        json: true,
      }),
    );
    expect([verdict.ok, verdict.mode, verdict.tcbStatus]).to.deep.equal([true, "simulated", "UpToDate"]);
    await rejects(
      runTask("tee:simulator-pki", { seedFile, outDir: "", json: true }),
      /--out-dir is required/,
    );
    await rejects(
      runTask("tee:simulator-pki", { seedFile: join(dir, "absent"), outDir: out, json: true }),
      /no simulator seed at/,
    );
  });

  it("a task run without --network names the flag to add, not a missing deployments/default.json", () => {
    const empty = mkdtempSync(join(tmpdir(), "dealproof-nonet-"));
    const fakeHre = { config: { paths: { root: empty } } } as unknown as Parameters<typeof taskDeployment>[0];
    const e = (() => {
      try {
        taskDeployment(fakeHre, "default");
      } catch (err) {
        return err as Error & { hint?: string };
      }
      return undefined;
    })();
    expect(e?.message).to.equal("no --network given: this task needs the network DealProof is deployed on");
    expect(e?.hint).to.match(/add --network localhost .* or --network sepolia/);
    // a named network with no deployment still says to deploy first
    expect(() => taskDeployment(fakeHre, "localhost")).to.throw(
      /cannot read deployment file .*localhost\.json/,
    );
  });

  it("refuses bad arguments with messages that say what to fix", async () => {
    await rejects(runTask("deal:status", statusArgs("123")), /does not exist/);
    await rejects(runTask("deal:status", statusArgs("0x7b")), /does not exist/);
    await rejects(runTask("deal:status", statusArgs("x")), /hex \(0x…, as events show it\) or decimal/);
    await rejects(
      runTask("deal:create", {
        seller: "0x" + "11".repeat(20),
        dataRoot: hexlify(randomBytes(32)),
        escrow: "1",
        budget: "2",
        requirements: "r",
        hours: "1",
        deliveryKeyOut: join(dir, "k"),
        force: false,
        account: "0",
        json: true,
      }),
      /--budget cannot exceed --escrow/,
    );
    await rejects(
      runTask("deal:create", {
        seller: "0x" + "11".repeat(20),
        dataRoot: hexlify(randomBytes(32)),
        escrow: "1",
        budget: "0.5",
        requirements: "r",
        hours: "1",
        deliveryKeyOut: join(dir, "k"),
        sellerDomain: "not a domain",
        account: "0",
        json: true,
      }),
      /--seller-domain must be a domain name/,
    );
    await rejects(
      runTask("deploy", {
        verifierKind: "nope",
        verifier: "",
        ttl: "1",
        attestationKey: "",
        measurement: "",
        seedFile,
        json: true,
      }),
      /--verifier-kind/,
    );
  });
});
