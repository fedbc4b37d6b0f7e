/**
 * The SDK's listings client (sdk/src/listings.ts) against the in-process Hardhat network: a
 * published listing's id is the contract's, its sealed seller input opens with the oracle's key for
 * that listing only; buying it creates an Accepted deal whose buyer input opens for that deal;
 * what the contract would refuse (a posted price above the escrow, a changed version, a withdrawn
 * listing, one sealed to a retired key) is refused before anything is sent; an update re-seals a
 * RepublishNeeded listing; listListings reports status, version, mode, price and sales; and a
 * listing revert decodes to its error with a hint.
 */
import { expect } from "chai";
import { Contract, getBytes, hexlify } from "ethers";
import { deployFixture, registerOracle, dataRoot, TTL, type Fixture } from "../fixtures/deal-proof.ts";
import {
  createDealFromListing,
  getListing,
  listListings,
  publishListing,
  updateListing,
  withdrawListing,
  type ListingTermsArgs,
} from "../../sdk/src/listings.ts";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import { openBuyerInput, openListingSellerInput } from "../../sdk/src/inputs.ts";
import { x25519KeyPairFromSeed, type X25519KeyPair } from "../../sdk/src/hpke.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
import { chainError } from "../../sdk/src/revert.ts";

const PRICE = 4n * 10n ** 17n;
const LAYOUT = { chunkSize: 65_536, chunkCount: 3, byteSize: 150_000 };
const posted: ListingTermsArgs = {
  mode: "Posted",
  postedPriceWei: PRICE,
  ...LAYOUT,
  metadataURI: "ipfs://bafy-listing",
};
const input = {
  floorWei: "0",
  description: "three chunks of rows",
  dataset: {
    location: "https://example.com/d.enc",
    key: hexlify(new Uint8Array(32).fill(1)),
    chunkSize: 65_536,
  },
};

/** The error a promise rejects with (fails the test if it resolves). */
async function refusal(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a refusal"),
    (e: unknown) => e,
  );
}

