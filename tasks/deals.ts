import { task } from "hardhat/config";
import type { NewTaskDefinition } from "hardhat/types/tasks";

export const dealTasks: NewTaskDefinition[] = [
  task("oracle:register", "Register this oracle (TEE-derived keys) with DealProof using a registration quote")
    .addOption({ name: "tee", description: "simulator | dstack", defaultValue: "simulator" })
    .addOption({
      name: "seedFile",
      description: "Simulator seed file",
      defaultValue: ".dealproof/simulator-seed",
    })
    .addOption({
      name: "endpoint",
      description: "dstack endpoint (socket path or URL); default: the SDK's",
      defaultValue: "",
    })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/oracle-register.ts"))
    .build(),
  task("deal:create", "Buyer: seal your budget and requirements to the oracle and escrow ETH")
    .addOption({ name: "seller", description: "The seller's address", defaultValue: "" })
    .addOption({ name: "dataRoot", description: "The dataset commitment (dataset:commit)", defaultValue: "" })
    .addOption({ name: "escrow", description: "ETH to escrow (≥ budget; hides it)", defaultValue: "" })
    .addOption({ name: "budget", description: "Your private budget in ETH (sealed)", defaultValue: "" })
    .addOption({ name: "requirements", description: "What you need (sealed)", defaultValue: "" })
    .addOption({ name: "hours", description: "Deadline, hours from now", defaultValue: "24" })
    .addOption({
      name: "deliveryKeyOut",
      description: "Where to save your delivery private key (needed by deal:receive)",
      defaultValue: "",
    })
    .addFlag({
      name: "requireSellerDomain",
      description: "Require the seller to prove a DKIM-verified email domain (sealed; else no deal)",
    })
    .addOption({
      name: "sellerDomain",
      description: "Require this seller domain (or a subdomain); implies --require-seller-domain",
      defaultValue: "",
    })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-create.ts"))
    .build(),
  task(
    "deal:accept",
    "Seller: seal your floor, description and dataset location/key to the oracle and accept",
  )
    .addPositionalArgument({ name: "dealId", description: "The deal id" })
    .addOption({ name: "floor", description: "Your private floor price in ETH (sealed)", defaultValue: "" })
    .addOption({ name: "description", description: "What you sell (sealed)", defaultValue: "" })
    .addOption({
      name: "location",
      description: "Encrypted dataset URL (file:// or http(s)://)",
      defaultValue: "",
    })
    .addOption({
      name: "keyFile",
      description: "File with the dataset key (dataset:encrypt --key-out)",
      defaultValue: "",
    })
    .addOption({
      name: "chunkSize",
      description: "Chunk size of the encrypted dataset",
      defaultValue: "1048576",
    })
    .addOption({
      name: "eml",
      description: "Optional DKIM-signed .eml proving your domain",
      defaultValue: "",
    })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-accept.ts"))
    .build(),
  task("deal:status", "Show a deal's on-chain state and settlement")
    .addPositionalArgument({ name: "dealId", description: "The deal id" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-status.ts"))
    .build(),
  task(
    "deal:refund",
    "After the deadline of an unsettled deal, return the escrow to the buyer (anyone may call)",
  )
    .addPositionalArgument({ name: "dealId", description: "The deal id" })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-refund.ts"))
    .build(),
  task("deal:withdraw", "Withdraw your payout (as buyer or seller) from a settled or refunded deal")
    .addPositionalArgument({ name: "dealId", description: "The deal id" })
    .addOption({
      name: "to",
      description: "Send the payout to this address instead of your own",
      defaultValue: "",
    })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-withdraw.ts"))
    .build(),
];
