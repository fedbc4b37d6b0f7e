import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { hexlify, randomBytes } from "ethers";
import { SimulatorBackend } from "../../oracle/tee/simulator.ts";
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
        json: true,
      }),
    );
    expect(dep.verifierKind).to.equal("simulated");
    const reg = JSON.parse(
      await runTask("oracle:register", { tee: "simulator", seedFile, endpoint: "", json: true }),
    );
    expect(reg.measurementId).to.equal(sim.measurementId());

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
        account: "0",
        json: true,
      }),
    );
    expect(existsSync(join(dir, "delivery.key"))).to.equal(true);
    const accepted = JSON.parse(
      await runTask("deal:accept", {
        dealId: created.dealId,
        floor: "0.5",
        description: "csv",
        location: pathToFileURL(join(dir, "d.enc")).href,
        keyFile,
        chunkSize: "4096",
        eml: "",
        account: "1",
        json: true,
      }),
    );
    expect(accepted.txHash).to.match(/^0x/);
    const status = JSON.parse(await runTask("deal:status", { dealId: created.dealId, json: true }));
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
    const after = JSON.parse(await runTask("deal:status", { dealId: created.dealId, json: true }));
    expect([after.state, after.escrow, after.unwithdrawn]).to.deep.equal([
      "Refunded",
      "1.5",
      { buyer: "0.0", seller: "0.0" },
    ]);
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
    await rejects(runTask("deal:status", { dealId: "123", json: true }), /does not exist/);
    await rejects(runTask("deal:status", { dealId: "x", json: true }), /decimal deal id/);
    await rejects(
      runTask("deal:create", {
        seller: "0x" + "11".repeat(20),
        dataRoot: hexlify(randomBytes(32)),
        escrow: "1",
        budget: "2",
        requirements: "r",
        hours: "1",
        deliveryKeyOut: join(dir, "k"),
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
        json: true,
      }),
      /--verifier-kind/,
    );
  });
});
