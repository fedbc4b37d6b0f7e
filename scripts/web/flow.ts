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

export async function download(page: Page, linkName: RegExp, to: string): Promise<string> {
  const [d] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: linkName }).click(),
  ]);
  await d.saveAs(to);
  return to;
}

/** One check as the buyer enters it in the editor: its kind, id, fields by label, required or not. */
export interface EditorCheck {
  kind: string;
  id: string;
  fields: Record<string, string>;
  required?: boolean;
}

/** Adds each check in the buyer's editor, as a buyer clicks it. */
export async function addChecks(page: Page, list: readonly EditorCheck[]): Promise<void> {
  for (const c of list) {
    const at = await page.locator("fieldset[data-row]").count();
    await page.getByLabel("Kind of check").selectOption(c.kind);
    await page.getByRole("button", { name: "Add check" }).click();
    const row = page.locator(`fieldset[data-row="${at}"]`);
    await row.getByLabel("Check id", { exact: true }).fill(c.id);
    for (const [label, value] of Object.entries(c.fields)) {
      const field = row.getByLabel(label, { exact: true });
      if ((await field.evaluate((e) => e.tagName)) === "SELECT") await field.selectOption(value);
      else await field.fill(value);
    }
    if (c.required === false) await row.getByRole("checkbox").uncheck();
  }
}

interface CheckResultRow {
  id: string;
  status: string;
  cells: string[];
}

/** The deal page's check results table, after the sign-in. */
async function readCheckResults(page: Page): Promise<{ termsHash: string; rows: CheckResultRow[] }> {
  await page.locator("[data-result]").first().waitFor();
  return {
    termsHash: (await page.getByTestId("terms-hash").textContent())!,
    rows: await page.locator("[data-result]").evaluateAll((els) =>
      els.map((e) => ({
        id: e.getAttribute("data-result")!,
        status: e.getAttribute("data-status")!,
        cells: Array.from(
          (
            e as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }
          ).querySelectorAll("td"),
          (td) => td.textContent ?? "",
        ),
      })),
    ),
  };
}

/** The ids of the dataset's first ten rows plus five that are not in it: an overlap of exactly 10. */
const OVERLAP_IDS = [
  ...Array.from({ length: 10 }, (_, i) => `img_${String(i).padStart(6, "0")}`),
  ...Array.from({ length: 5 }, (_, i) => `nobody-${i}`),
];

/** The buyer's checks in the e2e deal: every one passes on the vision CSV of 3000 rows. */
export const PASSING_CHECKS: readonly EditorCheck[] = [
  { kind: "rowCount", id: "enough-rows", fields: { "At least": "1000" } },
  { kind: "column", id: "label-column", fields: { Column: "label", Type: "string" } },
  { kind: "nullFraction", id: "labels-present", fields: { Column: "label", "Share at most (0–1)": "0" } },
  {
    kind: "valuesIn",
    id: "labels-known",
    fields: {
      Column: "label",
      "Values (comma-separated)": "car, person, bike, bus, truck, sign, light, dog",
    },
  },
  {
    kind: "stat",
    id: "x-mean",
    fields: { Column: "x", Statistic: "mean", "At least": "0", "At most": "1800" },
    required: false,
  },
  // the generator's first 3000 rows label only cars and people
  { kind: "distinctCount", id: "classes", fields: { Column: "label", "At least": "2" }, required: false },
  {
    kind: "overlap",
    id: "my-images",
    fields: { Column: "image_id", "Matches at least": "10", "Matches at most": "10" },
  },
];

/** What a buyer's checks end as: all pass, or a required one fails (the deal ends as no-deal). */
type ChecksPlan = { checks: readonly EditorCheck[]; overlapIds?: readonly string[] };

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
  /** With checks: what the editor said of a bad one, and the results the deal page showed. */
  checksRun?: CheckedRun;
}

interface CheckedRun {
  /** The bad check's message next to its field, the form's alert, and whether anything moved. */
  refused: { fieldError: string; alert: string; dealLinks: number; escrowAfter: bigint };
  results: { termsHash: string; rows: CheckResultRow[] };
}

interface Settled {
  dealId: string;
  dataRoot: string;
  plaintext: Buffer;
  buyerKeyFile: string;
  escrowBeforeKey: bigint;
  sendEnabledBeforeKey: boolean;
  sellerPreview: string;
  refused?: CheckedRun["refused"];
}

/**
 * The deal up to its settlement: the seller commits, the buyer creates it (with checks entered in
 * the editor, a bad one refused first, when asked), the seller accepts, the oracle settles; the
 * buyer's deal page is open on the settled deal.
 */
