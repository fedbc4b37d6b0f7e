import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { oracle, waitFor } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { SimulatorBackend, DEFAULT_IMAGE } from "../../oracle/simulator/backend.ts";
import { verifyAndAllowMeasurement } from "../../tasks/lib/measurement.ts";
import { deployDealProof } from "../../tasks/lib/deploy.ts";

describe("onboarding a new CVM: attestation endpoint, measurement:allow, then registration", function () {
  this.timeout(60_000);
  let env: Env;
  useLocalChain((e) => (env = e));

  it("runs unregistered until its measurement is allowed, serving a fresh quote meanwhile", async () => {
    // a fresh DealProof that does not yet allow this simulator's measurement
    const sim = SimulatorBackend.fromSeedFile(env.seedFile);
    const dir = mkdtempSync(join(tmpdir(), "onboard-"));
    await deployDealProof(env.chain.connection, {
      networkName: "e2e",
      attestationKeys: [sim.attestationPublicKey()],
      writeTo: dir,
    });
    const fresh = {
      ...env,
      deploymentFile: join(dir, "deployments", "e2e.json"),
      dbFile: join(dir, "db.sqlite"),
    };
    const o = await oracle(fresh);
    try {
      const health = (await (await fetch(`${o.url}/health`)).json()) as {
        registrationExpiresAt: number | null;
      };
      expect(health.registrationExpiresAt).to.equal(null);

      const nonce = "c0ffee";
      const att = (await (await fetch(`${o.url}/attestation?nonce=${nonce}`)).json()) as {
        quote: string;
        event_log: string;
        report_data: string;
        simulated_dcap: { root_ca: string; collateral: unknown };
      };
      const want = createHash("sha256")
        .update("DealProof/attestation/v1")
        .update(Buffer.from(nonce, "hex"))
        .digest("hex");
      expect(att.report_data).to.equal(want);
      const file = join(dir, "attestation.json");
      writeFileSync(file, JSON.stringify(att));
      // the operator verifies the quote through the whole DCAP chain (dcap-qvl), anchored at the
      // simulator's root CA, which the operator pins (here: the one derived from the CVM's seed)
      expect(att.simulated_dcap.root_ca).to.equal(Buffer.from(sim.dcapRootCa()).toString("hex"));
      const collateralFile = join(dir, "collateral.json");
      writeFileSync(collateralFile, JSON.stringify(att.simulated_dcap.collateral));
      const rootCaFile = join(dir, "root-ca.der");
      writeFileSync(rootCaFile, sim.dcapRootCa());
      const allowed = await verifyAndAllowMeasurement(
        env.chain.connection,
        o.daemon.deps.deployment.dealProof,
        {
          quote: file,
          composeHash: DEFAULT_IMAGE.composeHash,
          reportData: want,
          collateral: collateralFile,
          rootCa: rootCaFile,
        },
      );
      expect([allowed.measurementId, allowed.mode, allowed.tcbStatus]).to.deep.equal([
        sim.measurementId(),
        "simulated",
        "UpToDate",
      ]);
      await waitFor("registration", async () => {
        const h = (await (await fetch(`${o.url}/health`)).json()) as { registrationExpiresAt: number | null };
        return h.registrationExpiresAt ?? undefined;
      });
      expect((await (await fetch(`${o.url}/attestation?nonce=xyz`)).json()) as object).to.have.property(
        "error",
      );
    } finally {
      await o.stop();
    }
  });
});
