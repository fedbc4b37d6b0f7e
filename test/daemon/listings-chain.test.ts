/**
 * Listings through the real daemon on a real chain (DESIGN.md §11, issue 25): a Hardhat node with
 * DealProof deployed, the oracle daemon, a data server that counts its downloads. A seller
 * publishes once and three buyers buy: the dataset is downloaded once and every deal settles
 * (posted: at the posted price; negotiated: within floor and budget); an update leaves an
 * existing deal's version and terms alone; a withdrawn or expired listing cannot be bought while
 * a deal created before still completes; a listing whose data is gone or whose datasheet is false
 * gets that verdict and its deals end no deal `listing.<verdict>` with the whole escrow back; a
 * re-publish of the same root (ListingExists while live, the next version after a withdrawal);
 * a cache too small to keep the plaintext makes the next deal fetch and verify it again; the buyer
 * of a listing deal receives its dataset (client/receive.ts reads its ListingDealCreated); a
 * listing sealed to key epoch 1 still verifies and sells after the rotation to "2,1", and once epoch 1
 * is no longer live it says RepublishNeeded, cannot be bought, and sells again once re-published.
 */
import { expect } from "chai";
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Signer } from "ethers";
import { oracle, rowWhen, waitFor } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { prepareDataset, type SellerDataset } from "../../scripts/lib/seller-kit.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { at } from "../../scripts/lib/at.ts";
import { rejects } from "../helpers.ts";
import {
  NEGOTIATED,
  POSTED,
  buyListing,
  prepareListingDeal,
  publishListing,
  updateListing,
  withdrawListing,
  type ListingArgs,
} from "../../scripts/lib/listing-kit.ts";
import { receiveDeal } from "../../client/receive.ts";
import type { RunningOracle } from "../../oracle/main/app.ts";

const vision = scenarioByName("vision");
const PRICE = units(vision.floorUnits) + (units(vision.budgetUnits) - units(vision.floorUnits)) / 2n;

