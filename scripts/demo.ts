/**
 * `npm run demo [-- --scenario vision|medical|lidar|finance|nlp] [-- --deals N] [-- --settle quote|signature]
 *   [-- --require-seller-domain] [-- --tamper-email] [-- --posted-price] [-- --dishonest-seller] [-- --listing]`
 * The whole product on this machine, no Docker and no API key needed: a local chain, DealProof and
 * the simulated DCAP verifier, the oracle daemon with the embedded TDX simulator, a generated
 * dataset, a DKIM-signed seller email from a local test domain, sealed inputs with the buyer's data
 * checks (run on the decrypted data inside the enclave), negotiation (Claude
 * when ANTHROPIC_API_KEY is set), a quote- or signature-settled escrow, key delivery, and the
 * buyer decrypting and verifying the data. `--listing`: the seller publishes the dataset once as a
 * listing (DESIGN §11; posted at its floor with `--posted-price`, negotiated otherwise), the oracle
 * verifies it once and signs its record, and each buyer buys it.
 */
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { formatEther, getBytes, type Signer } from "ethers";
import { startLocalChain } from "./lib/local-chain.ts";
import { prepareDataset, sellerEmailKit } from "./lib/seller-kit.ts";
import { dishonestCsv, scenarioChecks } from "./lib/demo-checks.ts";
import { at } from "./lib/at.ts";
import { DEFAULT_IMAGE } from "../oracle/simulator/backend.ts";
import { deployForSimulator, localOracleConfig } from "./lib/local-oracle.ts";
import { startLocalOracle } from "../oracle/simulator/oracle.ts";
import { acceptDeal, createDeal } from "../sdk/src/parties.ts";
import { connectDealProof, parseSettleCall } from "../oracle/chain/dealproof.ts";
import { receiveDeal } from "../client/receive.ts";
import { verifyQuote } from "../oracle/quote/verify.ts";
import { SCENARIOS, units } from "./lib/scenarios.ts";
import { formatDealProofError, isDealProofError, type DealProofError } from "../sdk/src/errors.ts";
import type { CheckResult } from "../sdk/src/checks.ts";
import type { TranscriptEntry } from "../oracle/negotiation/types.ts";
import { PRICE_RULES, TRANSCRIPT_LABEL } from "../oracle/negotiation/mechanism.ts";
import type { X25519KeyPair } from "../sdk/src/hpke.ts";
import { NEGOTIATED, POSTED, buyListing, publishListing } from "./lib/listing-kit.ts";

const usage =
  `npm run demo -- [--scenario ${SCENARIOS.map((s) => s.name).join("|")}] [--deals 1..15] [--settle quote|signature] ` +
  "[--require-seller-domain] [--tamper-email] [--posted-price] [--dishonest-seller] [--listing]\n" +
  "  --require-seller-domain  the buyer requires a DKIM-verified seller (sealed): a failed proof is no deal\n" +
  "  --tamper-email           alter the seller's email after signing (its DKIM proof then fails)\n" +
  "  --posted-price           the seller posts its floor as the price (the buyer's truthful option)\n" +
  "  --dishonest-seller       the seller offers a dataset with junk labels: a required check fails, escrow comes back\n" +
  "  --listing                the seller publishes one listing (verified once by the oracle) and each buyer buys it";
