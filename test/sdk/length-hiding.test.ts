/**
 * DESIGN.md §8 through a side channel: a sealed input's length is public (calldata, the deal's
 * event), so sealing the JSON as it is would tell the other party the number of digits of the
 * buyer's budget or the seller's floor. The attack here is that reading: for inputs differing
 * only in their reservation values — 1 wei to a 78-digit uint256, per-scope limits included — the
 * ciphertexts of both SDK entries (ethers/zod and viem) have one length; the oracle's open
 * functions still read every one of them back exactly; and an input sealed before padding
 * existed still opens.
 */
import { expect } from "chai";
import { hexlify, randomBytes, toUtf8Bytes, Wallet } from "ethers";
import type { Hex } from "viem";
import { generateX25519KeyPair, hpkeSeal } from "../../sdk/src/hpke.ts";
import {
  openBuyerInput,
  openListingSellerInput,
  openSellerInput,
  sealBuyerInput,
  sealInfo,
  sealListingSellerInput,
  sealSellerInput,
  type BuyerInput,
  type SellerInput,
} from "../../sdk/src/inputs.ts";
import * as viem from "../../sdk/src/viem/index.ts";
import {
  lengthHidingJson,
  PAD_BLOCK,
  RESERVATION_DIGITS,
  reservationValues,
} from "../../sdk/src/length-hiding.ts";

const contract = Wallet.createRandom().address as Hex;
const ctx = { chainId: 31337n, contract, dealId: 42n };
const listing = { chainId: 31337n, contract, listingId: 7n };
const AMOUNTS = [
  "1",
  "999999999999999",
  "600000000000000000",
  "1000000000000000000",
  "9".repeat(RESERVATION_DIGITS),
];

const buyer = (budgetWei: string, scoped?: string): BuyerInput => ({
  v: 1,
  budgetWei,
  requirements: "10k labelled images",
  deliveryPublicKey: hexlify(randomBytes(32)),
  ...(scoped === undefined ? {} : { budgetByScopeWei: { full: scoped, evaluation: scoped } }),
});
const seller = (floorWei: string, scoped?: string): SellerInput => ({
  v: 1,
  floorWei,
  description: "COCO-style dataset",
  dataset: { location: "file:///tmp/data.enc", key: hexlify(randomBytes(32)), chunkSize: 1 << 20 },
  ...(scoped === undefined ? {} : { floorByScopeWei: { full: scoped, evaluation: scoped } }),
});

const lengths = (xs: Uint8Array[]) => [...new Set(xs.map((x) => x.length))];

describe("sealed inputs hide their reservation values' length (DESIGN §8)", () => {
  it("the buyer's budget: one ciphertext length from 1 wei to a uint256, by either entry; each opens to its budget", async () => {
    const k = await generateX25519KeyPair();
    for (const scoped of [undefined, "5", "12345678901234567890"]) {
      const inputs = AMOUNTS.map((a) => buyer(a, scoped));
      const ethersSealed = await Promise.all(inputs.map((i) => sealBuyerInput(k.publicKey, ctx, i)));
      const viemSealed = await Promise.all(inputs.map((i) => viem.sealBuyerInput(k.publicKey, ctx, i)));
      expect(lengths([...ethersSealed, ...viemSealed]), `scoped ${scoped}`).to.have.length(1);
      for (const [i, s] of [...ethersSealed, ...viemSealed].entries()) {
        const opened = await openBuyerInput(k.privateKey, ctx, s);
        expect(opened.budgetWei).to.equal(inputs[i % inputs.length]!.budgetWei);
      }
    }
  });

  it("the seller's floor, per deal and per listing: one length whatever the floor; each opens to its floor", async () => {
    const k = await generateX25519KeyPair();
    const inputs = AMOUNTS.map((a, i) => seller(a, AMOUNTS[AMOUNTS.length - 1 - i]));
    const perDeal = await Promise.all(inputs.map((i) => sealSellerInput(k.publicKey, ctx, i)));
    const perListing = await Promise.all(inputs.map((i) => sealListingSellerInput(k.publicKey, listing, i)));
    const viemListing = await Promise.all(
      inputs.map((i) => viem.sealListingSellerInput(k.publicKey, listing, i)),
    );
    expect(lengths(perDeal)).to.have.length(1);
    expect(lengths([...perListing, ...viemListing])).to.have.length(1);
    for (const [i, s] of perDeal.entries())
      expect((await openSellerInput(k.privateKey, ctx, s)).floorWei).to.equal(inputs[i]!.floorWei);
    for (const [i, s] of viemListing.entries())
      expect((await openListingSellerInput(k.privateKey, listing, s)).floorWei).to.equal(inputs[i]!.floorWei);
  });

  it("pads with JSON whitespace to a block multiple, as if each reservation value had 78 digits; unpadded inputs still open", async () => {
    const input = buyer("1000", "7");
    const json = JSON.stringify(input);
    const padded = lengthHidingJson(input, reservationValues("buyer", input));
    expect(padded.length % PAD_BLOCK).to.equal(0);
    expect(padded.length).to.be.at.least(
      json.length + (RESERVATION_DIGITS - 4) + 2 * (RESERVATION_DIGITS - 1),
    );
    expect(padded.length - (json.length + 3 * RESERVATION_DIGITS - 6)).to.be.below(PAD_BLOCK);
    const text = new TextDecoder().decode(padded);
    expect(text.trimEnd()).to.equal(json);
    expect(JSON.parse(text)).to.deep.equal(input);
    // the posted price is public, not a reservation value; the seller's floors are
    expect(reservationValues("seller", { ...seller("5", "6"), postedPriceWei: "9" })).to.deep.equal([
      "5",
      "6",
      "6",
    ]);
    // sealed before padding existed (plain JSON): the oracle opens it unchanged
    const k = await generateX25519KeyPair();
    const info = sealInfo({ ...ctx, role: "buyer" });
    const legacy = await hpkeSeal(k.publicKey, info, info, toUtf8Bytes(json));
    expect(await openBuyerInput(k.privateKey, ctx, legacy)).to.deep.equal(input);
  });
});
