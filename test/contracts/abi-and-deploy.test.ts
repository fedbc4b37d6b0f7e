import { expect } from "chai";
import { network } from "hardhat";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Interface } from "ethers";
import { p256 } from "@noble/curves/p256";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import { describeChainError } from "../../sdk/src/revert.ts";
import { ABI_MODULE, renderAbiModule } from "../../scripts/export-abi.ts";
import { deployDealProof } from "../../tasks/lib/deploy.ts";
import { readDeployment } from "../../oracle/chain/deployment.ts";
import { p256PublicKeyXY } from "../../oracle/simulator/quote.ts";
import { rejects } from "../helpers.ts";
import {
  connectDealProof,
  dealProofInterface,
  parseDealProofLog,
  parseSettleCall,
} from "../../oracle/chain/dealproof.ts";
import { DealProof__factory } from "../../types/ethers-contracts/factories/DealProof__factory.ts";

describe("exported ABIs and deployment", () => {
  it("sdk/src/abi.ts is exactly what scripts/export-abi.ts writes from the artifacts (run it if not)", () => {
    expect(readFileSync(ABI_MODULE, "utf8") === renderAbiModule(), "sdk/src/abi.ts is stale").to.equal(true);
  });

  it("the compact ABI describes DealProof exactly as the artifact does", () => {
    const artifact = JSON.parse(
      readFileSync(
        join(import.meta.dirname, "../../artifacts/contracts/DealProof.sol/DealProof.json"),
        "utf8",
      ),
    );
    expect(new Interface(DEAL_PROOF_ABI).format()).to.deep.equal(new Interface(artifact.abi).format());
  });

  it("names the simulated verifier's own errors, which reach DealProof's callers", async () => {
    const { ethers } = await network.create({ override: { chainId: 11155111 } });
    const [owner] = await ethers.getSigners();
    const refused = await ethers.deployContract("SimulatedDcapVerifier", [owner!.address, false]).then(
      () => "deployed",
      (e: unknown) => describeChainError(e),
    );
    expect(refused).to.match(/^DealProof reverted: PublicChain\(chainId=11155111\) — .*Automata/);
    const forced = await ethers.deployContract("SimulatedDcapVerifier", [owner!.address, true]);
    const fee = await forced.verifyAndAttestOnChain("0x", { value: 1 }).then(
      () => "accepted",
      (e: unknown) => describeChainError(e),
    );
    expect(fee).to.equal("DealProof reverted: FeeNotAccepted()");
  });

  it("the typed DealProof client runs on the ABI its TypeChain types were generated from", () => {
    const typechain = DealProof__factory.createInterface().format();
    expect(dealProofInterface.format()).to.deep.equal(typechain);
    expect(connectDealProof("0x" + "11".repeat(20), null).interface.format()).to.deep.equal(typechain);
  });

  it("the typed client reads settle calls and event logs by name, and nothing else as them", () => {
    const outcome = {
      dealId: 7n,
      agreed: true,
      price: 800n,
      termsHash: "0x" + "11".repeat(32),
      dataRoot: "0x" + "22".repeat(32),
      transcriptHash: "0x" + "33".repeat(32),
      delivery: "0x1234",
    };
    const calls = {
      settleWithQuote: dealProofInterface.encodeFunctionData("settleWithQuote", [outcome, "0xabcd"]),
      settleWithSignature: dealProofInterface.encodeFunctionData("settleWithSignature", [outcome, "0xabcd"]),
    };
    for (const [method, data] of Object.entries(calls)) {
      const { method: m, proof, outcome: o } = parseSettleCall(data)!;
      expect([m, proof]).to.deep.equal([method, "0xabcd"]);
      const { dealId, agreed, price, termsHash, dataRoot, transcriptHash, delivery } = o;
      expect({ dealId, agreed, price, termsHash, dataRoot, transcriptHash, delivery }).to.deep.equal(outcome);
    }
    const register = dealProofInterface.encodeFunctionData("registerOracle", [
      "0x" + "44".repeat(20),
      "0x" + "55".repeat(32),
      "0x" + "1d".repeat(32),
      1n,
      "0x",
    ]);
    expect(parseSettleCall(register)).to.equal(null);
    expect(parseSettleCall("0xdeadbeef")).to.equal(null);

    const accepted = dealProofInterface.encodeEventLog("DealAccepted", [7n, "0x" + "66".repeat(20), "0xbb"]);
    const a = parseDealProofLog(accepted, "DealAccepted")!;
    expect([a.args.dealId, a.args.seller.toLowerCase(), a.args.sealedSellerInput]).to.deep.equal([
      7n,
      "0x" + "66".repeat(20),
      "0xbb",
    ]);
    expect(parseDealProofLog(accepted, "DealCreated")).to.equal(null);
  });

  it("deploys the local stack, configures it, and writes a valid deployments file", async () => {
    const connection = await network.create();
    const dir = mkdtempSync(join(tmpdir(), "dealproof-deploy-"));
    const key = p256PublicKeyXY(p256.utils.randomPrivateKey());
    const measurement = "0x" + "ab".repeat(32);
    const d = await deployDealProof(connection, {
      networkName: "testnet",
      attestationKeys: [key],
      measurements: [measurement],
      registrationTtl: 3600n,
      writeTo: dir,
    });
    expect(readDeployment(join(dir, "deployments", "testnet.json"))).to.deep.equal(d);
    expect(d.verifierKind).to.equal("simulated");
    const dp = await connection.ethers.getContractAt("DealProof", d.dealProof);
    expect(await dp.verifier()).to.equal(d.verifier);
    expect(await dp.allowedMeasurements(measurement)).to.equal(true);
    expect(await dp.registrationTtl()).to.equal(3600n);
    const v = await connection.ethers.getContractAt("SimulatedDcapVerifier", d.verifier);
    expect(await v.attestationKeys(connection.ethers.keccak256(key))).to.equal(true);
    const created = await dp.queryFilter(dp.filters.MeasurementAllowed(), d.deployBlock);
    expect(created.length).to.equal(1);
  });

  it("refuses a verifier address with no contract, and bad configuration", async () => {
    const connection = await network.create();
    await rejects(
      deployDealProof(connection, {
        networkName: "x",
        verifierKind: "automata",
        verifier: "0x27188ABA3a26CBb806eF4C67de9b05D7d792EC10",
      }),
      /no contract at verifier address/,
    );
    await rejects(
      deployDealProof(connection, { networkName: "x", measurements: ["0x1234"] }),
      /not 32 bytes/,
    );
    await rejects(
      deployDealProof(connection, { networkName: "x", attestationKeys: [new Uint8Array(63)] }),
      /64 bytes/,
    );
  });
});
