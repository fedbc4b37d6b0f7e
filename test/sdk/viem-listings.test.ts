/**
 * The viem entry's listing actions against a local chain (a fresh DealProof with a registered
 * oracle whose HPKE key we hold), through viem clients over the node's EIP-1193 provider: the
 * seller publishes (the id computed before sending equals the contract's, the input opening with
 * the listing's context), a buyer lists (status, version, mode, price, sales) and buys (refused
 * before anything is sent when the escrow is below the posted price or the version moved; the
 * deal Accepted at once, its input sealed for the deal id, watchDeal reporting ListingDealCreated),
 * the seller updates and withdraws, and a withdrawn listing is refused to a buyer by name.
 */
import { expect } from "chai";
import type { Address } from "viem";
import { getBytes, hexlify } from "ethers";
import { dataRoot } from "../fixtures/deal-proof.ts";
import { viemChain, until } from "../fixtures/viem-chain.ts";
import { openBuyerInput, openListingSellerInput } from "../../sdk/src/inputs.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
import {
  createDealFromListing,
  dealProofActions,
  getDealStatus,
  getListing,
  listListings,
  publishListing,
  watchDeal,
  type DealEvent,
} from "../../sdk/src/viem/index.ts";

const chain = () => viemChain(11);

const PRICE = 4n * 10n ** 17n;
const terms = (over: Record<string, unknown> = {}) => ({
  mode: "Posted" as const,
  postedPriceWei: PRICE,
  chunkSize: 65_536,
  chunkCount: 3,
  byteSize: 150_000,
  metadataURI: "ipfs://bafy-streets",
  ...over,
});
const sellerInput = (description: string) => ({
  floorWei: "1",
  description,
  dataset: {
    location: "https://example.com/d.enc",
    key: hexlify(new Uint8Array(32).fill(3)),
    chunkSize: 65536,
  },
});

