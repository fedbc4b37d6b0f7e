/**
 * The dapp end to end in headless Chromium (npm-shipped binary, Playwright as a library) against
 * a local chain, DealProof and a real oracle daemon (TDX simulator), with an injected EIP-6963
 * test wallet: a whole deal through the UI, then what a user sees when the RPC returns a
 * tampered settlement quote, when they reject a signature, when a transaction reverts, and on
 * a chain without DealProof. Component tests render each component alone in the same browser.
 */
import { expect } from "chai";
import { Contract, Wallet, formatEther, parseEther } from "ethers";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import { startWebStack, type WebStack } from "../../scripts/web/stack.ts";
import { launchBrowser, type LaunchedBrowser } from "../../scripts/web/browser.ts";
import {
  BUYER_KEY,
  SELLER_KEY,
  PASSING_CHECKS,
  hostDapp,
  noDealOnCheck,
  open,
  party,
  readMyDeals,
  myDealRows,
  wholeDeal,
  type Dapp,
  type DealRun,
  type Party,
} from "../../scripts/web/flow.ts";

describe("web dapp in headless Chromium", function () {
  this.timeout(240_000);
  let stack: WebStack;
  let dapp: Dapp;
  let chromium: LaunchedBrowser;
  let seller: Party;
  let buyer: Party;
  let run: DealRun;
  let noDealId: string;

  before(async () => {
    stack = await startWebStack();
    dapp = await hostDapp(stack, { harness: true });
    chromium = await launchBrowser();
    seller = await party(chromium.browser, stack, SELLER_KEY);
    buyer = await party(chromium.browser, stack, BUYER_KEY);
  });
  after(async () => {
    await chromium?.close();
    await dapp?.close();
    await stack?.close();
  });

  it("runs a whole deal: commit, create, accept, negotiate, settle, verify the quote, deliver, withdraw", async () => {
    run = await wholeDeal(stack, dapp, seller, buyer, undefined, { checks: true });
    expect(run.dataRoot).to.match(/^0x[0-9a-f]{64}$/);
    expect(run.timeline.slice(0, 3)).to.deep.equal(["DealCreated", "DealAccepted", "DealSettled"]);
    expect(run.chartShown).to.equal(true);
    expect(run.verdict).to.match(/verifies in this browser/);
    expect(run.checks).to.deep.equal(
      ["format", "dcap", "tcbStatus", "reportData", "measurement", "tdAttributes"].map((name) => ({
        name,
        passed: true,
      })),
    );
    expect(run.received.equals(run.plaintext)).to.equal(true);
    // one id format, hex, in the link, the key file and the page
    expect(run.dealId).to.match(/^0x[0-9a-f]{64}$/);
    expect(JSON.parse(run.buyerKeyFile)).to.have.property("dealId", run.dealId);
    // the delivery key was offered, and the escrow button held back, before any ETH moved
    expect(run.escrowBeforeKey).to.equal(0n);
    expect(run.sendEnabledBeforeKey).to.equal(false);
    // the seller saw the escrow, the buyer and the deadline before accepting
    expect(run.sellerPreview).to.match(
      new RegExp(
        `^Deal ${run.dealId.slice(0, 6)}…${run.dealId.slice(-4)}: Open · escrow 2\\.5 ETH .* · buyer 0x[0-9a-fA-F]{40} · deadline `,
      ),
    );
    // the buyer's number is its change and says so, with what was paid; the seller's is the price
    const price = /^You paid ([0-9.]+) ETH to the seller for the dataset\.$/.exec(run.buyerPaid)?.[1];
    expect(price, run.buyerPaid).to.not.equal(undefined);
    const change = (25n * 10n ** 17n - parseEther(price!)).toString();
    expect(run.buyerPayout).to.equal(
      `Your change (escrow 2.5 ETH − price ${price} ETH): ${formatEther(BigInt(change))} ETH`,
    );
    expect(run.sellerPayout).to.equal(`Your payout (the agreed price): ${price} ETH`);
    // the escrow left the contract: both payouts withdrawn
    expect(await stack.chain.connection.ethers.provider.getBalance(stack.deployment.dealProof)).to.equal(0n);
  });

  it("takes the buyer's checks in the editor, refuses a bad one before escrow, and shows each result", () => {
    const c = run.checksRun!;
    // a share above 1 is refused next to its field, in the SDK's words, and nothing was sent
    expect(c.refused.fieldError).to.equal("must be from 0 to 1");
    expect(c.refused.alert).to.match(/some checks are not valid, so nothing was sent/);
    expect(c.refused.dealLinks).to.equal(0);
    expect(c.refused.escrowAfter).to.equal(0n);
    // the terms hash recomputed in the browser equals the settled one
    expect(c.results.termsHash).to.match(/^✓ Terms hash recomputed in this browser: 0x[0-9a-f]{64} — equals/);
    // one row per check, in order, each passing; values as the default policy releases them
    expect(c.results.rows.map((r) => r.id)).to.deep.equal(PASSING_CHECKS.map((x) => x.id));
    expect(
      c.results.rows.filter((r) => r.status !== "pass"),
      "checks not passing",
    ).to.deep.equal([]);
    const byId = Object.fromEntries(c.results.rows.map((r) => [r.id, r.cells]));
    expect(byId["enough-rows"]).to.deep.equal(["enough-rows", "row count", "required", "✓ pass", "3000"]);
    expect(byId["x-mean"]!.slice(1, 4)).to.deep.equal(["statistic", "informative", "✓ pass"]);
    expect(byId["classes"]).to.deep.equal(["classes", "distinct count", "informative", "✓ pass", "2"]);
    const mean = Number(byId["x-mean"]![4]);
    expect(mean > 800 && mean < 1000, String(mean)).to.equal(true);
    // the ids hashed in the browser match exactly the ten the oracle finds in the seller's column
    expect(byId["my-images"]).to.deep.equal([
      "my-images",
      "overlap with your keys",
      "required",
      "✓ pass",
      "10",
    ]);
  });

  it("ends a deal whose required check fails as no-deal, names the check, and the buyer withdraws the escrow", async () => {
    const r = await noDealOnCheck(stack, dapp, seller, buyer);
    noDealId = r.dealId;
    expect(r.oracleStatus).to.match(/the buyer's required check only-cars failed/);
    expect(r.results.termsHash).to.match(/— equals the termsHash settled on-chain/);
    expect(r.results.rows.map((x) => [x.id, x.status])).to.deep.equal([
      ["enough-rows", "pass"],
      ["only-cars", "fail"],
    ]);
    // the share of cars (2047 of 3000), rounded to 2 significant digits per the default policy
    expect(r.results.rows[1]!.cells).to.deep.equal([
      "only-cars",
      "values in set",
      "required",
      "✗ fail",
      "0.68",
    ]);
    expect(r.noDealCause).to.match(
      /^No deal: the required check only-cars failed, so the deal ended without a sale/,
    );
    expect(r.refundBefore).to.equal("Your refund (the whole escrow): 2.5 ETH");
    expect(r.refundAfter).to.equal("Your refund (the whole escrow): 0.0 ETH — withdrawn");
    expect(r.balanceAfter).to.equal(0n);
  });

  it("sells at the seller's posted price (the buyer's truthful option): the price is the posted one", async () => {
    const posted = await wholeDeal(stack, dapp, seller, buyer, undefined, { postedPrice: "1.5" });
    expect(posted.timeline.slice(0, 3)).to.deep.equal(["DealCreated", "DealAccepted", "DealSettled"]);
    expect(posted.buyerPaid).to.equal("You paid 1.5 ETH to the seller for the dataset.");
    expect(posted.sellerPayout).to.equal("Your payout (the agreed price): 1.5 ETH");
    expect(posted.received.equals(posted.plaintext)).to.equal(true);
  });
  it("lists my deals in plain words: state, price, next action (refund, withdraw as buttons), hex ids with copy, each transaction", async () => {
    const provider = stack.chain.connection.ethers.provider;
    // a deal the seller never accepts, with a deadline a few seconds away: refundable once it passes
    const dp = new Contract(stack.deployment.dealProof, DEAL_PROOF_ABI, new Wallet(BUYER_KEY, provider));
    await provider.send("evm_mine", []); // the latest block's time is now's, not the last deal's
    const now = (await provider.getBlock("latest"))!.timestamp;
    const tx = await dp.getFunction("createDeal")(seller.wallet.address, run.dataRoot, now + 30, "0x01", {
      value: parseEther("0.1"),
    });
    const openId = `0x${BigInt((await tx.wait()).logs[0].topics[1])
      .toString(16)
      .padStart(64, "0")}`;
    const hashesOnChain = async (id: string) =>
      (await provider.getLogs({ address: stack.deployment.dealProof, fromBlock: 0, topics: [null, id] })).map(
        (l) => l.transactionHash,
      );

    // before its deadline the seller is asked to accept it, the buyer to wait
    const sellerRows = await readMyDeals(seller, dapp);
    const openForSeller = sellerRows.find((r) => r.dealId === openId)!;
    expect(openForSeller.words).to.equal("Waiting for the seller to accept");
    expect(openForSeller.next.map((n) => n.kind)).to.deep.equal(["accept"]);
    await provider.send("evm_increaseTime", [31]);
    await provider.send("evm_mine", []);

    await buyer.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: dapp.host.url });
    const rows = await readMyDeals(buyer, dapp);
    // newest first; each id in hex, in full
    expect(rows[0]!.dealId).to.equal(openId);
    expect(rows.map((r) => r.dealId)).to.include.members([run.dealId, noDealId]);
    const sold = rows.find((r) => r.dealId === run.dealId)!;
    const price = /^Sold for ([0-9.]+) ETH$/.exec(sold.words)?.[1];
    expect(price, sold.words).to.not.equal(undefined);
    expect(sold.price).to.equal(`${price} ETH`);
    expect(sold.next.map((n) => n.kind)).to.deep.equal(["receive"]);
    // each step's transaction, in order, the hashes the chain holds; no explorer on chain 31337
    expect(sold.txs.map((t) => t.step)).to.deep.equal(["create", "accept", "settle", "withdraw", "withdraw"]);
    expect(sold.txs.map((t) => t.hash)).to.deep.equal(await hashesOnChain(run.dealId));
    expect(sold.txs.some((t) => t.linked)).to.equal(false);
    const noDeal = rows.find((r) => r.dealId === noDealId)!;
    expect([noDeal.words, noDeal.price]).to.deep.equal([
      "No deal: the whole escrow is the buyer's again",
      "no sale",
    ]);
    expect(noDeal.next).to.deep.equal([{ kind: "none", text: "Nothing left to do" }]);
    const late = rows[0]!;
    expect(late.words).to.equal("Expired before the seller accepted: the escrow can be refunded");
    expect(late.price).to.equal("up to 0.1 ETH");
    expect(late.next.map((n) => n.kind)).to.deep.equal(["refund"]);
    // the short id copies in full
    const row = buyer.page.locator(`tr[data-deal="${openId}"]`);
    expect(await row.getByTestId("deal-id").textContent()).to.equal(
      `${openId.slice(0, 6)}…${openId.slice(-4)}`,
    );
    await row.getByRole("button", { name: `Copy ${openId}` }).click();
    await row.getByRole("button", { name: `Copied ${openId}` }).waitFor();
    expect(
      await buyer.page.evaluate(() =>
        (
          globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
        ).navigator.clipboard.readText(),
      ),
    ).to.equal(openId);

    // refund, then withdraw, from the list itself
    const balance = () => provider.getBalance(stack.deployment.dealProof);
    const before = await balance();
    await row.getByRole("button", { name: /^Refund/ }).click();
    await row.getByRole("button", { name: "Withdraw 0.1 ETH" }).click();
    await row.locator('[data-action="none"]').waitFor();
    const after = (await myDealRows(buyer.page)).find((r) => r.dealId === openId)!;
    expect(after.words).to.equal("Refunded after the deadline: the escrow is the buyer's again");
    expect(after.txs.map((t) => t.step)).to.deep.equal(["create", "refund", "withdraw"]);
    expect(after.txs.map((t) => t.hash)).to.deep.equal(await hashesOnChain(openId));
    expect(before - (await balance())).to.equal(parseEther("0.1"));
  });

  it("shows a tampered settlement quote as failing, naming the checks", async () => {
    buyer.wallet.tamperQuote = true;
    try {
      await open(buyer, dapp, `deal/${run.dealId}`);
      await buyer.page.getByRole("button", { name: /Verify the settlement quote/ }).click();
      const verdict = buyer.page.getByTestId("quote-verdict");
      await verdict.waitFor();
      expect(await verdict.textContent()).to.match(/does NOT verify/);
      const failed = await buyer.page
        .locator('[data-passed="no"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-check")));
      expect(failed).to.deep.equal(["dcap", "reportData"]);
      // and what to do next
      expect(await buyer.page.getByTestId("quote-next").textContent()).to.match(
        new RegExp(`switch your wallet to another RPC .* report deal ${run.dealId} to the oracle's operator`),
      );
    } finally {
      buyer.wallet.tamperQuote = false;
    }
  });

  it("says so in plain words when the user rejects the sign-in signature", async () => {
    buyer.wallet.rejectNext = true;
    await open(buyer, dapp, `deal/${run.dealId}`);
    await buyer.page.getByRole("button", { name: /Sign in and show the transcript/ }).click();
    await buyer.page
      .getByRole("alert")
      .getByText(/you rejected the request in your wallet/)
      .waitFor();
    expect(await buyer.page.getByRole("img", { name: /Offers by round/ }).count()).to.equal(0);
  });

  it("decodes a reverted transaction by name (accepting a settled deal again)", async () => {
    await open(seller, dapp, "sell");
    await seller.page.getByLabel("Key file (if you committed earlier)").setInputFiles({
      name: "k.json",
      mimeType: "application/json",
      buffer: Buffer.from(
        JSON.stringify({ root: run.dataRoot, key: `0x${"11".repeat(32)}`, chunkSize: 1048576, size: 1 }),
      ),
    });
    await seller.page.getByLabel("Deal id").fill(run.dealId);
    await seller.page.getByLabel(/Encrypted file location/).fill(`${dapp.host.url}/data/vision.csv.enc`);
    await seller.page.getByLabel(/^Floor price/).fill("1");
    await seller.page.getByLabel("Description").fill("again");
    await seller.page.getByRole("button", { name: "Accept deal" }).click();
    const alert = seller.page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).to.match(/DealProof reverted: InvalidState\(/);
  });

  it("refuses to create a deal while the oracle does not answer, before any key or escrow", async () => {
    await open(buyer, dapp, "buy");
    await buyer.page.route("**/oracle/health", (r) => r.abort("connectionrefused"));
    try {
      const balance = () => stack.chain.connection.ethers.provider.getBalance(stack.deployment.dealProof);
      const before = await balance();
      await buyer.page.getByLabel("Seller address").fill(seller.wallet.address);
      await buyer.page.getByLabel("Dataset root").fill(run.dataRoot);
      await buyer.page.getByLabel(/^Budget/).fill("1");
      await buyer.page.getByLabel(/^Escrow/).fill("1");
      await buyer.page.getByLabel("Requirements").fill("x");
      await buyer.page.getByRole("button", { name: "Create deal" }).click();
      await buyer.page
        .getByRole("alert")
        .getByText(/the oracle does not answer .*a deal made now would wait for it until its deadline/)
        .waitFor();
      expect(await buyer.page.getByText(/Download your delivery key/).count()).to.equal(0);
      expect(await balance()).to.equal(before);
    } finally {
      await buyer.page.unroute("**/oracle/health");
    }
  });

  it("refuses bad input before any transaction, saying what to fix", async () => {
    await open(buyer, dapp, "buy");
    await buyer.page.getByLabel("Seller address").fill("0x1234");
    await buyer.page.getByLabel("Dataset root").fill(run.dataRoot);
    await buyer.page.getByLabel(/^Budget/).fill("1");
    await buyer.page.getByLabel(/^Escrow/).fill("1");
    await buyer.page.getByLabel("Requirements").fill("x");
    await buyer.page.getByRole("button", { name: "Create deal" }).click();
    await buyer.page
      .getByRole("alert")
      .getByText(/the seller must be an Ethereum address/)
      .waitFor();
  });

  it("imports a checks.json into the editor (the deal:create --checks format), and refuses a bad one in plain words", async () => {
    await open(buyer, dapp, "buy");
    const file = (name: string, body: unknown) => ({
      name,
      mimeType: "application/json",
      buffer: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    });
    const spec = {
      v: 1,
      checks: [
        { id: "enough-rows", kind: "rowCount", required: true, min: 1000 },
        { id: "ids", kind: "unique", required: false, columns: ["image_id"] },
      ],
    };
    const input = buyer.page.getByLabel(/^Import checks\.json/);
    await input.setInputFiles(file("checks.json", spec));
    await buyer.page.getByText("imported 2 checks from checks.json").waitFor();
    const rows = buyer.page.locator("fieldset[data-row]");
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")))).to.deep.equal([
      "rowCount",
      "unique",
    ]);
    expect(await rows.nth(0).getByLabel("At least", { exact: true }).inputValue()).to.equal("1000");
    expect(await rows.nth(1).getByRole("checkbox").isChecked()).to.equal(false);
    await input.setInputFiles(
      file("bad.json", { v: 1, checks: [{ id: "x", kind: "rowCount", required: true }] }),
    );
    await buyer.page
      .getByText(/^bad\.json: the check specification is invalid: checks\.0\.min: give min, max or both/)
      .waitFor();
    // the rows already there stay
    expect(await rows.count()).to.equal(2);
  });

  it("explains a wrong network and offers to switch", async () => {
    const other = await party(chromium.browser, stack, BUYER_KEY);
    try {
      other.wallet.chainIdOverride = 1;
      await other.page.goto(`${dapp.host.url}/#/`);
      await other.page.getByRole("button", { name: /Connect DealProof Test Wallet/ }).click();
      await other.page.getByText(/Wrong network: DealProof is not deployed on chain 1/).waitFor();
      expect(await other.page.getByRole("button", { name: /Switch to local/ }).count()).to.equal(1);
      expect(await other.page.getByRole("heading", { name: "Buy a dataset" }).count()).to.equal(0);
    } finally {
      await other.context.close();
    }
  });

  it("is usable on a phone-sized screen with the keyboard (no horizontal scroll, labelled fields)", async () => {
    const phone = await party(chromium.browser, stack, BUYER_KEY, { width: 375, height: 740 });
    try {
      await open(phone, dapp, `deal/${run.dealId}`);
      await phone.page.getByTestId("deal-state").getByText("Settled").waitFor();
      const overflow = await phone.page.evaluate(() => {
        const w = globalThis as unknown as {
          innerWidth: number;
          document: { documentElement: { scrollWidth: number } };
        };
        return w.document.documentElement.scrollWidth - w.innerWidth;
      });
      expect(overflow).to.be.at.most(0);
      await phone.page.goto(`${dapp.host.url}/#/buy`);
      await phone.page.keyboard.press("Tab");
      await phone.page.keyboard.press("Tab");
      const unlabelled = await phone.page
        .locator("input, textarea")
        .evaluateAll(
          (els) =>
            els.filter((e) => (e as unknown as { labels: { length: number } | null }).labels?.length === 0)
              .length,
        );
      expect(unlabelled).to.equal(0);
    } finally {
      await phone.context.close();
    }
  });

  describe("components", () => {
    let page: Awaited<ReturnType<LaunchedBrowser["browser"]["newPage"]>>;
    before(async () => {
      page = await chromium.browser.newPage();
      await page.goto(`${dapp.host.url}/harness.html`);
      await page.waitForFunction(() => "__render" in globalThis);
    });
    const render = (name: string, props: unknown) =>
      page.evaluate(
        ([n, p]) =>
          (globalThis as unknown as { __render: (n: string, p: unknown) => void }).__render(n as string, p),
        [name, props] as const,
      );

    it("ProgressBar shows the percentage with an accessible label", async () => {
      await render("ProgressBar", { label: "Committing", done: 25, total: 100 });
      expect(await page.getByText("Committing: 25%").count()).to.equal(1);
      expect(await page.getByRole("progressbar", { name: "Committing" }).getAttribute("value")).to.equal(
        "25",
      );
    });

    it("QuoteChecks shows each check and the verdict, failed ones marked", async () => {
      await render("QuoteChecks", {
        ok: false,
        checks: [
          { name: "dcap", passed: true, detail: "chain ok" },
          { name: "reportData", passed: false, detail: "not the digest" },
        ],
      });
      expect(await page.getByTestId("quote-verdict").textContent()).to.match(/does NOT verify/);
      expect(await page.locator('[data-check="reportData"]').getAttribute("data-passed")).to.equal("no");
      expect(await page.locator('[data-check="reportData"]').textContent()).to.match(
        /report_data = settlement digest failed: not the digest/,
      );
    });

    it("OffersChart draws both sides with a text table, and says when there are no offers", async () => {
      await render("OffersChart", { rounds: [] });
      expect(await page.getByText("No priced offers in the transcript.").count()).to.equal(1);
      // bigints do not cross into the page: the harness receives them as strings via BigInt in evaluate
      await page.evaluate(() =>
        (globalThis as unknown as { __render: (n: string, p: unknown) => void }).__render("OffersChart", {
          rounds: [
            { round: 1, buyer: 10n ** 18n, seller: 3n * 10n ** 18n },
            { round: 2, buyer: 15n * 10n ** 17n, seller: 2n * 10n ** 18n },
          ],
        }),
      );
      expect(await page.locator("polyline").count()).to.equal(2);
      expect(await page.locator("tbody tr").count()).to.equal(2);
      expect(await page.locator("tbody tr").first().textContent()).to.equal("11.03.0");
      // a price axis, the agreed price and the sentence saying how it was set
      await page.evaluate(() =>
        (globalThis as unknown as { __render: (n: string, p: unknown) => void }).__render("OffersChart", {
          rounds: [
            { round: 1, buyer: 10n ** 18n, seller: 3n * 10n ** 18n },
            { round: 2, buyer: 2n * 10n ** 18n, seller: 2n * 10n ** 18n },
          ],
          priceWei: 2n * 10n ** 18n,
          priceRule: "The enclave drew the price at random.",
          label: "the agents' positions as the enclave renders them once the mechanism has set the price",
        }),
      );
      expect(await page.locator("svg text").allTextContents()).to.include.members([
        "1",
        "2",
        "3",
        "agreed 2",
      ]);
      expect(await page.getByTestId("price-rule").textContent()).to.equal(
        "These are the agents' positions as the enclave renders them once the mechanism has set the price. The enclave drew the price at random.",
      );
    });

    it("CheckResults shows a pass/fail-only policy's results without values, and a failed claim as the cause", async () => {
      await render("CheckResults", {
        checks: {
          termsHash: `0x${"12".repeat(32)}`,
          matches: false,
          agreed: false,
          failedBy: { id: "datasheet.rowCount", what: "claim" },
          reason: "checks: the seller's datasheet claim datasheet.rowCount is false",
          report: {
            specHash: `0x${"ab".repeat(32)}`,
            policy: { results: "passfail", precision: 2 },
            datasheet: {
              verified: false,
              results: [{ id: "datasheet.rowCount", kind: "rowCount", required: true, status: "fail" }],
            },
            results: [
              { id: "labels", kind: "valuesIn", required: false, status: "pass" },
              {
                id: "cols",
                kind: "column",
                required: true,
                status: "refused",
                reason: "check.unknown_column",
              },
            ],
          },
        },
      });
      expect(await page.getByTestId("terms-hash").textContent()).to.match(/does NOT equal the termsHash/);
      expect(await page.getByTestId("no-deal-cause").textContent()).to.match(
        /the seller's datasheet claim datasheet\.rowCount failed/,
      );
      expect(await page.getByTestId("datasheet-verdict").textContent()).to.equal(
        "Seller's datasheet: ✗ a claim is false",
      );
      const cells = await page.locator("[data-result] td").allTextContents();
      const rows = [0, 5, 10].map((i) => cells.slice(i, i + 5));
      expect(cells).to.have.length(15);
      expect(rows).to.deep.equal([
        ["datasheet.rowCount", "row count", "seller's claim", "✗ fail", "not released"],
        ["labels", "values in set", "informative", "✓ pass", "not released"],
        ["cols", "column and type", "required", "✗ refused (check.unknown_column)", "not released"],
      ]);
    });

    it("Timeline lists events in order and ErrorLine is an alert", async () => {
      await render("Timeline", {
        items: [
          { name: "DealCreated", when: 0, detail: "a" },
          { name: "DealSettled", when: 60, detail: "b" },
        ],
      });
      expect(
        await page.locator("[data-event]").evaluateAll((els) => els.map((e) => e.getAttribute("data-event"))),
      ).to.deep.equal(["DealCreated", "DealSettled"]);
      await render("ErrorLine", { error: "something to fix" });
      expect(await page.getByRole("alert").textContent()).to.equal("something to fix");
      await render("ErrorLine", { error: null });
      expect(await page.getByRole("alert").count()).to.equal(0);
    });
  });
});
