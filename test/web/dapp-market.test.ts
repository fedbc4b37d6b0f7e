/**
 * The dapp as a market end to end in headless Chromium (scripts/web/listing-flow.ts): the seller
 * publishes once, the oracle's signed record is checked in the browser, a posted price above the
 * escrow is refused in the form, a buyer with a failing required check ends no-deal and withdraws
 * its whole escrow, another buyer settles at the posted price and receives the data; both deals
 * show in the seller's My deals and as 2 sales on the Listings page.
 */
import { expect } from "chai";
import { startWebStack, type WebStack } from "../../scripts/web/stack.ts";
import { launchBrowser, type LaunchedBrowser } from "../../scripts/web/browser.ts";
import { BUYER_KEY, SELLER_KEY, hostDapp, party, type Dapp } from "../../scripts/web/flow.ts";
import { SECOND_BUYER_KEY, marketRun, type MarketRun } from "../../scripts/web/listing-flow.ts";

describe("web dapp market in headless Chromium", function () {
  this.timeout(300_000);
  let stack: WebStack;
  let dapp: Dapp;
  let chromium: LaunchedBrowser;
  let run: MarketRun;

  before(async () => {
    stack = await startWebStack();
    dapp = await hostDapp(stack);
    chromium = await launchBrowser();
    const seller = await party(chromium.browser, stack, SELLER_KEY);
    const a = await party(chromium.browser, stack, BUYER_KEY);
    const b = await party(chromium.browser, stack, SECOND_BUYER_KEY);
    run = await marketRun(stack, dapp, seller, [a, b]);
  });
  after(async () => {
    await chromium?.close();
    await dapp?.close();
    await stack?.close();
  });

  it("lists the published listing with the oracle's verified record, the DKIM domain, the posted price, 0 sales", () => {
    expect(run.listingId).to.match(/^0x[0-9a-f]{64}$/);
    expect(run.listed.verdict).to.match(/^✓ Verified by the oracle/);
    expect(run.listed.domain).to.equal(`✓ ${stack.email.domain}`);
    expect(run.listed.price).to.equal("1.5 ETH (posted price)");
    expect(run.listed.sales).to.equal("0");
    expect(run.listed.status).to.match(/^On sale until \d{4}-\d{2}-\d{2}$/);
  });

  it("refuses a posted price above the escrow in the form, before anything is sealed or sent", () => {
    expect(run.belowPosted.alert).to.match(/the posted price 1\.5 ETH is above your escrow 1\.0 ETH/);
    expect(run.belowPosted.balance).to.equal(0n);
  });

  it("ends the deal of a buyer whose required check fails as no-deal; that buyer withdraws its whole escrow", () => {
    expect(run.noDeal.escrowBeforeKey).to.equal(0n);
    expect(run.noDeal.cause).to.match(/^No deal: the required check only-cars failed/);
    expect(run.noDeal.refundAfter).to.equal("Your refund (the whole escrow): 0.0 ETH — withdrawn");
  });

  it("settles the other buyer's deal at the posted price and delivers the data", () => {
    expect(run.sold.paid).to.equal("You paid 1.5 ETH to the seller for the dataset.");
    expect(run.sold.received).to.equal(true);
  });

  it("counts both sales on the listing and shows both listing deals in the seller's My deals", () => {
    expect(run.after.sales).to.equal("2");
    const ids = run.sellerDeals.map((d) => d.dealId);
    expect(ids).to.include(run.noDeal.dealId).and.to.include(run.sold.dealId);
    expect(run.sellerDeals.every((d) => d.role === "selling (listing)")).to.equal(true);
  });
});
