import { task } from "hardhat/config";
import type { NewTaskDefinition } from "hardhat/types/tasks";

const chunkSize = { name: "chunkSize", description: "Chunk size in bytes", defaultValue: "1048576" } as const;

export const dataTasks: NewTaskDefinition[] = [
  task("dataset:commit", "Seller: compute a dataset's Merkle root (the deal's dataRoot) and manifest")
    .addPositionalArgument({ name: "path", description: "The plaintext dataset file" })
    .addOption(chunkSize)
    .addFlag({ name: "json", description: "Print the manifest as JSON" })
    .setAction(() => import("./actions/dataset-commit.ts"))
    .build(),
  task("dataset:encrypt", "Seller: encrypt a dataset for delivery (AES-256-GCM chunks) and print its root")
    .addPositionalArgument({ name: "path", description: "The plaintext dataset file" })
    .addOption({ name: "out", description: "Where to write the encrypted file", defaultValue: "" })
    .addOption({
      name: "key",
      description: "Dataset key (0x + 64 hex); a random one is generated if absent",
      defaultValue: "",
    })
    .addOption({
      name: "keyOut",
      description: "Write the (secret) dataset key to this file (mode 0600)",
      defaultValue: "",
    })
    .addOption(chunkSize)
    .addFlag({ name: "force", description: "Replace existing --out / --key-out files" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/dataset-encrypt.ts"))
    .build(),
  task("dataset:verify", "Anyone: check a dataset file against a root")
    .addPositionalArgument({ name: "path", description: "The plaintext dataset file" })
    .addOption({ name: "root", description: "The expected dataRoot (0x + 64 hex)", defaultValue: "" })
    .addOption(chunkSize)
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/dataset-verify.ts"))
    .build(),
  task(
    "dataset:profile",
    "Seller: profile a dataset with the oracle's own locked engine (and run checks on it)",
  )
    .addPositionalArgument({
      name: "path",
      description: "The plaintext dataset file (CSV, JSONL or Parquet)",
    })
    .addOption({ name: "format", description: "csv, jsonl or parquet (default: inferred)", defaultValue: "" })
    .addOption({
      name: "checks",
      description: "A check specification JSON file to run as well",
      defaultValue: "",
    })
    .addOption({
      name: "policy",
      description: "A disclosure policy JSON file (default: the defaults)",
      defaultValue: "",
    })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/dataset-profile.ts"))
    .build(),
  task(
    "deal:receive",
    "Buyer: open the delivered key of a settled deal, fetch, decrypt and verify the dataset",
  )
    .addPositionalArgument({ name: "dealId", description: "The deal id (hex 0x… or decimal)" })
    .addOption({
      name: "key",
      description: "File holding the buyer's X25519 delivery private key (hex)",
      defaultValue: "",
    })
    .addOption({ name: "out", description: "Where to write the dataset", defaultValue: "" })
    .addFlag({ name: "force", description: "Replace an existing --out file" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/dataset-receive.ts"))
    .build(),
];
