/**
 * `npm run web:screenshots -- --out DIR`: runs the whole deal through the dapp in headless
 * Chromium against the local stack and writes a PNG of every page of the flow, each at desktop
 * (1100 px) and phone (375 px) width — the buyer's checks editor (with a refused check) and the
 * check results included — plus the tampered-quote, wrong-network and no-deal-on-a-failed-check
 * views, and the market (listing-flow.ts): publishing a listing, the Listings page, a listing's
 * Buy, a listing deal's no-deal and delivery, the seller's My deals and My listings.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import { startWebStack } from "./stack.ts";
import { launchBrowser } from "./browser.ts";
import { BUYER_KEY, SELLER_KEY, hostDapp, noDealOnCheck, open, party, wholeDeal } from "./flow.ts";
import { SECOND_BUYER_KEY, marketRun } from "./listing-flow.ts";

const USAGE =
  "usage: npm run web:screenshots -- --out DIR  (a PNG of every page of a whole deal, desktop and phone)";
let outDir: string;
try {
  const { values } = parseArgs({
    options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.out === undefined) throw new Error("--out DIR is required");
  outDir = resolve(values.out);
} catch (e) {
  console.error(`web:screenshots: ${(e as Error).message}\n${USAGE}`);
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const written: string[] = [];
async function shot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize()!;
  for (const [label, vp] of [
    ["desktop", size],
    ["phone", { width: 375, height: 740 }],
  ] as const) {
    await page.setViewportSize(vp);
    const file = join(outDir, `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    written.push(file);
  }
  await page.setViewportSize(size);
}

const stack = await startWebStack();
const dapp = await hostDapp(stack);
const chromium = await launchBrowser();
try {
  const seller = await party(chromium.browser, stack, SELLER_KEY);
  const buyer = await party(chromium.browser, stack, BUYER_KEY);
  const run = await wholeDeal(stack, dapp, seller, buyer, shot, { checks: true });

  buyer.wallet.tamperQuote = true;
  await open(buyer, dapp, `deal/${run.dealId}`);
  await buyer.page.getByRole("button", { name: /Verify the settlement quote/ }).click();
  await buyer.page.getByTestId("quote-verdict").waitFor();
  await shot(buyer.page, "10-deal-tampered-quote");

  const wrong = await party(chromium.browser, stack, BUYER_KEY);
  wrong.wallet.chainIdOverride = 1;
  await wrong.page.goto(`${dapp.host.url}/#/`);
  await wrong.page.getByRole("button", { name: /Connect DealProof Test Wallet/ }).click();
  await wrong.page.getByText(/Wrong network/).waitFor();
  await shot(wrong.page, "11-wrong-network");

  await open(buyer, dapp, "");
  await buyer.page.getByTestId("deal-id").first().waitFor();
  await shot(buyer.page, "12-my-deals");

  await noDealOnCheck(stack, dapp, seller, buyer, shot);
  await marketRun(stack, dapp, seller, [buyer, await party(chromium.browser, stack, SECOND_BUYER_KEY)], shot);
  console.log(written.join("\n"));
  console.log(`${written.length} screenshots in ${outDir}`);
} finally {
  await chromium.close();
  await dapp.close();
  await stack.close();
}
process.exit(0);
