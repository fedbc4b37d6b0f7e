/**
 * A listing's sealed seller input (sdk/src/inputs.ts, DESIGN.md §11): sealed once with the listing
 * as context, it opens for that listing only — not for another listing, contract or chain, and
 * never as a deal's seller input (nor a deal's input as a listing's): the tags differ.
 */
import { expect } from "chai";
import { hexlify, randomBytes, Wallet } from "ethers";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { MAX_SEALED_BYTES } from "../../sdk/src/limits.ts";
import {
  listingSealInfo,
  openListingSellerInput,
  openSellerInput,
  sealInfo,
  sealListingSellerInput,
  sealSellerInput,
  SealedInputError,
  type SellerInput,
} from "../../sdk/src/inputs.ts";

const contract = Wallet.createRandom().address;
const listing = { chainId: 31337n, contract, listingId: 0xabcn };
const seller: SellerInput = {
  v: 1,
  floorWei: "600000000000000000",
  description: "d",
  dataset: { location: "file:///tmp/x.enc", key: hexlify(randomBytes(32)), chunkSize: 1 << 20 },
};

async function refused(p: Promise<unknown>): Promise<SealedInputError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).to.be.instanceOf(SealedInputError);
  return e as SealedInputError;
}

describe("sealed inputs: a listing's seller input", () => {
  it("round-trips for its listing", async () => {
    const k = await generateX25519KeyPair();
    const sealed = await sealListingSellerInput(k.publicKey, listing, seller);
    expect(await openListingSellerInput(k.privateKey, listing, sealed)).to.deep.equal(seller);
  });

  it("does not open for another listing, contract or chain, and says what re-seals it", async () => {
    const k = await generateX25519KeyPair();
    const sealed = await sealListingSellerInput(k.publicKey, listing, seller);
    for (const other of [
      { ...listing, listingId: listing.listingId + 1n },
      { ...listing, contract: Wallet.createRandom().address },
      { ...listing, chainId: 1n },
    ]) {
      const e = await refused(openListingSellerInput(k.privateKey, other, sealed));
      expect(e.code).to.equal("sealed_input.cannot_open");
      expect(e.message).to.contain("listing 0x");
      expect(e.hint).to.contain("re-publish");
    }
  });

  it("never opens as a deal's seller input, nor a deal's as a listing's, with the same numbers", async () => {
    const k = await generateX25519KeyPair();
    const deal = { chainId: listing.chainId, contract, dealId: listing.listingId };
    expect(hexlify(listingSealInfo(listing))).to.not.equal(hexlify(sealInfo({ ...deal, role: "seller" })));
    const asListing = await sealListingSellerInput(k.publicKey, listing, seller);
    expect((await refused(openSellerInput(k.privateKey, deal, asListing))).code).to.equal(
      "sealed_input.cannot_open",
    );
    const asDeal = await sealSellerInput(k.publicKey, deal, seller);
    expect((await refused(openListingSellerInput(k.privateKey, listing, asDeal))).code).to.equal(
      "sealed_input.cannot_open",
    );
  });

  it("refuses an invalid input before sealing, naming the field", async () => {
    const k = await generateX25519KeyPair();
    const e = await refused(sealListingSellerInput(k.publicKey, listing, { ...seller, floorWei: "-1" }));
    expect(e.code).to.equal("sealed_input.invalid_schema");
    expect(e.message).to.contain("floorWei");
  });

  it("refuses an oversized, truncated, tampered or garbage sealed input without echoing it", async () => {
    const k = await generateX25519KeyPair();
    const sealed = await sealListingSellerInput(k.publicKey, listing, seller);
    const huge = new Uint8Array(MAX_SEALED_BYTES + 1).fill(0x41);
    const tooLarge = await refused(openListingSellerInput(k.privateKey, listing, huge));
    expect(tooLarge.code).to.equal("sealed_input.too_large");
    expect(tooLarge.message).to.contain(String(MAX_SEALED_BYTES));
    const tampered = sealed.slice();
    tampered[tampered.length - 1]! ^= 1;
    for (const bad of [
      sealed.subarray(0, sealed.length - 1),
      tampered,
      new Uint8Array(0),
      randomBytes(200),
    ]) {
      const e = await refused(openListingSellerInput(k.privateKey, listing, bad));
      expect(e.code).to.equal("sealed_input.cannot_open");
      expect(e.message).to.not.contain(seller.dataset.key.slice(2));
    }
    // The genuine input still opens afterwards: refusing bad bytes changed nothing.
    expect(await openListingSellerInput(k.privateKey, listing, sealed)).to.deep.equal(seller);
  });

  it("is bound to the recipient key: another oracle key cannot open it", async () => {
    const [k, other] = [await generateX25519KeyPair(), await generateX25519KeyPair()];
    const sealed = await sealListingSellerInput(k.publicKey, listing, seller);
    const e = await refused(openListingSellerInput(other.privateKey, listing, sealed));
    expect(e.code).to.equal("sealed_input.cannot_open");
  });
});
