/**
 * One whole deal driven through the dapp in a real browser, as a seller and a buyer would click
 * it: the seller commits and encrypts a dataset and "hosts" the download, the buyer creates the
 * deal, the seller accepts, the oracle negotiates and settles, the buyer reads the transcript,
 * verifies the settlement quote and receives the dataset, both withdraw. Shared by the
 * end-to-end test (which asserts on the result) and web:screenshots (which photographs each page).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { scenarioByName, scenarioCsv } from "../lib/scenarios.ts";
import type { WebStack } from "./stack.ts";
import { buildDapp, installTestWallet, type TestWalletControls } from "./browser.ts";
import { serveDapp, type StaticHost } from "./serve.ts";

/** Hardhat's well-known accounts #3 (seller) and #4 (buyer): local chains only. */
export const SELLER_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
export const BUYER_KEY = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";

export type Shot = (page: Page, name: string) => Promise<void>;

export interface Dapp {
  host: StaticHost;
  dataDir: string;
  close(): Promise<void>;
}

/** Builds the dapp (with the component harness when asked) and serves it beside the stack. */
export async function hostDapp(stack: WebStack, opts: { harness?: boolean } = {}): Promise<Dapp> {
  const out = mkdtempSync(join(tmpdir(), "dealproof-web-dist-"));
  await buildDapp(out, opts);
  const dataDir = join(stack.dir, "hosted");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(dataDir, { recursive: true });
  const host = await serveDapp({ root: out, oracleUrl: stack.oracle.url, config: stack.config, dataDir });
  return {
    host,
    dataDir,
    close: async () => {
      await host.close();
      rmSync(out, { recursive: true, force: true });
    },
  };
}

export interface Party {
  context: BrowserContext;
  page: Page;
  wallet: TestWalletControls;
}

export async function party(
  browser: Browser,
  stack: WebStack,
  key: string,
  viewport = { width: 1100, height: 900 },
): Promise<Party> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const wallet = await installTestWallet(context, { key, rpcUrl: stack.chain.url });
  const page = await context.newPage();
  if (process.env.DEALPROOF_WEB_DEBUG === "1") {
    page.on("console", (m) => console.log(`[page] ${m.text()}`));
    page.on("pageerror", (e) => console.log(`[page error] ${e.message}`));
  }
  return { context, page, wallet };
}

/** Opens a page of the dapp and connects the injected wallet. */
export async function open(p: Party, dapp: Dapp, route: string): Promise<void> {
  await p.page.goto("about:blank"); // a fresh load each time, not only a hash change
  await p.page.goto(`${dapp.host.url}/#/${route}`);
  await p.page.getByRole("button", { name: /Connect DealProof Test Wallet/ }).click();
  await p.page.getByTestId("account").waitFor();
}

async function download(page: Page, linkName: RegExp, to: string): Promise<string> {
  const [d] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: linkName }).click(),
  ]);
  await d.saveAs(to);
  return to;
}

export interface DealRun {
  dealId: string;
  dataRoot: string;
  plaintext: Buffer;
  received: Buffer;
  checks: { name: string; passed: boolean }[];
  verdict: string;
  chartShown: boolean;
  timeline: string[];
  sellerPayoutAfter: string;
  buyerKeyFile: string;
  /** The contract's balance while the buyer's key was offered, before the escrow button. */
  escrowBeforeKey: bigint;
  sendEnabledBeforeKey: boolean;
  /** What the seller saw of the deal before accepting. */
  sellerPreview: string;
  buyerPayout: string;
  buyerPaid: string;
  sellerPayout: string;
}

