import { task } from "hardhat/config";
import type { NewTaskDefinition } from "hardhat/types/tasks";

const quoteOptions = <T extends ReturnType<typeof task>>(t: T) =>
  t
    .addOption({
      name: "collateral",
      description: "DCAP collateral JSON file (dcap-qvl shape): verify through the whole chain",
      defaultValue: "",
    })
    .addOption({
      name: "rootCa",
      description: "Root CA file (DER or PEM) the DCAP chain must lead to, instead of Intel's",
      defaultValue: "",
    })
    .addOption({
      name: "now",
      description: "Verification time: ISO date or Unix seconds (default: now)",
      defaultValue: "",
    })
    .addOption({
      name: "eventLog",
      description: "dstack event log JSON file (to replay RTMR3)",
      defaultValue: "",
    })
    .addOption({
      name: "simulatorKey",
      description: "Comma-separated trusted simulator attestation keys (x‖y hex)",
      defaultValue: "",
    });

export const teeTasks: NewTaskDefinition[] = [
  quoteOptions(
    task("verify-quote", "Verify a TDX quote (hex, file, or dstack GetQuote JSON) and print every check"),
  )
    .addPositionalArgument({
      name: "quote",
      description: "The quote: hex, a file with hex or bytes, or a GetQuote JSON file",
    })
    .addOption({
      name: "reportData",
      description: "Expected report_data (hex, ≤ 64 bytes)",
      defaultValue: "",
    })
    .addOption({
      name: "composeHash",
      description: "Expected app compose hash (hex, 32 bytes)",
      defaultValue: "",
    })
    .addFlag({ name: "json", description: "Print the verdict as JSON" })
    .setAction(() => import("./actions/verify-quote.ts"))
    .build(),
  quoteOptions(
    task(
      "measurement:allow",
      "Verify a CVM's quote + event log + compose hash, then allow its measurement id in DealProof",
    ),
  )
    .addOption({
      name: "quote",
      description: "The CVM's quote: hex, file, or GetQuote JSON (with its event log)",
      defaultValue: "",
    })
    .addOption({
      name: "composeHash",
      description: "The compose hash you expect the CVM to run (hex, 32 bytes)",
      defaultValue: "",
    })
    .addFlag({ name: "disallow", description: "Remove the measurement instead of allowing it" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/measurement-allow.ts"))
    .build(),
  task(
    "tee:simulator-pki",
    "Write the embedded simulator's DCAP root CA and fresh collateral (to verify its quotes with dcap-qvl)",
  )
    .addOption({
      name: "seedFile",
      description: "Simulator seed file (the oracle's)",
      defaultValue: ".dealproof/simulator-seed",
    })
    .addOption({
      name: "outDir",
      description: "Directory to write root-ca.pem and collateral.json",
      defaultValue: "",
    })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/simulator-pki.ts"))
    .build(),
  task(
    "tee:simulator-key",
    "Print the embedded simulator's attestation key and measurement id (deploy registers them on local chains)",
  )
    .addOption({
      name: "seedFile",
      description: "Simulator seed file (the oracle's)",
      defaultValue: ".dealproof/simulator-seed",
    })
    .addFlag({ name: "createSeed", description: "Create the seed file if it does not exist" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/simulator-key.ts"))
    .build(),
  task(
    "measurement:disallow",
    "Owner: stop trusting a measurement id (no quote needed; takes effect at once)",
  )
    .addPositionalArgument({ name: "measurementId", description: "The measurement id (0x + 64 hex)" })
    .addOption({ name: "account", description: "Signer index of the owner (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/measurement-disallow.ts"))
    .build(),
];
