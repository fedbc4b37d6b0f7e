/**
 * The market driven through the dapp in a real browser: the seller commits a dataset once and
 * publishes it as a posted-price listing; the oracle verifies it once; two buyers find it on the
 * Listings page and buy it from its listing page — one with a required check the data fails (the
 * deal ends no-deal and that buyer withdraws its whole escrow), the other without (the deal
 * settles at the posted price and that buyer receives the data). Shared by the end-to-end test
 * (test/web/dapp-market.test.ts) and web:screenshots.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenarioByName, scenarioCsv } from "../lib/scenarios.ts";
import type { WebStack } from "./stack.ts";
import { addChecks, download, open, withdraw, type Dapp, type Party, type Shot } from "./flow.ts";

/** Hardhat's well-known account #5: the second buyer (local chains only). */
export const SECOND_BUYER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

/** What one listing row of the Listings page says. */
interface ListingRow {
  verdict: string;
  domain: string;
  price: string;
  sales: string;
  status: string;
}

export interface MarketRun {
  listingId: string;
  /** The row once the oracle's record verified. */
  listed: ListingRow;
  /** The form's alert when the escrow is below the posted price, and the contract's balance then. */
  belowPosted: { alert: string; balance: bigint };
  noDeal: { dealId: string; cause: string; refundAfter: string; escrowBeforeKey: bigint };
  sold: { dealId: string; paid: string; received: boolean };
  /** The row after both sales. */
  after: ListingRow;
  /** The seller's My deals rows: deal ids and the role column. */
  sellerDeals: { dealId: string; role: string }[];
}

async function readRow(p: Party, dapp: Dapp, until: RegExp): Promise<{ id: string; row: ListingRow }> {
  for (let i = 0; i < 120; i++) {
    await open(p, dapp, "listings");
    const tr = p.page.locator("tr[data-listing]").first();
    await tr.waitFor();
    const cell = async (t: string) => (await tr.getByTestId(t).textContent())!;
    const row = {
      verdict: await cell("listing-verdict"),
      domain: await cell("listing-domain"),
      price: await cell("listing-price"),
      sales: await cell("listing-sales"),
      status: await cell("listing-status"),
    };
    if (until.test(`${row.verdict} | ${row.sales}`))
      return { id: (await tr.getAttribute("data-listing"))!, row };
    await p.page.waitForTimeout(500);
  }
  throw new Error(`the listing never matched ${until}`);
}

/** A buyer buys from the listing page: fields, optional checks, key saved, then escrow; returns the deal id. */
async function buy(
  stack: WebStack,
  dapp: Dapp,
  buyer: Party,
  listingId: string,
  work: string,
  checks: boolean,
  shot: Shot,
): Promise<{ dealId: string; keyFile: string; escrowBeforeKey: bigint }> {
  await open(buyer, dapp, `listing/${listingId}`);
  await buyer.page
    .getByTestId("listing-verdict")
    .getByText(/Verified/)
    .waitFor();
  await buyer.page.getByLabel(/^Budget/).fill("2");
  await buyer.page.getByLabel(/^Escrow/).fill("2");
  await buyer.page.getByLabel("Requirements").fill(scenarioByName("vision").buyerRequirements);
  if (checks)
    await addChecks(buyer.page, [
      { kind: "valuesIn", id: "only-cars", fields: { Column: "label", "Values (comma-separated)": "car" } },
    ]);
  await shot(buyer.page, checks ? "22-listing-buy-with-check" : "23-listing-buy");
  await buyer.page.getByRole("button", { name: "Buy", exact: true }).click();
  await buyer.page.getByText(/is ready; nothing has been escrowed yet\.$/).waitFor();
  const escrowBeforeKey = await stack.chain.connection.ethers.provider.getBalance(stack.deployment.dealProof);
  const href = (await buyer.page.getByTestId("deal-link").getAttribute("href"))!;
  const keyFile = await download(
    buyer.page,
    /Download your delivery key/,
    join(work, `${href.slice(-8)}.json`),
  );
  await buyer.page.getByRole("button", { name: /^Escrow 2\.0 ETH and create the deal$/ }).click();
  await buyer.page.getByText(/created\.$/).waitFor();
  return { dealId: href.replace("#/deal/", ""), keyFile, escrowBeforeKey };
}

async function settledPage(buyer: Party, dapp: Dapp, dealId: string): Promise<void> {
  await open(buyer, dapp, `deal/${dealId}`);
  await buyer.page.getByTestId("deal-state").getByText("Settled").waitFor({ timeout: 90_000 });
}

