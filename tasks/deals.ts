import { task } from "hardhat/config";
import type { NewTaskDefinition } from "hardhat/types/tasks";

const oracleOption = {
  name: "oracle",
  description: "The oracle API's URL (default: $DEALPROOF_ORACLE_URL or http://127.0.0.1:8080)",
  defaultValue: "",
} as const;

/**
 * The seller's dataset options deal:accept, listing:publish and listing:update share
 * (tasks/actions/seller-input.ts reads them), with the oracle pre-flight's.
 */
function sellerDatasetOptions(t: ReturnType<typeof task>) {
  return t
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
      name: "eml",
      description: "Optional DKIM-signed .eml proving your domain",
      defaultValue: "",
    })
    .addOption(oracleOption)
    .addFlag({
      name: "skipOracleCheck",
      description: "Do not ask the oracle's API first (its on-chain registration is still checked)",
    });
}

/** The options listing:publish and listing:update share (tasks/actions/listing-publish.ts). */
function listingTask(t: ReturnType<typeof task>) {
  return sellerDatasetOptions(t)
    .addOption({
      name: "floor",
      description: "Negotiated: your private floor price in ETH (sealed)",
      defaultValue: "",
    })
    .addOption({
      name: "postedPrice",
      description:
        "Posted mode: the public price in ETH every buyer pays (their budget and checks permitting)",
      defaultValue: "",
    })
    .addOption({
      name: "metadataUri",
      description: "Public description reference (https:// or ipfs://)",
      defaultValue: "",
    })
    .addOption({
      name: "days",
      description: "Expires this many days from now (default: never)",
      defaultValue: "",
    })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/listing-publish.ts"))
    .build();
}

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
    .addOption({
      name: "listing",
      description: "Buy from this listing (its seller and data root; instead of --seller/--data-root)",
      defaultValue: "",
    })
    .addOption({ name: "seller", description: "The seller's address", defaultValue: "" })
    .addOption({ name: "dataRoot", description: "The dataset commitment (dataset:commit)", defaultValue: "" })
    .addOption({ name: "escrow", description: "ETH to escrow (≥ budget; hides it)", defaultValue: "" })
    .addOption({ name: "budget", description: "Your private budget in ETH (sealed)", defaultValue: "" })
    .addOption({ name: "requirements", description: "What you need (sealed)", defaultValue: "" })
    .addOption({ name: "hours", description: "Deadline, hours from now", defaultValue: "24" })
    .addOption({
      name: "deliveryKeyOut",
      description:
        "Where to save your delivery private key (needed by deal:receive); written before the escrow moves",
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
    .addOption(oracleOption)
    .addFlag({
      name: "skipOracleCheck",
      description: "Do not ask the oracle's API first (its on-chain registration is still checked)",
    })
    .addOption({
      name: "checks",
      description: "A JSON file of your checks on the data (docs/data.md); sealed, validated before escrow",
      defaultValue: "",
    })
    .addFlag({ name: "force", description: "Replace an existing --delivery-key-out file" })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-create.ts"))
    .build(),
  sellerDatasetOptions(
    task(
      "deal:accept",
      "Seller: seal your floor, description and dataset location/key to the oracle and accept",
    ),
  )
    .addPositionalArgument({ name: "dealId", description: "The deal id (hex 0x… or decimal)" })
    .addOption({ name: "floor", description: "Your private floor price in ETH (sealed)", defaultValue: "" })
    .addOption({
      name: "postedPrice",
      description:
        "Posted-price mode: the price in ETH (sealed); a deal iff the buyer's budget and checks allow it",
      defaultValue: "",
    })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-accept.ts"))
    .build(),
  task("deal:status", "Show a deal's on-chain state, settlement, and the oracle's no-deal reason")
    .addPositionalArgument({ name: "dealId", description: "The deal id (hex 0x… or decimal)" })
    .addOption(oracleOption)
    .addFlag({ name: "wait", description: "Wait until the deal is settled or refunded" })
    .addOption({ name: "timeout", description: "Seconds --wait waits at most", defaultValue: "600" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-status.ts"))
    .build(),
  task(
    "deal:refund",
    "After the deadline of an unsettled deal, return the escrow to the buyer (anyone may call)",
  )
    .addPositionalArgument({ name: "dealId", description: "The deal id (hex 0x… or decimal)" })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-refund.ts"))
    .build(),
  task("deal:withdraw", "Withdraw your payout (as buyer or seller) from a settled or refunded deal")
    .addPositionalArgument({ name: "dealId", description: "The deal id (hex 0x… or decimal)" })
    .addOption({
      name: "to",
      description: "Send the payout to this address instead of your own",
      defaultValue: "",
    })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-withdraw.ts"))
    .build(),
  task("deals:list", "List deals by buyer and/or seller (default: your account's), from DealCreated events")
    .addOption({ name: "buyer", description: "Deals this address created", defaultValue: "" })
    .addOption({ name: "seller", description: "Deals offered to this address", defaultValue: "" })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deals-list.ts"))
    .build(),
  listingTask(
    task("listing:publish", "Seller: publish a dataset once as a listing many buyers can buy").addOption({
      name: "dataRoot",
      description: "The dataset commitment (dataset:commit)",
      defaultValue: "",
    }),
  ),
  listingTask(
    task(
      "listing:update",
      "Seller: new terms or input for your listing (its next version, sealed to the current oracle key)",
    ).addPositionalArgument({ name: "listingId", description: "The listing id (hex 0x… or decimal)" }),
  ),
  task("listing:withdraw", "Seller: withdraw your listing (deals bought before keep their terms)")
    .addPositionalArgument({ name: "listingId", description: "The listing id (hex 0x… or decimal)" })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/listing-withdraw.ts"))
    .build(),
  task(
    "listings:list",
    "List the listings on DealProof (or one seller's): mode, price, status, version, sales",
  )
    .addOption({ name: "seller", description: "Only this seller's listings", defaultValue: "" })
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/listings-list.ts"))
    .build(),
  task(
    "deal:transcript",
    "Buyer or seller: sign in to the oracle and print the deal's terms and transcript (checked against the chain)",
  )
    .addPositionalArgument({ name: "dealId", description: "The deal id (hex 0x… or decimal)" })
    .addOption(oracleOption)
    .addOption({ name: "account", description: "Signer index (default 0)", defaultValue: "0" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/deal-transcript.ts"))
    .build(),
];