/** The code of what `p` rejected with (a DealProofError), and its hint. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; hint: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(isDealProofError(e), `expected a DealProofError, got ${String(e)}`).to.equal(true);
  return { code: (e as { code: string }).code, hint: (e as { hint: string }).hint };
}

describe("dealproof/viem: the listing actions on a local chain", function () {
  this.timeout(120_000);

  it("publish (id before sending, input sealed to the listing), list, buy (deal Accepted, input for the deal id), watch, sales counted", async () => {
    const { f, oracleKeys, buyer, seller, address } = await chain();
    const sellerAddr = seller.account.address;
    const { listingId, hash } = await publishListing(seller, {
      address,
      dataRoot: dataRoot(21),
      terms: terms(),
      input: sellerInput("street images, posted"),
    });
    await seller.waitForTransactionReceipt({ hash });
    expect(listingId).to.equal(await f.dealProof.listingIdFor(sellerAddr, dataRoot(21)));
    const [pub] = await f.dealProof.queryFilter(f.dealProof.filters.ListingPublished(listingId));
    const sealed = (pub as unknown as { args: { sealedSellerInput: string } }).args.sealedSellerInput;
    const opened = await openListingSellerInput(
      oracleKeys.privateKey,
      { chainId: f.chainId, contract: f.address, listingId },
      getBytes(sealed),
    );
    expect(opened.description).to.equal("street images, posted");

    const read = await getListing(buyer, { address, listingId });
    expect([
      read.status,
      read.version,
      read.mode,
      read.postedPrice,
      read.seller,
      read.dataRoot,
    ]).to.deep.equal(["Active", 1, "Posted", PRICE, sellerAddr, dataRoot(21)]);
    expect(read.encryptionKey).to.equal(hexlify(oracleKeys.publicKey));
    // a negotiated listing of another root by the same seller, and nothing else in the list
    await seller.waitForTransactionReceipt({
      hash: (
        await publishListing(seller, {
          address,
          dataRoot: dataRoot(22),
          terms: terms({ mode: "Negotiated", postedPriceWei: undefined }),
          input: sellerInput("negotiated"),
        })
      ).hash,
    });
    const listed = await listListings(buyer, { address });
    expect(
      listed.map((l) => [l.dataRoot, l.mode, l.postedPrice, l.status, l.version, l.sales]),
    ).to.deep.equal([
      [dataRoot(21), "Posted", PRICE, "Active", 1, 0],
      [dataRoot(22), "Negotiated", 0n, "Active", 1, 0],
    ]);
    expect(listed[0]!.terms).to.deep.equal({
      chunkSize: 65_536,
      chunkCount: 3n,
      byteSize: 150_000n,
      metadataURI: "ipfs://bafy-streets",
    });
    expect(await listListings(buyer, { address, seller: f.buyer.address as Address })).to.deep.equal([]);

    const now = BigInt(await f.networkHelpers.time.latest());
    const deadline = now + 3600n;
    const buy = (over: { escrowWei?: bigint; version?: number } = {}) =>
      createDealFromListing(buyer, {
        address,
        listingId,
        deadline,
        escrowWei: PRICE,
        budgetWei: PRICE,
        requirements: "street images",
        ...over,
      });
    // refused before anything is sent: below the posted price, a version the listing is not at
    const before = await f.ethers.provider.getBalance(f.buyer.address);
    const low = await refusal(buy({ escrowWei: PRICE - 1n }));
    expect(low.code).to.equal("listing.escrow_below_price");
    expect((await refusal(buy({ version: 2 }))).code).to.equal("listing.version_changed");
    expect(await f.ethers.provider.getBalance(f.buyer.address)).to.equal(before);

    const created = await buy({ version: 1 });
    expect(created.dealId).to.equal(
      await f.dealProof.dealIdFor(f.buyer.address, sellerAddr, dataRoot(21), deadline),
    );
    const seen: DealEvent[] = [];
    const unwatch = watchDeal(buyer, {
      address,
      dealId: created.dealId,
      fromBlock: 0n,
      onEvent: (e) => seen.push(e),
    });
    try {
      await buyer.waitForTransactionReceipt({ hash: created.hash });
      const status = await getDealStatus(buyer, { address, dealId: created.dealId });
      expect([status.status, status.deal.escrow, status.deal.seller]).to.deep.equal([
        "accepted",
        PRICE,
        sellerAddr,
      ]);
      const [log] = await f.dealProof.queryFilter(f.dealProof.filters.ListingDealCreated(created.dealId));
      const buyerInput = await openBuyerInput(
        oracleKeys.privateKey,
        { chainId: f.chainId, contract: f.address, dealId: created.dealId },
        getBytes((log as unknown as { args: { sealedBuyerInput: string } }).args.sealedBuyerInput),
      );
      expect([buyerInput.budgetWei, buyerInput.deliveryPublicKey]).to.deep.equal([
        PRICE.toString(),
        hexlify(created.delivery.publicKey),
      ]);
      await until(() => seen.length >= 1);
      expect(seen.map((e) => [e.eventName, e.args.listingId, e.args.version])).to.deep.equal([
        ["ListingDealCreated", listingId, 1],
      ]);
      expect((await listListings(buyer, { address }))[0]!.sales).to.equal(1);
    } finally {
      unwatch();
    }
  });

  it("through the decorator: update (version 2), a second publication refused, withdraw, a withdrawn listing refused to a buyer", async () => {
    const { f, oracleKeys, buyer, seller, address } = await chain();
    const s = seller.extend(dealProofActions({ address }));
    const b = buyer.extend(dealProofActions({ address }));
    const { listingId, hash } = await s.publishListing({
      dataRoot: dataRoot(31),
      terms: terms(),
      input: sellerInput("v1"),
    });
    await seller.waitForTransactionReceipt({ hash });
    const again = await refusal(
      s.publishListing({ dataRoot: dataRoot(31), terms: terms(), input: sellerInput("v1") }),
    );
    expect(again.code).to.equal("listing.exists");
    expect(again.hint).to.match(/updateListing/);

    await seller.waitForTransactionReceipt({
      hash: await s.updateListing({
        listingId,
        terms: terms({ postedPriceWei: PRICE * 2n }),
        input: sellerInput("v2"),
      }),
    });
    const v2 = await b.getListing({ listingId });
    expect([v2.version, v2.postedPrice, v2.status]).to.deep.equal([2, PRICE * 2n, "Active"]);
    const logs = await f.dealProof.queryFilter(f.dealProof.filters.ListingPublished(listingId));
    const latest = (logs.at(-1) as unknown as { args: { sealedSellerInput: string } }).args.sealedSellerInput;
    const opened = await openListingSellerInput(
      oracleKeys.privateKey,
      { chainId: f.chainId, contract: f.address, listingId },
      getBytes(latest),
    );
    expect(opened.description).to.equal("v2");

    await seller.waitForTransactionReceipt({ hash: await s.withdrawListing({ listingId }) });
    expect((await b.listListings()).map((l) => [l.status, l.version])).to.deep.equal([["Withdrawn", 2]]);
    const now = BigInt(await f.networkHelpers.time.latest());
    const withdrawn = await refusal(
      b.createDealFromListing({
        listingId,
        deadline: now + 3600n,
        escrowWei: PRICE * 2n,
        budgetWei: PRICE * 2n,
        requirements: "x",
      }),
    );
    expect(withdrawn.code).to.equal("listing.withdrawn");
    const unknown = await refusal(
      b.createDealFromListing({
        listingId: 1n,
        deadline: now + 3600n,
        escrowWei: 1n,
        budgetWei: 1n,
        requirements: "x",
      }),
    );
    expect(unknown.code).to.equal("listing.unknown");
    // a stranger's update reverts on-chain, named
    const stranger = await refusal(
      b.updateListing({ listingId, terms: terms(), input: sellerInput("not mine") }),
    );
    expect(stranger.code).to.equal("chain.reverted");
    expect(stranger.hint).to.equal(
      "only the listing's seller may change or withdraw it: send from that account",
    );
  });
});