export async function marketRun(
  stack: WebStack,
  dapp: Dapp,
  seller: Party,
  buyers: readonly [Party, Party],
  shot: Shot = async () => undefined,
): Promise<MarketRun> {
  const work = mkdtempSync(join(tmpdir(), "dealproof-web-market-"));
  const [picky, plain] = buyers;
  try {
    const s = scenarioByName("vision");
    const plaintext = Buffer.from(scenarioCsv(s, 3000));
    writeFileSync(join(work, "market.csv"), plaintext);
    const balance = () => stack.chain.connection.ethers.provider.getBalance(stack.deployment.dealProof);

    // seller: commit once on Sell, host the encrypted file, publish on My listings
    await open(seller, dapp, "sell");
    await seller.page.getByLabel("Dataset file").setInputFiles(join(work, "market.csv"));
    await seller.page.getByRole("button", { name: "Commit and encrypt" }).click();
    await seller.page.getByTestId("data-root").waitFor();
    await download(seller.page, /Download the encrypted file/, join(dapp.dataDir, "market.csv.enc"));
    await seller.page.getByRole("link", { name: "publish it as a listing" }).click();
    await seller.page.getByTestId("listing-dataset").waitFor();
    const eml = join(work, "offer.eml");
    writeFileSync(
      eml,
      Buffer.from(
        await stack.email.sign(`sales@${stack.email.domain}`, "Dataset", s.sellerDescription),
        "base64",
      ),
    );
    await seller.page.getByLabel(/Encrypted file location/).fill(`${dapp.host.url}/data/market.csv.enc`);
    await seller.page.getByLabel(/^Floor price/).fill("1");
    await seller.page.getByLabel(/^Posted price/).fill("1.5");
    await seller.page.getByLabel("Description").fill(s.sellerDescription);
    await seller.page.getByLabel(/Seller email/).setInputFiles(eml);
    await seller.page.getByLabel(/^Metadata URI/).fill("Street scenes, 3 000 labelled images");
    await shot(seller.page, "20-seller-publish-listing");
    await seller.page.getByRole("button", { name: "Publish listing" }).click();
    await seller.page.getByRole("status").getByText("Published.").waitFor();

    // the oracle verifies the listing once; the record's signature is checked in the browser
    const { id: listingId, row: listed } = await readRow(picky, dapp, /Verified/);
    await shot(picky.page, "21-listings");

    // a posted price above the escrow is refused in the form, nothing sealed or sent
    await open(picky, dapp, `listing/${listingId}`);
    await picky.page
      .getByTestId("listing-verdict")
      .getByText(/Verified/)
      .waitFor();
    await picky.page.getByLabel(/^Budget/).fill("1");
    await picky.page.getByLabel(/^Escrow/).fill("1");
    await picky.page.getByLabel("Requirements").fill(s.buyerRequirements);
    await picky.page.getByRole("button", { name: "Buy", exact: true }).click();
    const belowPosted = {
      alert: (await picky.page.getByRole("alert").textContent())!,
      balance: await balance(),
    };

    // buyer 1: a required check the data fails → no-deal, the whole escrow withdrawn
    const a = await buy(stack, dapp, picky, listingId, work, true, shot);
    await settledPage(picky, dapp, a.dealId);
    await picky.page.getByRole("button", { name: /Sign in and show the transcript/ }).click();
    const cause = (await picky.page.getByTestId("no-deal-cause").textContent())!;
    await shot(picky.page, "24-listing-no-deal");
    await withdraw(picky);
    const refundAfter = (await picky.page.getByTestId("payout").textContent())!;

    // buyer 2: no checks → settled at the posted price, the data received with the key file
    const b = await buy(stack, dapp, plain, listingId, work, false, shot);
    await settledPage(plain, dapp, b.dealId);
    await plain.page.getByLabel("Delivery key file").setInputFiles(b.keyFile);
    await plain.page.getByTestId("delivered").waitFor({ timeout: 30_000 });
    const received = readFileSync(await download(plain.page, /Save the dataset/, join(work, "received.csv")));
    const paid = (await plain.page.getByTestId("paid").textContent())!;
    await shot(plain.page, "25-listing-delivered");

    const { row: after } = await readRow(plain, dapp, /\| 2$/);
    await open(seller, dapp, "");
    await seller.page.locator("tr[data-deal]").nth(1).waitFor();
    const sellerDeals = await seller.page.locator("tr[data-deal]").evaluateAll((els) =>
      els.map((e) => ({
        dealId: e.getAttribute("data-deal")!,
        role:
          (e as unknown as { children: ArrayLike<{ textContent: string | null }> }).children[1]!
            .textContent ?? "",
      })),
    );
    await shot(seller.page, "26-seller-my-deals-listing");
    await open(seller, dapp, "sell/listings");
    await seller.page.locator("li[data-listing]").first().waitFor();
    await shot(seller.page, "27-seller-my-listings");
    return {
      listingId,
      listed,
      belowPosted,
      noDeal: { dealId: a.dealId, cause, refundAfter, escrowBeforeKey: a.escrowBeforeKey },
      sold: { dealId: b.dealId, paid, received: received.equals(plaintext) },
      after,
      sellerDeals,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