describe("listings through the daemon on a local chain", function () {
  this.timeout(180_000);
  let env: Env;
  let server: Server;
  let base: string;
  /** Downloads per served file name. */
  const gets = new Map<string, number>();
  const files = new Map<string, string>();
  useLocalChain((e) => (env = e));
  before(async () => {
    server = createServer((req, res) => {
      const name = (req.url ?? "/").slice(1);
      gets.set(name, (gets.get(name) ?? 0) + 1);
      const path = files.get(name);
      if (path === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" });
      createReadStream(path).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  let n = 0;
  /** A fresh dataset served at its own name (so each test counts its own downloads). */
  async function served(opts: { serve?: boolean } = {}): Promise<SellerDataset & { name: string }> {
    const name = `ds${++n}.enc`;
    const ds = await prepareDataset(env.dir, vision, { rows: 1500 + n, tag: `listing-${n}` });
    if (opts.serve !== false) files.set(name, ds.encPath);
    return { ...ds, location: `${base}/${name}`, name };
  }

  async function args(ds: SellerDataset, over: Partial<ListingArgs> = {}): Promise<ListingArgs> {
    return {
      dataset: ds,
      mode: POSTED,
      postedPriceWei: PRICE,
      input: {
        floorWei: units(vision.floorUnits).toString(),
        description: vision.sellerDescription,
        email: await env.email.sign(`sales@${env.email.domain}`, "Dataset offer", vision.sellerDescription),
      },
      ...over,
    };
  }

  const seller = () => at(env.signers, 3);
  const buyer = (i: number): Signer => at(env.signers, 4 + i);
  const buy = (listingId: bigint, version: number, i: number, budget = vision.budgetUnits) =>
    buyListing(env.dp, buyer(i), {
      listingId,
      version,
      escrowWei: units(vision.escrowUnits),
      budgetWei: units(budget),
      requirements: vision.buyerRequirements,
    });
  const done = (o: RunningOracle, id: bigint) => rowWhen(o, id, ["settled", "closed"], 90_000);
  const termsOf = (row: Awaited<ReturnType<typeof done>>) => JSON.parse(row.outcome!.termsJson);
  const recordOf = (o: RunningOracle, id: bigint, version: number) =>
    waitFor(
      `listing ${id} v${version}'s record`,
      () => o.store.listings.get(id, version)?.record ?? undefined,
      60_000,
    );

  it("posted: published once, bought by three buyers, the dataset downloaded once, each settles at the posted price", async () => {
    const o = await oracle(env, { DEALPROOF_SETTLE_MODE: "signature" });
    try {
      const ds = await served();
      const l = await publishListing(env.dp, seller(), await args(ds));
      expect(l.version).to.equal(1);
      const deals = [];
      for (const i of [0, 1, 2]) deals.push(await buy(l.listingId, l.version, i));
      const record = await recordOf(o, l.listingId, 1);
      expect([record.record.verdict, record.record.code]).to.deep.equal(["verified", null]);
      for (const d of deals) {
        const row = await done(o, d.dealId);
        expect([row.status, row.outcome!.settlement.agreed]).to.deep.equal(["settled", true]);
        expect(BigInt(row.outcome!.settlement.price)).to.equal(PRICE);
        expect(termsOf(row).listing).to.deep.equal({
          id: `0x${l.listingId.toString(16).padStart(64, "0")}`,
          version: 1,
          mode: "posted",
        });
        const onChain = await env.dp.getDeal(d.dealId);
        expect([onChain.sellerPayout, onChain.buyerPayout]).to.deep.equal([
          PRICE,
          units(vision.escrowUnits) - PRICE,
        ]);
      }
      expect(gets.get(ds.name)).to.equal(1);
      expect(o.store.listings.sales(l.listingId)).to.equal(3);
      // the buyer receives a listing deal's dataset like a direct deal's (its ListingDealCreated read)
      const out = join(env.dir, "listing-received.csv");
      const provider = env.chain.connection.ethers.provider;
      await receiveDeal(provider, env.deployment, deals[0]!.dealId, deals[0]!.delivery.privateKey, out);
      expect(readFileSync(out).equals(readFileSync(ds.plainPath))).to.equal(true);
    } finally {
      await o.stop();
    }
  });

  it("negotiated: three buyers, one download, each price within the sealed floor and the buyer's budget", async () => {
    const o = await oracle(env, { DEALPROOF_SETTLE_MODE: "signature" });
    try {
      const ds = await served();
      const l = await publishListing(env.dp, seller(), await args(ds, { mode: NEGOTIATED }));
      const deals = [];
      for (const i of [0, 1, 2]) deals.push(await buy(l.listingId, l.version, i));
      for (const d of deals) {
        const row = await done(o, d.dealId);
        expect([row.status, row.outcome!.settlement.agreed]).to.deep.equal(["settled", true]);
        const price = BigInt(row.outcome!.settlement.price);
        expect(price >= units(vision.floorUnits) && price <= units(vision.budgetUnits)).to.equal(true);
        expect(termsOf(row).listing.mode).to.equal("negotiated");
      }
      expect(gets.get(ds.name)).to.equal(1);
    } finally {
      await o.stop();
    }
  });

  it("an update leaves a deal bought before it at its version and price; withdrawn or expired it cannot be bought, a deal made before still completes", async () => {
    const ds = await served();
    const l = await publishListing(env.dp, seller(), await args(ds));
    const early = await buy(l.listingId, 1, 0);
    // prepared at version 1 (the SDK refuses a stale version itself): sent after the update
    const stale = await prepareListingDeal(env.dp, buyer(2), {
      listingId: l.listingId,
      version: 1,
      escrowWei: units(vision.escrowUnits),
      budgetWei: units(vision.budgetUnits),
      requirements: vision.buyerRequirements,
    });
    const v2 = await updateListing(
      env.dp,
      seller(),
      l.listingId,
      await args(ds, { postedPriceWei: PRICE + 1n }),
    );
    expect(v2.version).to.equal(2);
    const late = await buy(l.listingId, 2, 1);
    // the old version cannot be bought any more
    await expect(stale.send()).to.be.revertedWithCustomError(env.dp, "ListingVersionMismatch");
    const refused = await prepareListingDeal(env.dp, buyer(2), {
      listingId: l.listingId,
      version: 2,
      escrowWei: units(vision.escrowUnits),
      budgetWei: units(vision.budgetUnits),
      requirements: vision.buyerRequirements,
      deadline: (await env.chain.connection.ethers.provider.getBlock("latest"))!.timestamp + 7200,
    });
    await withdrawListing(env.dp, seller(), l.listingId);
    await expect(refused.send()).to.be.revertedWithCustomError(env.dp, "ListingIsWithdrawn");
    // and the SDK refuses a withdrawn listing before anything is sealed or sent
    await rejects(
      prepareListingDeal(env.dp, buyer(2), {
        listingId: l.listingId,
        version: 2,
        escrowWei: units(vision.escrowUnits),
        budgetWei: units(vision.budgetUnits),
        requirements: vision.buyerRequirements,
      }),
      /was withdrawn by its seller/,
    );

    // expired: a listing whose expiry has passed
    const now = (await env.chain.connection.ethers.provider.getBlock("latest"))!.timestamp;
    const ds2 = await served();
    const e = await publishListing(env.dp, seller(), await args(ds2, { expiresAt: now + 30 }));
    const beforeExpiry = await buy(e.listingId, 1, 2);
    const expired = await prepareListingDeal(env.dp, buyer(0), {
      listingId: e.listingId,
      version: 1,
      escrowWei: units(vision.escrowUnits),
      budgetWei: units(vision.budgetUnits),
      requirements: vision.buyerRequirements,
    });
    await env.chain.connection.networkHelpers.time.increase(60);
    await expect(expired.send()).to.be.revertedWithCustomError(env.dp, "ListingExpired");

    // the oracle starts only now: every deal made before still completes, at its own version's price
    const o = await oracle(env, { DEALPROOF_SETTLE_MODE: "signature" });
    try {
      const a = await done(o, early.dealId);
      const b = await done(o, late.dealId);
      const c = await done(o, beforeExpiry.dealId);
      expect([a.status, b.status, c.status]).to.deep.equal(["settled", "settled", "settled"]);
      expect([termsOf(a).listing.version, BigInt(a.outcome!.settlement.price)]).to.deep.equal([1, PRICE]);
      expect([termsOf(b).listing.version, BigInt(b.outcome!.settlement.price)]).to.deep.equal([
        2,
        PRICE + 1n,
      ]);
      expect(BigInt(c.outcome!.settlement.price)).to.equal(PRICE);
    } finally {
      await o.stop();
    }
  });

  it("a re-publish of the same root: ListingExists while live, the next version after a withdrawal, which sells", async () => {
    const o = await oracle(env, { DEALPROOF_SETTLE_MODE: "signature" });
    try {
      const ds = await served();
      const l = await publishListing(env.dp, seller(), await args(ds));
      const refusal = await publishListing(env.dp, seller(), await args(ds)).then(
        () => "published",
        (err: unknown) => String(err),
      );
      expect(refusal).to.match(/ListingExists\(/);
      await withdrawListing(env.dp, seller(), l.listingId);
      const again = await publishListing(env.dp, seller(), await args(ds));
      expect([again.listingId, again.version]).to.deep.equal([l.listingId, 2]);
      const d = await buy(again.listingId, 2, 0);
      const row = await done(o, d.dealId);
      expect([row.status, termsOf(row).listing.version]).to.deep.equal(["settled", 2]);
    } finally {
      await o.stop();
    }
  });

  const failing: [string, () => Promise<ListingArgs>, string][] = [
    ["data is gone", async () => args(await served({ serve: false })), "data-unavailable"],
    [
      "datasheet is false",
      async () => {
        const a = await args(await served());
        return { ...a, input: { ...a.input, datasheet: { v: 1, rowCount: { min: 1_000_000 } } } };
      },
      "datasheet-failed",
    ],
  ];
  for (const [what, make, verdict] of failing)
    it(`a listing whose ${what}: its record says ${verdict}, a deal on it ends no deal listing.${verdict}, the buyer withdraws the whole escrow`, async () => {
      const o = await oracle(env, {
        DEALPROOF_SETTLE_MODE: "signature",
        DEALPROOF_FETCH_IDLE_MS: "1000",
        DEALPROOF_FETCH_BUDGET_MS: "1500",
      });
      try {
        const l = await publishListing(env.dp, seller(), await make());
        const d = await buy(l.listingId, 1, 1);
        const record = await recordOf(o, l.listingId, 1);
        expect(record.record.verdict).to.equal(verdict);
        const row = await done(o, d.dealId);
        expect([row.status, row.outcome!.settlement.agreed]).to.deep.equal(["settled", false]);
        expect(row.outcome!.reason).to.match(new RegExp(`^listing\\.${verdict}`));
        const before = await env.chain.connection.ethers.provider.getBalance(await buyer(1).getAddress());
        const tx = await (await env.dp.connect(buyer(1)).withdraw(d.dealId)).wait();
        const after = await env.chain.connection.ethers.provider.getBalance(await buyer(1).getAddress());
        expect(after - before + tx!.gasUsed * tx!.gasPrice).to.equal(units(vision.escrowUnits));
      } finally {
        await o.stop();
      }
    });

  it("a cache too small to keep the plaintext: the next deal downloads and verifies it again, and settles", async () => {
    const o = await oracle(env, { DEALPROOF_SETTLE_MODE: "signature", DEALPROOF_LISTING_CACHE_MB: "0" });
    try {
      const ds = await served();
      const l = await publishListing(env.dp, seller(), await args(ds));
      await recordOf(o, l.listingId, 1);
      expect(gets.get(ds.name)).to.equal(1);
      const d1 = await buy(l.listingId, 1, 0);
      expect((await done(o, d1.dealId)).status).to.equal("settled");
      expect(gets.get(ds.name)).to.equal(2);
      const d2 = await buy(l.listingId, 1, 1);
      expect((await done(o, d2.dealId)).status).to.equal("settled");
      expect(gets.get(ds.name)).to.equal(3);
    } finally {
      await o.stop();
    }
  });
  it('a key epoch rotation (1 → "2,1"): a listing sealed to epoch 1 still verifies and sells', async () => {
    const db = { DEALPROOF_DB: join(env.dir, "listing-epochs.sqlite"), DEALPROOF_SETTLE_MODE: "signature" };
    const registered = (o: RunningOracle) =>
      waitFor("this epoch's key registered", async () =>
        (await env.dp.registrationOf(o.identity.address)).encryptionKey === o.identity.encryptionPublicKey
          ? true
          : undefined,
      );
    const v1 = await oracle(env, { ...db, DEALPROOF_KEY_EPOCHS: "1" });
    await registered(v1);
    const k1 = (await env.dp.currentOracle()).encryptionKey;
    await v1.stop();
    const ds = await served();
    const l = await publishListing(env.dp, seller(), await args(ds)); // sealed to epoch 1, no oracle running
    expect((await env.dp.getListing(l.listingId)).encryptionKey).to.equal(k1);
    const v21 = await oracle(env, { ...db, DEALPROOF_KEY_EPOCHS: "2,1" });
    try {
      await registered(v21);
      expect((await env.dp.currentOracle()).encryptionKey).to.not.equal(k1);
      const d = await buy(l.listingId, 1, 2); // the buyer seals to epoch 2's key
      expect((await recordOf(v21, l.listingId, 1)).record.verdict).to.equal("verified");
      const row = await done(v21, d.dealId);
      expect([row.status, BigInt(row.outcome!.settlement.price)]).to.deep.equal(["settled", PRICE]);
    } finally {
      await v21.stop();
    }
  });

  it('… and on to "2": once epoch 1 is no longer live the listing says RepublishNeeded and cannot be bought (nothing sent, nothing lost); the seller re-publishes it to epoch 2 and it sells', async () => {
    // the last test of the file: it moves chain time on by a registration TTL
    const db = { DEALPROOF_DB: join(env.dir, "listing-epochs-2.sqlite"), DEALPROOF_SETTLE_MODE: "signature" };
    const provider = env.chain.connection.ethers.provider;
    const latest = async () => (await provider.getBlock("latest"))!.timestamp;
    const jumpTo = async (t: number) => {
      await provider.send("evm_setNextBlockTimestamp", [t]);
      await provider.send("evm_mine", []);
    };
    const v1 = await oracle(env, { ...db, DEALPROOF_KEY_EPOCHS: "1" });
    await waitFor("epoch 1's key registered", async () =>
      (await env.dp.registrationOf(v1.identity.address)).encryptionKey === v1.identity.encryptionPublicKey
        ? true
        : undefined,
    );
    const k1 = v1.identity.encryptionPublicKey;
    await v1.stop();
    const ds = await served();
    const l = await publishListing(env.dp, seller(), await args(ds));
    expect((await env.dp.getListing(l.listingId)).encryptionKey).to.equal(k1);
    const k1Until = Number(await env.dp.encryptionKeyLiveUntil(k1));
    const ttl = Number(await env.dp.registrationTtl());
    // "2,1" registers epoch 2 half a TTL later, and keeps it renewed; epoch 1 is registered no more
    await jumpTo((await latest()) + Math.floor(ttl / 2));
    const v21 = await oracle(env, { ...db, DEALPROOF_KEY_EPOCHS: "2,1" });
    let v2: RunningOracle | undefined;
    try {
      const k2 = v21.identity.encryptionPublicKey;
      await waitFor("epoch 2's key registered", async () =>
        (await env.dp.registrationOf(v21.identity.address)).encryptionKey === k2 ? true : undefined,
      );
      expect(Number(await env.dp.encryptionKeyLiveUntil(k1))).to.equal(k1Until);
      expect((await env.dp.getListing(l.listingId)).status).to.equal(1n); // Active: epoch 1 still live
      await v21.stop();

      // past epoch 1's last registration + TTL: its listings need a re-publish
      await jumpTo(k1Until + 1);
      expect(Number(await env.dp.encryptionKeyLiveUntil(k2))).to.be.greaterThan(k1Until + 1);
      const got = await env.dp.getListing(l.listingId);
      expect(got.status).to.equal(4n); // RepublishNeeded
      const b = buyer(0);
      const before = await provider.getBalance(await b.getAddress());
      const dealsBefore = (await env.dp.queryFilter(env.dp.filters.ListingDealCreated())).length;
      // the SDK refuses before anything is sent, in words for the buyer
      await rejects(buy(l.listingId, 1, 0), /no longer live: it cannot be bought now/);
      expect(await provider.getBalance(await b.getAddress())).to.equal(before);
      // the contract itself refuses a direct call (a dapp not using the SDK) by its named error
      const deadline = (await latest()) + 3600;
      await rejects(
        env.dp
          .connect(b)
          .createDealFromListing(l.listingId, 1, deadline, "0x01", { value: units(vision.escrowUnits) })
          .then((tx) => tx.wait()),
        /ListingKeyRetired/,
      );
      expect((await env.dp.queryFilter(env.dp.filters.ListingDealCreated())).length).to.equal(dealsBefore);

      // "2": epoch 1 dropped; the seller re-publishes (re-seals to the current key) and it sells
      v2 = await oracle(env, { ...db, DEALPROOF_KEY_EPOCHS: "2" });
      await waitFor("epoch 2's key registered", async () =>
        (await env.dp.currentOracle()).encryptionKey === k2 ? true : undefined,
      );
      const again = await updateListing(env.dp, seller(), l.listingId, await args(ds));
      expect(again.version).to.equal(2);
      const now = await env.dp.getListing(l.listingId);
      expect([now.status, now.encryptionKey]).to.deep.equal([1n, k2]);
      expect((await recordOf(v2, l.listingId, 2)).record.verdict).to.equal("verified");
      const d = await buy(l.listingId, 2, 1);
      const row = await done(v2, d.dealId);
      expect([row.status, BigInt(row.outcome!.settlement.price)]).to.deep.equal(["settled", PRICE]);
    } finally {
      await v21.stop();
      await v2?.stop();
    }
  });
});
