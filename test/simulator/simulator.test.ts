import { expect } from "chai";
import { network } from "hardhat";
import { mkdtempSync, statSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify, randomBytes } from "ethers";
import { SimulatorBackend, DEFAULT_IMAGE } from "../../oracle/simulator/backend.ts";
import { loadOracleIdentity, registrationQuote } from "../../oracle/tee/identity.ts";
import { parseQuote } from "../../oracle/quote/reader.ts";
import { verifyQuote } from "../../oracle/quote/verify.ts";
import {
  dealProofDomain,
  reportDataFor,
  settlementDigest,
  type Hex,
  type Settlement,
} from "../../sdk/src/eip712.ts";
import { deployDealProof } from "../../tasks/lib/deploy.ts";
import { at } from "../../scripts/lib/at.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "dealproof-sim-"));

describe("embedded TDX simulator", () => {
  it("creates its seed file once (0600) and derives the same keys after a restart", async () => {
    const file = join(tmp(), "seed");
    const a = SimulatorBackend.fromSeedFile(file);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const b = SimulatorBackend.fromSeedFile(file);
    expect(hexlify(await a.deriveKey("x"))).to.equal(hexlify(await b.deriveKey("x")));
    expect(hexlify(await a.deriveKey("x"))).to.not.equal(hexlify(await a.deriveKey("y")));
    expect(hexlify(a.attestationPublicKey())).to.equal(hexlify(b.attestationPublicKey()));
    expect(readFileSync(file).length).to.equal(32);
    const id1 = await loadOracleIdentity(a);
    const id2 = await loadOracleIdentity(b);
    expect([id1.address, id1.encryptionPublicKey]).to.deep.equal([id2.address, id2.encryptionPublicKey]);
  });

  it("produces quotes that round-trip through the reader and verify as simulated", async () => {
    const sim = new SimulatorBackend(randomBytes(32));
    const rd = randomBytes(64);
    const { quote, eventLog } = await sim.getQuote(rd);
    const q = parseQuote(quote);
    expect(hexlify(q.body.reportData)).to.equal(hexlify(rd));
    expect(q.header.teeType).to.equal(0x81);
    expect(q.signatureData.certificationDataType).to.equal(6);
    const v = verifyQuote(quote, {
      simulatorKeys: [sim.attestationPublicKey()],
      eventLog,
      expectedReportData: rd,
      expectedComposeHash: DEFAULT_IMAGE.composeHash,
    });
    expect(v.ok, JSON.stringify(v.checks)).to.equal(true);
    expect(v.mode).to.equal("simulated");
    expect(v.measurementId).to.equal(sim.measurementId());
    expect(v.appId).to.equal(DEFAULT_IMAGE.appId);
  });

  it("rejects another attestation key, a flipped bit, truncation and padding off-chain", async () => {
    const sim = new SimulatorBackend(randomBytes(32));
    const other = new SimulatorBackend(randomBytes(32));
    const { quote } = await sim.getQuote(new Uint8Array(64));
    const keys = [sim.attestationPublicKey()];
    expect(verifyQuote(quote, { simulatorKeys: [other.attestationPublicKey()] }).ok).to.equal(false);
    const flipped = Uint8Array.from(quote);
    flipped[100]! ^= 4;
    expect(verifyQuote(flipped, { simulatorKeys: keys }).ok).to.equal(false);
    expect(verifyQuote(quote.slice(0, quote.length - 10), { simulatorKeys: keys }).ok).to.equal(false);
    expect(verifyQuote(Uint8Array.from([...quote, 0]), { simulatorKeys: keys }).ok).to.equal(false);
  });

  it("changes its measurement id when the simulated image changes", () => {
    const seed = randomBytes(32);
    const a = new SimulatorBackend(seed);
    const b = new SimulatorBackend(seed, { ...DEFAULT_IMAGE, composeHash: "00".repeat(32) });
    expect(a.measurementId()).to.not.equal(b.measurementId());
    expect(() => new SimulatorBackend(seed, { ...DEFAULT_IMAGE, appId: "xyz" })).to.throw(/appId/);
  });

  it("refuses report data over 64 bytes", async () => {
    const sim = new SimulatorBackend(randomBytes(32));
    let err: unknown;
    await sim.getQuote(new Uint8Array(65)).catch((e: unknown) => (err = e));
    expect((err as Error).message).to.match(/at most 64 bytes/);
  });
});