describe("sdk listings: publish, buy, update, withdraw and list with ethers", () => {
  let f: Fixture;
  let oracle: X25519KeyPair;
  let dp: Contract;
  const buyerTerms = async (over: { escrowWei?: bigint; version?: number; hours?: number } = {}) => ({
    escrowWei: over.escrowWei ?? PRICE,
    deadline: (await f.networkHelpers.time.latest()) + (over.hours ?? 1) * 3600,
    budgetWei: PRICE,
    requirements: "csv",
    ...(over.version === undefined ? {} : { version: over.version }),
  });
  beforeEach(async () => {
    f = await deployFixture();
    oracle = await x25519KeyPairFromSeed(new Uint8Array(32).fill(9));
    await registerOracle(f, hexlify(oracle.publicKey) as `0x${string}`);
    dp = new Contract(f.address, DEAL_PROOF_ABI, f.ethers.provider);
  });

  it("publishes under the contract's id with the input sealed to the live key for that listing only", async () => {
    const p = await publishListing(dp, f.seller, { dataRoot: dataRoot(), ...posted, input });
    expect(p.receipt.status).to.equal(1);
    expect(p.listingId).to.equal(await f.dealProof.listingIdFor(f.seller.address, dataRoot()));
    const [log] = await f.dealProof.queryFilter(f.dealProof.filters.ListingPublished(p.listingId));
    const sealed = getBytes(log!.args.sealedSellerInput);
    expect(hexlify(sealed)).to.equal(hexlify(p.sealed));
    const ctx = { chainId: f.chainId, contract: f.address, listingId: p.listingId };
    expect(await openListingSellerInput(oracle.privateKey, ctx, sealed)).to.deep.equal({ v: 1, ...input });
    const other = await refusal(openListingSellerInput(oracle.privateKey, { ...ctx, listingId: 1n }, sealed));
    expect(isDealProofError(other, "sealed_input.cannot_open"), String(other)).to.equal(true);
    expect(await getListing(dp, f.buyer, p.listingId)).to.deep.equal({
      listingId: p.listingId,
      seller: f.seller.address,
      dataRoot: dataRoot(),
      version: 1,
      mode: "Posted",
      postedPriceWei: PRICE,
      expiresAt: 0,
      encryptionKey: hexlify(oracle.publicKey),
      status: "Active",
    });
  });

  it("buys: an Accepted deal under the listing's seller and root, its buyer input sealed for that deal", async () => {
    const { listingId } = await publishListing(dp, f.seller, { dataRoot: dataRoot(), ...posted, input });
    const t = await buyerTerms({ escrowWei: PRICE + 1n, version: 1 });
    const d = await createDealFromListing(dp, f.buyer, { listingId, ...t });
    expect(d.version).to.equal(1);
    expect(d.dealId).to.equal(
      await f.dealProof.dealIdFor(f.buyer.address, f.seller.address, dataRoot(), t.deadline),
    );
    const deal = await f.dealProof.getDeal(d.dealId);
    expect([deal.state, deal.escrow]).to.deep.equal([2n, PRICE + 1n]);
    const [log] = await f.dealProof.queryFilter(f.dealProof.filters.ListingDealCreated(d.dealId));
    const opened = await openBuyerInput(
      oracle.privateKey,
      { chainId: f.chainId, contract: f.address, dealId: d.dealId },
      getBytes(log!.args.sealedBuyerInput),
    );
    expect(opened).to.deep.equal({
      v: 1,
      budgetWei: PRICE.toString(),
      requirements: "csv",
      deliveryPublicKey: hexlify(d.delivery.publicKey),
    });
    // the same deadline again: refused before sending
    const again = await refusal(createDealFromListing(dp, f.buyer, { listingId, ...t }));
    expect(isDealProofError(again, "deal.exists"), String(again)).to.equal(true);
  });

  it("refuses before sending: escrow below the posted price, a changed version, a withdrawn listing", async () => {
    const { listingId } = await publishListing(dp, f.seller, { dataRoot: dataRoot(), ...posted, input });
    const balance = await f.ethers.provider.getBalance(f.address);
    const low = await refusal(
      createDealFromListing(dp, f.buyer, { listingId, ...(await buyerTerms({ escrowWei: PRICE - 1n })) }),
    );
    expect(isDealProofError(low, "listing.escrow_below_price"), String(low)).to.equal(true);
    await updateListing(dp, f.seller, listingId, { ...posted, postedPriceWei: PRICE / 2n, input });
    const stale = await refusal(
      createDealFromListing(dp, f.buyer, { listingId, ...(await buyerTerms({ version: 1 })) }),
    );
    expect(isDealProofError(stale, "listing.version_changed"), String(stale)).to.equal(true);
    expect(String((stale as Error).message)).to.match(/version 2, not the version 1/);
    await withdrawListing(dp, f.seller, listingId);
    const gone = await refusal(createDealFromListing(dp, f.buyer, { listingId, ...(await buyerTerms()) }));
    expect(isDealProofError(gone, "listing.withdrawn"), String(gone)).to.equal(true);
    const none = await refusal(
      createDealFromListing(dp, f.buyer, { listingId: 7n, ...(await buyerTerms()) }),
    );
    expect(isDealProofError(none, "listing.unknown"), String(none)).to.equal(true);
    expect(await f.ethers.provider.getBalance(f.address), "nothing escrowed").to.equal(balance);
  });

  it("a listing sealed to a retired key reports RepublishNeeded and an update re-seals it to the current key", async () => {
    const { listingId } = await publishListing(dp, f.seller, { dataRoot: dataRoot(), ...posted, input });
    await f.networkHelpers.time.increase(Number(TTL) + 1);
    const next = await x25519KeyPairFromSeed(new Uint8Array(32).fill(10));
    await registerOracle(f, hexlify(next.publicKey) as `0x${string}`);
    expect((await getListing(dp, f.buyer, listingId)).status).to.equal("RepublishNeeded");
    const retired = await refusal(createDealFromListing(dp, f.buyer, { listingId, ...(await buyerTerms()) }));
    expect(isDealProofError(retired, "listing.republish_needed"), String(retired)).to.equal(true);
    const u = await updateListing(dp, f.seller, listingId, { ...posted, input });
    const l = await getListing(dp, f.buyer, listingId);
    expect([l.status, l.version, l.encryptionKey]).to.deep.equal(["Active", 2, hexlify(next.publicKey)]);
    const ctx = { chainId: f.chainId, contract: f.address, listingId };
    expect(await openListingSellerInput(next.privateKey, ctx, u.sealed)).to.deep.equal({ v: 1, ...input });
    const d = await createDealFromListing(dp, f.buyer, { listingId, ...(await buyerTerms({ version: 2 })) });
    expect((await f.dealProof.getDeal(d.dealId)).state).to.equal(2n);
  });

  it("lists every listing with its status, version, mode, price, metadata and sales; filters by seller", async () => {
    const a = await publishListing(dp, f.seller, { dataRoot: dataRoot(1), ...posted, input });
    const b = await publishListing(dp, f.seller, {
      dataRoot: dataRoot(2),
      mode: "Negotiated",
      ...LAYOUT,
      metadataURI: "https://example.com/b.json",
      input,
    });
    const c = await publishListing(dp, f.buyer, { dataRoot: dataRoot(3), ...posted, input });
    await createDealFromListing(dp, f.buyer, { listingId: a.listingId, ...(await buyerTerms()) });
    await createDealFromListing(dp, f.buyer, { listingId: a.listingId, ...(await buyerTerms({ hours: 2 })) });
    await createDealFromListing(dp, f.seller, { listingId: c.listingId, ...(await buyerTerms()) });
    await updateListing(dp, f.seller, b.listingId, {
      mode: "Negotiated",
      ...LAYOUT,
      metadataURI: "https://example.com/b2.json",
      input,
    });
    await withdrawListing(dp, f.seller, b.listingId);
    const all = await listListings(dp, f.buyer);
    const row = (id: bigint) => {
      const l = all.find((x) => x.listingId === id)!;
      return [l.seller, l.status, l.version, l.mode, l.postedPriceWei, l.metadataURI, l.sales];
    };
    expect(all).to.have.length(3);
    expect(row(a.listingId)).to.deep.equal([
      f.seller.address,
      "Active",
      1,
      "Posted",
      PRICE,
      posted.metadataURI,
      2,
    ]);
    expect(row(b.listingId)).to.deep.equal([
      f.seller.address,
      "Withdrawn",
      2,
      "Negotiated",
      0n,
      "https://example.com/b2.json",
      0,
    ]);
    expect(row(c.listingId)).to.deep.equal([
      f.buyer.address,
      "Active",
      1,
      "Posted",
      PRICE,
      posted.metadataURI,
      1,
    ]);
    const mine = await listListings(dp, f.buyer, { seller: f.seller.address });
    expect(mine.map((l) => l.listingId).sort()).to.deep.equal([a.listingId, b.listingId].sort());
  });

  it("a listing revert decodes to its error with a hint for the dapp developer", async () => {
    const { listingId } = await publishListing(dp, f.seller, { dataRoot: dataRoot(), ...posted, input });
    const twice = await refusal(publishListing(dp, f.seller, { dataRoot: dataRoot(), ...posted, input }));
    const e = chainError(twice);
    expect(e.code).to.equal("chain.reverted");
    expect(e.message).to.equal(`DealProof reverted: ListingExists(listingId=0x${listingId.toString(16)})`);
    expect(e.hint).to.match(/update that listing/);
    const stranger = chainError(await refusal(withdrawListing(dp, f.buyer, listingId)));
    expect(stranger.message).to.match(/NotListingSeller\(listingId=0x[0-9a-f]+, caller=0x/);
    expect(stranger.hint).to.match(/only the listing's seller/);
  });
});