async function createAndSettle(
  stack: WebStack,
  dapp: Dapp,
  seller: Party,
  buyer: Party,
  shot: Shot,
  work: string,
  opts: { postedPrice?: string; checks?: ChecksPlan },
): Promise<Settled> {
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
  const balance = () => stack.chain.connection.ethers.provider.getBalance(stack.deployment.dealProof);
  let refused: CheckedRun["refused"] | undefined;
  if (opts.checks !== undefined)
    refused = await enterChecks(buyer.page, dapp, work, opts.checks, balance, shot);
  await shot(buyer.page, "03-buyer-form");
  await buyer.page.getByRole("button", { name: "Create deal" }).click();
  // step 1: the key is offered while nothing is escrowed; the escrow button waits for it
  await buyer.page.getByText(/is ready; nothing has been escrowed yet\.$/).waitFor();
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
  return {
    dealId,
    dataRoot,
    plaintext,
    buyerKeyFile,
    escrowBeforeKey,
    sendEnabledBeforeKey,
    sellerPreview,
    ...(refused === undefined ? {} : { refused }),
  };
}

/**
 * The buyer enters its checks: first one of them with a share above 1, which the editor refuses
 * next to the field before anything is sent; then the right value. Overlap ids are hashed and
 * encrypted in the page, and the encrypted key file is hosted beside the dataset.
 */
async function enterChecks(
  page: Page,
  dapp: Dapp,
  work: string,
  plan: ChecksPlan,
  balance: () => Promise<bigint>,
  shot: Shot,
): Promise<CheckedRun["refused"]> {
  const [first, ...rest] = plan.checks;
  const bad = {
    kind: "nullFraction",
    id: first!.id,
    fields: { Column: "label", "Share at most (0–1)": "1.5" },
  };
  await addChecks(page, [bad]);
  await page.getByRole("button", { name: "Create deal" }).click();
  const alert = (await page.getByRole("alert").textContent())!;
  const fieldError = (await page.locator('fieldset[data-row="0"] [data-error-for="max"]').textContent())!;
  const refused = {
    fieldError,
    alert,
    dealLinks: await page.getByTestId("deal-link").count(),
    escrowAfter: await balance(),
  };
  await shot(page, "03a-buyer-check-refused");
  await page.getByRole("button", { name: "Remove check 1" }).click();
  await addChecks(page, [first!, ...rest]);
  if (plan.overlapIds !== undefined) {
    const ids = join(work, "my-ids.txt");
    writeFileSync(ids, `${plan.overlapIds.join("\n")}\n`);
    await page.getByLabel(/^Your own ids for overlap checks/).setInputFiles(ids);
    await page.getByTestId("overlap-keys").waitFor();
    await download(page, /Download the encrypted key file/, join(dapp.dataDir, "my-ids.enc"));
    await page.getByLabel(/^Encrypted key file location/).fill(`${dapp.host.url}/data/my-ids.enc`);
  }
  return refused;
}