describe("simulated quotes on-chain (SimulatedDcapVerifier + DealProof)", () => {
  async function setup() {
    const connection = await network.create();
    const { ethers } = connection;
    const sim = new SimulatorBackend(randomBytes(32));
    const d = await deployDealProof(connection, {
      networkName: "test",
      attestationKeys: [sim.attestationPublicKey()],
      measurements: [sim.measurementId()],
    });
    const signers = await ethers.getSigners();
    const dp = await ethers.getContractAt("DealProof", d.dealProof);
    const domain = dealProofDomain(BigInt(d.chainId), d.dealProof);
    return { connection, ethers, sim, dp, domain, buyer: at(signers, 1), seller: at(signers, 2), d };
  }

  it("registers the oracle identity with a registration quote, then settles a deal by quote and by signature", async () => {
    const { sim, dp, domain, buyer, seller, connection } = await setup();
    const id = await loadOracleIdentity(sim);
    const reg = await registrationQuote(
      sim,
      id,
      domain,
      BigInt(await connection.networkHelpers.time.latest()),
    );
    await expect(
      dp.registerOracle(id.address, id.encryptionPublicKey, id.instanceId, reg.issuedAt, reg.quote),
    ).to.emit(dp, "OracleRegistered");
    expect((await dp.currentOracle()).encryptionKey).to.equal(id.encryptionPublicKey);

    for (const path of ["quote", "signature"] as const) {
      const deadline = (await connection.networkHelpers.time.latest()) + 3600;
      const root = hexlify(randomBytes(32)) as Hex;
      const dealId: bigint = await dp.dealIdFor(buyer.address, seller.address, root, deadline);
      await dp.connect(buyer).createDeal(seller.address, root, deadline, "0x01", { value: 1000n });
      await dp.connect(seller).acceptDeal(dealId, "0x02");
      const s: Settlement = {
        dealId,
        agreed: true,
        price: 600n,
        termsHash: hexlify(randomBytes(32)) as Hex,
        dataRoot: root,
        transcriptHash: hexlify(randomBytes(32)) as Hex,
        delivery: "0xabcd",
      };
      const digest = settlementDigest(domain, s);
      if (path === "quote") {
        const { quote } = await sim.getQuote(reportDataFor(digest));
        // any other outcome is refused with the same quote
        await expect(dp.settleWithQuote({ ...s, price: 601n }, quote)).to.be.revertedWithCustomError(
          dp,
          "ReportDataMismatch",
        );
        await expect(dp.settleWithQuote(s, quote)).to.emit(dp, "DealSettled");
      } else {
        await expect(dp.settleWithSignature(s, id.signDigest(digest))).to.emit(dp, "DealSettled");
      }
    }
  });

  it("refuses a quote from a simulator whose key the verifier does not know, and a truncated or padded quote", async () => {
    const { dp, domain, connection } = await setup();
    const stranger = new SimulatorBackend(randomBytes(32));
    const id = await loadOracleIdentity(stranger);
    const reg = await registrationQuote(
      stranger,
      id,
      domain,
      BigInt(await connection.networkHelpers.time.latest()),
    );
    await expect(
      dp.registerOracle(id.address, id.encryptionPublicKey, id.instanceId, reg.issuedAt, reg.quote),
    ).to.be.revertedWithCustomError(dp, "VerifierRejected");
    await expect(
      dp.registerOracle(
        id.address,
        id.encryptionPublicKey,
        id.instanceId,
        reg.issuedAt,
        reg.quote.slice(0, -1),
      ),
    ).to.be.revertedWithCustomError(dp, "VerifierRejected");
    await expect(
      dp.registerOracle(
        id.address,
        id.encryptionPublicKey,
        id.instanceId,
        reg.issuedAt,
        Uint8Array.from([...reg.quote, 0]),
      ),
    ).to.be.revertedWithCustomError(dp, "VerifierRejected");
  });
});