/** Bad arguments end here: a plain message, its hint and the usage, exit code 2, no stack trace. */
function usageError(message: string, hint = "see the usage below"): never {
  console.error(`demo: ${message}\nhint: ${hint}\n${usage}`);
  process.exit(2);
}
let args: {
  scenario?: string;
  deals?: string;
  settle?: string;
  "require-seller-domain"?: boolean;
  "tamper-email"?: boolean;
  "posted-price"?: boolean;
  "dishonest-seller"?: boolean;
  listing?: boolean;
  help?: boolean;
};
try {
  args = parseArgs({
    options: {
      scenario: { type: "string", default: "vision" },
      deals: { type: "string", default: "1" },
      settle: { type: "string", default: "quote" },
      "require-seller-domain": { type: "boolean", default: false },
      "tamper-email": { type: "boolean", default: false },
      "posted-price": { type: "boolean", default: false },
      "dishonest-seller": { type: "boolean", default: false },
      listing: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
  }).values;
} catch (e) {
  usageError((e as Error).message);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
const scenario =
  SCENARIOS.find((s) => s.name === args.scenario) ??
  usageError(
    `unknown scenario "${args.scenario}"`,
    `choose one of ${SCENARIOS.map((s) => s.name).join(", ")}`,
  );
const nDeals = Number(args.deals);
if (!/^[0-9]+$/.test(args.deals!) || nDeals < 1 || nDeals > 15)
  usageError("--deals must be 1..15", "give a whole number from 1 to 15");
if (args.settle !== "quote" && args.settle !== "signature")
  usageError("--settle must be quote or signature", "give --settle quote or --settle signature");

// Compile in a child process and show its output only on failure: a clean run prints no compiler
// notice (solc's note on OpenZeppelin's transient-storage reentrancy guard, which is its safe use).
const build = spawnSync(
  join(import.meta.dirname, "..", "node_modules", ".bin", "hardhat"),
  ["build", "--quiet"],
  {
    encoding: "utf8",
  },
);
if (build.status !== 0) {
  process.stderr.write(build.stdout + build.stderr);
  console.error("demo: the contracts do not compile");
  process.exit(1);
}

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const eth = (wei: bigint) => `${formatEther(wei)} ETH`;
/** A deal id as events show it (hex), shortened. */
const short = (id: bigint | string) => `0x${BigInt(id).toString(16).padStart(64, "0").slice(0, 8)}…`;
const line = (title: string) =>
  console.log(`\n${"─".repeat(6)} ${bold(title)} ${"─".repeat(Math.max(4, 60 - title.length))}`);

const claude = (process.env.ANTHROPIC_API_KEY ?? "") !== "";
console.log(bold("DealProof — verifiable AI negotiation of private data deals"));
console.log(
  `scenario ${scenario.name} (${scenario.title}) · ${nDeals} deal(s) · settle by ${args.settle} · agents: ${claude ? "Claude" : "built-in StrategyAgent (no ANTHROPIC_API_KEY)"}`,
);
console.log(
  `buyer budget ${eth(units(scenario.budgetUnits))} (sealed) · seller floor ${eth(units(scenario.floorUnits))} (sealed) · escrow ${eth(units(scenario.escrowUnits))}`,
);

const dir = mkdtempSync(join(tmpdir(), "dealproof-demo-"));
const chain = await startLocalChain();
let oracle: Awaited<ReturnType<typeof startLocalOracle>> | undefined;
const result = { agreed: 0 };
/** An expected failure of the run (DealProofError): printed with its hint after clean-up, exit 1. */
let failure: DealProofError | undefined;
try {
  line("chain & contracts");
  const { sim, seedFile, deployment, deploymentFile } = await deployForSimulator(
    chain.connection,
    dir,
    "demo",
  );
  console.log(`local chain ${chain.url} (chain id ${deployment.chainId})`);
  console.log(`DealProof ${deployment.dealProof} · SimulatedDcapVerifier ${deployment.verifier}`);
  console.log(`allowed enclave measurement ${sim.measurementId()}`);

  line("oracle (embedded TDX simulator)");
  const email = sellerEmailKit("acme-data.test");
  // Moves of concurrent deals arrive interleaved: keep each deal's and print it under its own heading.
  const moves = new Map<bigint, string[]>();
  const onMove = (dealId: bigint, e: TranscriptEntry) => {
    const price = e.priceWei === undefined ? "" : ` ${eth(BigInt(e.priceWei)).padStart(12)}`;
    const rule = PRICE_RULES[args["posted-price"] === true ? "posted-price" : "randomized-split"];
    const list = moves.get(dealId) ?? [`  Shown: ${TRANSCRIPT_LABEL}. ${rule}`];
    list.push(
      `  [round ${e.round}] ${e.role.toUpperCase().padEnd(6)} ${e.action.toUpperCase().padEnd(7)}${price}  ${e.note ?? ""}`,
    );
    moves.set(dealId, list);
  };
  oracle = await startLocalOracle(
    localOracleConfig({
      rpcUrl: chain.url,
      deploymentFile,
      seedFile,
      dir,
      overrides: {
        DEALPROOF_POLL_MS: "100",
        DEALPROOF_SETTLE_MODE: args.settle!,
        ...(claude
          ? {
              ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY!,
              ...(process.env.DEALPROOF_MODEL ? { DEALPROOF_MODEL: process.env.DEALPROOF_MODEL } : {}),
            }
          : {}),
      },
    }),
    { resolver: email.resolver, logger: pino({ level: "silent" }), onMove },
  );
  console.log(`oracle API ${oracle.url} · signer ${oracle.identity.address} · registered with a TDX quote`);

  line("seller prepares the dataset");
  const ROWS = 4000;
  const dishonest = args["dishonest-seller"] === true;
  const dataset = await prepareDataset(
    dir,
    scenario,
    dishonest ? { csv: dishonestCsv(scenario, ROWS) } : { rows: ROWS },
  );
  console.log(
    `${dataset.size} bytes of ${scenario.dataset.columns.join(",")} → encrypted (AES-256-GCM chunks)` +
      (dishonest ? " — every label replaced by junk (--dishonest-seller)" : ""),
  );
  console.log(`dataRoot ${dataset.dataRoot}`);
  const signedEml = await email.sign(
    `sales@${email.domain}`,
    `${scenario.title}: offer`,
    scenario.sellerDescription,
  );
  const eml = args["tamper-email"]
    ? Buffer.from(
        Buffer.from(signedEml, "base64")
          .toString("latin1")
          .replace(/\r\n\r\n/, "\r\n\r\nP.S. Exclusive licence included.\r\n"),
        "latin1",
      ).toString("base64")
    : signedEml;
  console.log(
    `seller email DKIM-signed by ${email.domain} (ed25519)${args["tamper-email"] ? ", then altered (--tamper-email)" : ""}`,
  );

  const signers = await chain.connection.ethers.getSigners();
  const seller: Signer = at(signers, 3);
  const dp = connectDealProof(deployment.dealProof, seller);
  const provider = chain.connection.ethers.provider;
  const buyers = Array.from({ length: nDeals }, (_, i) => at(signers, 4 + i));
  const balance = async (s: Signer) => provider.getBalance(await s.getAddress());
  const before = { seller: await balance(seller), buyers: await Promise.all(buyers.map(balance)) };
  const gas: Record<string, bigint> = {};
  // the buyer's checks (sealed with its input): the honest dataset passes them all
  const spec = scenarioChecks(scenario, ROWS / 2);
  const deals: { dealId: bigint; delivery: X25519KeyPair }[] = [];
  if (args.listing === true) {
    line("seller publishes a listing (its input sealed to the oracle's key), buyers buy it");
    const posted = args["posted-price"] === true;
    const listing = await publishListing(dp, seller, {
      dataset,
      mode: posted ? POSTED : NEGOTIATED,
      ...(posted ? { postedPriceWei: units(scenario.floorUnits) } : {}),
      input: {
        floorWei: units(scenario.floorUnits).toString(),
        description: scenario.sellerDescription,
        email: eml,
      },
    });
    gas.publishListing = listing.gasUsed;
    console.log(
      `listing ${short(listing.listingId)} v${listing.version} · ${posted ? `posted at ${eth(units(scenario.floorUnits))}` : "negotiated (floor sealed)"} · dataRoot ${dataset.dataRoot.slice(0, 18)}…`,
    );
    for (;;) {
      const signed = oracle.store.listings.get(listing.listingId, listing.version)?.record ?? undefined;
      if (signed !== undefined) {
        const r = signed.record;
        console.log(
          `verified-listing record: ${r.verdict}${r.code === null ? "" : ` (${r.code})`} · ${r.profile?.format ?? "?"}, ${r.profile?.records ?? "?"} records · seller ${r.sellerIdentity.verified ? `DKIM-verified ${r.sellerIdentity.domain}` : "not verified"}`,
        );
        console.log(
          `  recordHash ${signed.recordHash} · signed by ${signed.signer} (GET ${oracle.url}/listings/0x${listing.listingId.toString(16).padStart(64, "0")})`,
        );
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`buyer's checks (sealed): ${spec.checks.map((c) => `${c.id} (${c.kind})`).join(", ")}`);
    for (const buyer of buyers) {
      const d = await buyListing(dp, buyer, {
        listingId: listing.listingId,
        version: listing.version,
        escrowWei: units(scenario.escrowUnits),
        budgetWei: units(scenario.budgetUnits),
        requirements: scenario.buyerRequirements,
        checks: spec,
      });
      gas.createDealFromListing = d.gasUsed;
      deals.push(d);
      console.log(
        `deal ${short(d.dealId)} bought from the listing (escrow ${eth(units(scenario.escrowUnits))}, Accepted at once)`,
      );
    }
  } else {
    line("buyer creates, seller accepts (inputs sealed to the oracle's key)");
    console.log(`buyer's checks (sealed): ${spec.checks.map((c) => `${c.id} (${c.kind})`).join(", ")}`);
    const now = (await provider.getBlock("latest"))!.timestamp;
    for (const buyer of buyers) {
      const d = await createDeal(dp, buyer, {
        seller: await seller.getAddress(),
        dataRoot: dataset.dataRoot,
        escrowWei: units(scenario.escrowUnits),
        deadline: now + 3600,
        budgetWei: units(scenario.budgetUnits),
        requirements: scenario.buyerRequirements,
        requireSellerDomain: args["require-seller-domain"],
        checks: spec,
      });
      gas.createDeal = d.receipt.gasUsed;
      const r = await acceptDeal(dp, seller, d.dealId, {
        floorWei: units(scenario.floorUnits).toString(),
        ...(args["posted-price"] ? { postedPriceWei: units(scenario.floorUnits).toString() } : {}),
        description: scenario.sellerDescription,
        dataset: { location: dataset.location, key: dataset.key, chunkSize: dataset.chunkSize },
        email: eml,
      });
      gas.acceptDeal = r.gasUsed;
      deals.push(d);
      console.log(
        `deal ${short(d.dealId)} created (escrow ${eth(units(scenario.escrowUnits))}) and accepted`,
      );
    }
  }

  line("negotiation inside the enclave (each deal's transcript)");
  const rows = [];
  for (const d of deals) {
    for (;;) {
      const row = oracle.store.get(d.dealId);
      if (row?.status === "settled" || row?.status === "closed") {
        rows.push(row);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (nDeals > 1) console.log(`deal ${short(d.dealId)}`);
    for (const m of moves.get(d.dealId) ?? []) console.log(m);
    // what the transcript is, and how the price was set (both in the attested terms)
    const t = JSON.parse(rows.at(-1)!.outcome!.termsJson) as { transcriptIs?: string; priceRule?: string };
    if (t.transcriptIs !== undefined) console.log(`  (these are ${t.transcriptIs}. ${t.priceRule ?? ""})`);
  }

  line("result");
  for (const [i, row] of rows.entries()) {
    const outcome = row.outcome!;
    const terms = JSON.parse(outcome.termsJson);
    console.log(
      outcome.settlement.agreed
        ? `✓ deal ${short(row.id)} agreed at ${eth(BigInt(outcome.settlement.price))} · ${terms.terms.accessScope}, ${terms.terms.durationDays} days`
        : `✗ deal ${short(row.id)} no agreement: ${outcome.reason}`,
    );
    if (i === 0) {
      console.log(
        `  seller identity: ${terms.sellerIdentity?.verified ? `DKIM-verified ${terms.sellerIdentity.domain}` : "not verified"}` +
          ` · DKIM ${terms.sellerDkim?.result ?? "?"}${terms.sellerDkim?.reasonCode ? ` (${terms.sellerDkim.reasonCode})` : ""}` +
          `${terms.reasonCode ? ` · reason code ${terms.reasonCode}` : ""}`,
      );
      if (terms.listing)
        console.log(
          `  listing ${short(terms.listing.id)} v${terms.listing.version} (${terms.listing.mode}) named in the attested terms`,
        );
      if (terms.dataFacts)
        console.log(
          `  data facts seen by the buyer's agent: ${JSON.stringify({ records: terms.dataFacts.records, columns: terms.dataFacts.columns })}`,
        );
      const checked = (terms.dataFacts?.checks?.results ?? []) as CheckResult[];
      for (const c of checked)
        console.log(
          `  check ${c.id} ${c.status === "pass" ? "✓ pass" : `✗ ${c.status}`}${c.required ? "" : " (optional)"}`,
        );
      console.log(`  termsHash ${outcome.settlement.termsHash}`);
      console.log(`  transcriptHash ${outcome.settlement.transcriptHash}`);
      gas[args.settle === "quote" ? "settleWithQuote" : "settleWithSignature"] = BigInt(row.gas_used ?? "0");
      const tx = await provider.getTransaction(row.tx_hash!);
      const settle = parseSettleCall(tx!.data);
      if (settle?.method === "settleWithQuote") {
        line("the settlement quote, verified off-chain");
        // through the whole DCAP chain with dcap-qvl, anchored at the simulator's root CA
        const v = verifyQuote(getBytes(settle.proof), {
          collateral: sim.dcapCollateral(),
          rootCaDer: sim.dcapRootCa(),
          eventLog: sim.eventLog(),
          expectedComposeHash: DEFAULT_IMAGE.composeHash,
        });
        console.log(`  mode ${v.mode} · TCB ${v.tcbStatus} · measurement ${v.measurementId}`);
        console.log(`  ${v.checks.find((c) => c.name === "dcap")?.detail ?? ""}`);
        console.log(
          `  report_data ${v.reportData!.slice(0, 66)}… (= EIP-712 Settlement digest ‖ 32 zero bytes)`,
        );
        console.log(`  checks: ${v.checks.map((c) => `${c.name} ${c.passed ? "✓" : "✗"}`).join(" · ")}`);
      }
    }
  }

  line("key delivery: the buyer decrypts and verifies the dataset");
  for (const [i, d] of deals.entries()) {
    const row = rows[i]!;
    if (!row.outcome!.settlement.agreed) continue;
    const out = join(dir, `received-${i}.csv`);
    const r = await receiveDeal(provider, deployment, d.dealId, d.delivery.privateKey, out);
    const same = readFileSync(out).equals(readFileSync(dataset.plainPath));
    console.log(
      `deal ${short(d.dealId)}: ${r.size} bytes, every chunk checked against ${r.dataRoot.slice(0, 18)}… ${same ? "✓ identical to the seller's data" : "✗ MISMATCH"}`,
    );
  }

  line("withdrawals and balances");
  // deals[i] was created by buyers[i]; each party withdraws its payout from each deal
  for (const [i, d] of deals.entries()) {
    const owed = await dp.getDeal(d.dealId);
    for (const [who, amount] of [
      [seller, owed.sellerPayout],
      [buyers[i]!, owed.buyerPayout],
    ] as const) {
      if (amount === 0n) continue;
      const w = await (await dp.connect(who).withdraw(d.dealId)).wait();
      gas.withdraw = w!.gasUsed;
      if (who !== seller)
        console.log(
          `deal ${short(d.dealId)}: buyer ${i + 1} withdrew ${eth(amount)}${amount === units(scenario.escrowUnits) ? " — the whole escrow came back" : ""}`,
        );
    }
  }
  const after = { seller: await balance(seller), buyers: await Promise.all(buyers.map(balance)) };
  console.log(
    `seller  ${eth(before.seller)} → ${eth(after.seller)}  (${eth(after.seller - before.seller)}, after gas)`,
  );
  buyers.forEach((_, i) =>
    console.log(
      `buyer ${i + 1} ${eth(before.buyers[i]!)} → ${eth(after.buyers[i]!)}  (${eth(after.buyers[i]! - before.buyers[i]!)}, after gas)`,
    ),
  );
  console.log(`DealProof holds ${eth(await provider.getBalance(deployment.dealProof))}`);

  line("gas used");
  for (const [k, v] of Object.entries(gas)) console.log(`  ${k.padEnd(22)} ${v.toString().padStart(8)}`);
  result.agreed = rows.filter((r) => r.outcome!.settlement.agreed).length;
  console.log(`\n${bold("done")}: ${result.agreed}/${rows.length} deal(s) agreed and settled on-chain.`);
} catch (e) {
  if (!isDealProofError(e)) throw e;
  failure = e;
} finally {
  await oracle?.stop();
  await chain.close();
  rmSync(dir, { recursive: true, force: true });
}
if (failure !== undefined) {
  console.error(`demo: ${formatDealProofError(failure)}`);
  process.exit(1);
}
if (result.agreed < nDeals) {
  console.error(`demo: ${nDeals - result.agreed} of ${nDeals} deal(s) ended without agreement`);
  process.exit(1);
}
process.exit(0);