export async function wholeDeal(
  stack: WebStack,
  dapp: Dapp,
  seller: Party,
  buyer: Party,
  shot: Shot = async () => undefined,
  /**
   * postedPrice: the seller's posted price in ETH (the truthful option; negotiated within the
   * floor if absent). checks: the buyer enters PASSING_CHECKS in the editor (a bad one first).
   */
  opts: { postedPrice?: string; checks?: boolean } = {},
): Promise<DealRun> {
  const work = mkdtempSync(join(tmpdir(), "dealproof-web-flow-"));
  try {
    const plan = opts.checks === true ? { checks: PASSING_CHECKS, overlapIds: OVERLAP_IDS } : undefined;
    const d = await createAndSettle(stack, dapp, seller, buyer, shot, work, {
      ...(opts.postedPrice === undefined ? {} : { postedPrice: opts.postedPrice }),
      ...(plan === undefined ? {} : { checks: plan }),
    });
    const { dealId } = d;
    await shot(buyer.page, "06-deal-settled");
    await buyer.page.getByRole("button", { name: /Sign in and show the transcript/ }).click();
    const chartShown = await buyer.page
      .getByRole("img", { name: /Offers by round/ })
      .waitFor()
      .then(() => true);
    const results = plan === undefined ? undefined : await readCheckResults(buyer.page);
    if (results !== undefined) await shot(buyer.page, "06b-deal-check-results");
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
    await buyer.page.getByLabel("Delivery key file").setInputFiles(d.buyerKeyFile);
    await buyer.page.getByTestId("delivered").waitFor({ timeout: 30_000 });
    const received = readFileSync(await download(buyer.page, /Save the dataset/, join(work, "received.csv")));
    await shot(buyer.page, "08-deal-delivered");
    const timeline = await buyer.page
      .locator("[data-event]")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-event")!));

    // both withdraw: the buyer its change (escrow − price), the seller the price
    const buyerPayout = (await buyer.page.getByTestId("payout").textContent())!;
    const buyerPaid = (await buyer.page.getByTestId("paid").textContent())!;
    await withdraw(buyer);
    await open(seller, dapp, `deal/${dealId}`);
    await seller.page.getByTestId("deal-state").getByText("Settled").waitFor();
    const sellerPayout = (await seller.page.getByTestId("payout").textContent())!;
    await withdraw(seller);
    await seller.page.locator('[data-event="Withdrawn"]').nth(1).waitFor();
    await shot(seller.page, "09-seller-withdrawn");
    return {
      dealId,
      dataRoot: d.dataRoot,
      plaintext: d.plaintext,
      received,
      checks,
      verdict,
      chartShown,
      timeline,
      sellerPayoutAfter: (await seller.page.getByTestId("payout").textContent())!,
      escrowBeforeKey: d.escrowBeforeKey,
      sendEnabledBeforeKey: d.sendEnabledBeforeKey,
      sellerPreview: d.sellerPreview,
      buyerPayout,
      buyerPaid,
      sellerPayout,
      buyerKeyFile: readFileSync(d.buyerKeyFile, "utf8"),
      ...(results === undefined || d.refused === undefined
        ? {}
        : { checksRun: { refused: d.refused, results } }),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function withdraw(p: Party): Promise<void> {
  await p.page.getByRole("button", { name: "Withdraw" }).click();
  await p.page
    .getByTestId("payout")
    .getByText(/: 0\.0 ETH — withdrawn$/)
    .waitFor();
}

export interface NoDealRun {
  dealId: string;
  oracleStatus: string;
  results: { termsHash: string; rows: CheckResultRow[] };
  noDealCause: string;
  /** The buyer's payout line before and after withdrawing, and the contract's balance after. */
  refundBefore: string;
  refundAfter: string;
  balanceAfter: bigint;
}

/**
 * A deal whose buyer requires the labels to be only "car": the enclave's check fails, the deal
 * settles as no-deal naming the check, the deal page says so, and the buyer withdraws its escrow.
 */
export async function noDealOnCheck(
  stack: WebStack,
  dapp: Dapp,
  seller: Party,
  buyer: Party,
  shot: Shot = async () => undefined,
): Promise<NoDealRun> {
  const work = mkdtempSync(join(tmpdir(), "dealproof-web-flow-"));
  try {
    const checks: EditorCheck[] = [
      { kind: "rowCount", id: "enough-rows", fields: { "At least": "1000" } },
      { kind: "valuesIn", id: "only-cars", fields: { Column: "label", "Values (comma-separated)": "car" } },
    ];
    const none = async () => undefined;
    const { dealId } = await createAndSettle(stack, dapp, seller, buyer, none, work, { checks: { checks } });
    const oracleStatus = (await buyer.page.getByTestId("oracle-status").textContent())!;
    await buyer.page.getByRole("button", { name: /Sign in and show the transcript/ }).click();
    const results = await readCheckResults(buyer.page);
    const noDealCause = (await buyer.page.getByTestId("no-deal-cause").textContent())!;
    const refundBefore = (await buyer.page.getByTestId("payout").textContent())!;
    await shot(buyer.page, "13-deal-no-deal-check-failed");
    await withdraw(buyer);
    return {
      dealId,
      oracleStatus,
      results,
      noDealCause,
      refundBefore,
      refundAfter: (await buyer.page.getByTestId("payout").textContent())!,
      balanceAfter: await stack.chain.connection.ethers.provider.getBalance(stack.deployment.dealProof),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One row of "My deals" as the page shows it. */
export interface MyDealRow {
  dealId: string;
  state: string;
  words: string;
  price: string;
  next: { kind: string; text: string }[];
  txs: { step: string; hash: string; linked: boolean }[];
}

/** Opens "My deals" and reads every row (the full ids from the copy elements). */
export async function readMyDeals(p: Party, dapp: Dapp): Promise<MyDealRow[]> {
  await open(p, dapp, "");
  await p.page.locator("tr[data-deal]").first().waitFor();
  return myDealRows(p.page);
}

/** The rows of the "My deals" page already open. */
export function myDealRows(page: Page): Promise<MyDealRow[]> {
  type El = {
    getAttribute(n: string): string | null;
    textContent: string | null;
    querySelector(s: string): El | null;
    querySelectorAll(s: string): ArrayLike<El>;
  };
  return page.locator("tr[data-deal]").evaluateAll((els) =>
    (els as unknown as El[]).map((e) => ({
      dealId: e.getAttribute("data-deal")!,
      state: e.getAttribute("data-state")!,
      words: e.querySelector('[data-testid="deal-words"]')!.textContent ?? "",
      price: e.querySelector('[data-testid="deal-price"]')!.textContent ?? "",
      next: Array.from(e.querySelectorAll("[data-action]"), (a) => ({
        kind: a.getAttribute("data-action")!,
        text: a.textContent ?? "",
      })),
      txs: Array.from(e.querySelectorAll("[data-tx]"), (t) => ({
        step: t.getAttribute("data-tx")!,
        hash: t.getAttribute("data-hash")!,
        linked: t.querySelector("a") !== null,
      })),
    })),
  );
}
