import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { hexlify, randomBytes } from "ethers";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
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

/** deal:status arguments; the oracle URL points at a closed port (its view is optional). */
const statusArgs = (dealId: string) => ({
  dealId,
  oracle: "http://127.0.0.1:9",
  wait: false,
  timeout: "600",
  json: true,
});

describe("Hardhat tasks on the in-process network", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "dealproof-tasks-"));
  const seedFile = join(dir, "seed");

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

    const [, seller] = await (await hre.network.getOrCreate()).ethers.getSigners();
    const created = JSON.parse(
      await runTask("deal:create", {
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
      }),
    );
    expect(existsSync(join(dir, "delivery.key"))).to.equal(true);
    expect(created.dealIdHex).to.equal("0x" + BigInt(created.dealId).toString(16).padStart(64, "0"));
    // the key file of that deal is never replaced silently, and the refusal comes before any escrow moves
    const keyBefore = readFileSync(join(dir, "delivery.key"), "utf8");
    const connection0 = await hre.network.getOrCreate();
    const [buyer] = await connection0.ethers.getSigners();
    const balanceBefore = await connection0.ethers.provider.getBalance(buyer!.address);
    await rejects(
      runTask("deal:create", {
        seller: seller!.address,
        dataRoot: enc.root,
        escrow: "1.5",
        budget: "1",
        requirements: "small csv",
        hours: "3",
        deliveryKeyOut: join(dir, "delivery.key"),
        force: false,
        account: "0",
        json: true,
      }),
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
      }),
      /names seller .* pick that signer with --account/,
    );
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
    const connection = await hre.network.getOrCreate();
    await connection.networkHelpers.time.increase(3 * 3600);
    const refunded = JSON.parse(await refund()); // anyone may trigger it: here a third account
    expect(refunded.buyerPayout).to.equal("1.5");
    await rejects(refund(), /already Refunded: there is nothing to refund/);
    await rejects(runTask("deal:refund", { dealId: "77", account: "0", json: true }), /does not exist/);
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
