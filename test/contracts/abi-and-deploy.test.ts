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
import { readDeployment } from "../../oracle/protocol/deployment.ts";
import { p256PublicKeyXY } from "../../oracle/simulator/quote.ts";
import { rejects } from "../helpers.ts";

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
