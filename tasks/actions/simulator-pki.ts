import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate } from "node:crypto";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { userError } from "./user-error.ts";

export default async function simulatorPki(a: {
  seedFile: string;
  outDir: string;
  json: boolean;
}): Promise<void> {
  if (a.outDir === "")
    throw userError("--out-dir is required: where to write root-ca.pem and collateral.json");
  if (!existsSync(a.seedFile))
    throw userError(
      `no simulator seed at ${a.seedFile}: give the oracle's --seed-file (it creates one on first run)`,
    );
  const sim = SimulatorBackend.fromSeedFile(a.seedFile);
  mkdirSync(a.outDir, { recursive: true });
  const root = new X509Certificate(Buffer.from(sim.dcapRootCa()));
  const rootCa = join(a.outDir, "root-ca.pem");
  const collateral = join(a.outDir, "collateral.json");
  writeFileSync(rootCa, root.toString());
  writeFileSync(collateral, JSON.stringify(sim.dcapCollateral(), null, 2) + "\n");
  const out = { rootCa, collateral, rootFingerprint256: root.fingerprint256, validTo: root.validTo };
  if (a.json) console.log(JSON.stringify(out));
  else {
    console.log(`simulated DCAP root CA  ${rootCa}  (SHA-256 ${root.fingerprint256})`);
    console.log(`collateral (30 days)    ${collateral}`);
    console.log(
      `verify a quote:  npx hardhat verify-quote <quote> --collateral ${collateral} --root-ca ${rootCa}`,
    );
  }
}