export async function wholeDeal(
  stack: WebStack,
  dapp: Dapp,
  seller: Party,
  buyer: Party,
  shot: Shot = async () => undefined,
  /** The seller's posted price in ETH (the truthful option); negotiated within the floor if absent. */
  opts: { postedPrice?: string } = {},
): Promise<DealRun> {
  const work = mkdtempSync(join(tmpdir(), "dealproof-web-flow-"));
  try {
    const s = scenarioByName("vision");
    const plaintext = Buffer.from(scenarioCsv(s, 3000));
    const plainPath = join(work, "vision.csv");
    writeFileSync(plainPath, plaintext);

    // seller: commit + encrypt in the browser, download the encrypted file and host it
    await open(seller, dapp, "sell");
    await shot(seller.page, "01-seller-empty");
    await seller.page.getByLabel("Dataset file").setInputFiles(plainPath);
    await seller.page.getByRole("button", { name: "Commit and encrypt" }).click();
    const dataRoot = (await seller.page.getByTestId("data-root").textContent())!;
    await shot(seller.page, "02-seller-committed");
    await download(seller.page, /Download the encrypted file/, join(dapp.dataDir, "vision.csv.enc"));
    await download(seller.page, /Download the key file/, join(work, "seller-key.json"));

    // buyer: create the deal with a sealed input; keep the delivery key file
    await open(buyer, dapp, "buy");
    await buyer.page.getByLabel("Seller address").fill(seller.wallet.address);
    await buyer.page.getByLabel("Dataset root").fill(dataRoot);
    await buyer.page.getByLabel(/^Budget/).fill("2");
    await buyer.page.getByLabel(/^Escrow/).fill("2.5");
    await buyer.page.getByLabel("Requirements").fill(s.buyerRequirements);
    await shot(buyer.page, "03-buyer-form");
    await buyer.page.getByRole("button", { name: "Create deal" }).click();
    // step 1: the key is offered while nothing is escrowed; the escrow button waits for it
    await buyer.page.getByText(/is ready; nothing has been escrowed yet\.$/).waitFor();
    const balance = () => stack.chain.connection.ethers.provider.getBalance(stack.deployment.dealProof);
    const escrowBeforeKey = await balance();
    const send = buyer.page.getByRole("button", { name: /^Escrow 2\.5 ETH and create the deal$/ });
    const sendEnabledBeforeKey = await send.isEnabled();
    const href = (await buyer.page.getByTestId("deal-link").getAttribute("href"))!;
    const dealId = href.replace("#/deal/", "");
    const buyerKeyFile = await download(
      buyer.page,
      /Download your delivery key/,
      join(work, "delivery-key.json"),
    );
    // step 2: only now the escrow moves
    await send.click();
    await buyer.page.getByText(/created\.$/).waitFor();
    await shot(buyer.page, "04-buyer-created");

    // seller: accept with a sealed input naming where the encrypted file is hosted
    const eml = join(work, "offer.eml");
    writeFileSync(
      eml,
      Buffer.from(
        await stack.email.sign(`sales@${stack.email.domain}`, "Dataset offer", s.sellerDescription),
        "base64",
      ),
    );
    await seller.page.getByLabel("Deal id").fill(dealId);
    const preview = seller.page.getByTestId("deal-preview");
    await preview.getByText(/escrow/).waitFor();
    const sellerPreview = (await preview.textContent())!;
    await seller.page.getByLabel(/Encrypted file location/).fill(`${dapp.host.url}/data/vision.csv.enc`);
    await seller.page.getByLabel(/^Floor price/).fill("1");
    if (opts.postedPrice !== undefined) await seller.page.getByLabel(/^Posted price/).fill(opts.postedPrice);
    await seller.page.getByLabel("Description").fill(s.sellerDescription);
    await seller.page.getByLabel(/Seller email/).setInputFiles(eml);
    await shot(seller.page, "05-seller-accept");
    await seller.page.getByRole("button", { name: "Accept deal" }).click();
    await seller.page.getByText(/^Accepted:/).waitFor();

    // buyer: the deal page (fresh load: the delivery key comes from the downloaded file)
    await open(buyer, dapp, `deal/${dealId}`);
    await buyer.page.getByTestId("deal-state").getByText("Settled").waitFor({ timeout: 60_000 });
    await shot(buyer.page, "06-deal-settled");
    await buyer.page.getByRole("button", { name: /Sign in and show the transcript/ }).click();
    const chartShown = await buyer.page
      .getByRole("img", { name: /Offers by round/ })
      .waitFor()
      .then(() => true);
    await buyer.page.getByRole("button", { name: /Verify the settlement quote/ }).click();
    await buyer.page.getByTestId("quote-verdict").waitFor({ timeout: 30_000 });
    const verdict = (await buyer.page.getByTestId("quote-verdict").textContent())!;
    const checks = await buyer.page.locator("[data-check]").evaluateAll((els) =>
      els.map((e) => ({
        name: e.getAttribute("data-check")!,
        passed: e.getAttribute("data-passed") === "yes",
      })),
    );
    await shot(buyer.page, "07-deal-verified");
    await buyer.page.getByLabel("Delivery key file").setInputFiles(buyerKeyFile);
    await buyer.page.getByTestId("delivered").waitFor({ timeout: 30_000 });
    const received = readFileSync(await download(buyer.page, /Save the dataset/, join(work, "received.csv")));
    await shot(buyer.page, "08-deal-delivered");
    const timeline = await buyer.page
      .locator("[data-event]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-event")!));

    // both withdraw: the buyer its change (escrow − price), the seller the price
    const buyerPayout = (await buyer.page.getByTestId("payout").textContent())!;
    const buyerPaid = (await buyer.page.getByTestId("paid").textContent())!;
    await buyer.page.getByRole("button", { name: "Withdraw" }).click();
    await buyer.page
      .getByTestId("payout")
      .getByText(/: 0\.0 ETH — withdrawn$/)
      .waitFor();
    await open(seller, dapp, `deal/${dealId}`);
    await seller.page.getByTestId("deal-state").getByText("Settled").waitFor();
    const sellerPayout = (await seller.page.getByTestId("payout").textContent())!;
    await seller.page.getByRole("button", { name: "Withdraw" }).click();
    await seller.page
      .getByTestId("payout")
      .getByText(/: 0\.0 ETH — withdrawn$/)
      .waitFor();
    await seller.page.locator('[data-event="Withdrawn"]').nth(1).waitFor();
    await shot(seller.page, "09-seller-withdrawn");
    return {
      dealId,
      dataRoot,
      plaintext,
      received,
      checks,
      verdict,
      chartShown,
      timeline,
      sellerPayoutAfter: (await seller.page.getByTestId("payout").textContent())!,
      escrowBeforeKey,
      sendEnabledBeforeKey,
      sellerPreview,
      buyerPayout,
      buyerPaid,
      sellerPayout,
      buyerKeyFile: readFileSync(buyerKeyFile, "utf8"),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
