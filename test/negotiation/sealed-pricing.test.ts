/**
 * The negotiation's pricing fields in the sealed inputs (sdk/src/inputs.ts): per-scope limits and
 * the posted price round-trip, inputs without them stay valid, and bad values are refused with the
 * field named and the value never echoed.
 */
import { expect } from "chai";
import { hexlify, randomBytes, Wallet } from "ethers";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import {
  openBuyerInput,
  openSellerInput,
  sealBuyerInput,
  sealSellerInput,
  SealedInputError,
  type BuyerInput,
  type SellerInput,
} from "../../sdk/src/inputs.ts";

const ctx = { chainId: 31337n, contract: Wallet.createRandom().address, dealId: 7n };
const buyer: BuyerInput = {
  v: 1,
  budgetWei: "1000000000000000000",
  requirements: "r",
  deliveryPublicKey: hexlify(randomBytes(32)),
};
const seller: SellerInput = {
  v: 1,
  floorWei: "600000000000000000",
  description: "d",
  dataset: { location: "file:///tmp/x.enc", key: hexlify(randomBytes(32)), chunkSize: 1 << 20 },
};

describe("sealed inputs: negotiation pricing", () => {
  it("per-scope limits and a posted price round-trip; inputs without them stay valid", async () => {
    const k = await generateX25519KeyPair();
    const b = { ...buyer, budgetByScopeWei: { "research-only": "500000000000000000" } };
    const s = {
      ...seller,
      floorByScopeWei: { "research-only": "300000000000000000", evaluation: "1" },
      postedPriceWei: "800000000000000000",
    };
    expect(await openBuyerInput(k.privateKey, ctx, await sealBuyerInput(k.publicKey, ctx, b))).to.deep.equal(
      b,
    );
    expect(
      await openSellerInput(k.privateKey, ctx, await sealSellerInput(k.publicKey, ctx, s)),
    ).to.deep.equal(s);
    expect(
      await openBuyerInput(k.privateKey, ctx, await sealBuyerInput(k.publicKey, ctx, buyer)),
    ).to.deep.equal(buyer);
  });

  const bad: [string, Partial<SellerInput> & Record<string, unknown>, RegExp][] = [
    ["an unknown scope", { floorByScopeWei: { everything: "1" } as never }, /floorByScopeWei/],
    ["a decimal posted price", { postedPriceWei: "0.8" }, /postedPriceWei.*whole number of wei/],
    ["a negative per-scope floor", { floorByScopeWei: { full: "-1" } }, /floorByScopeWei/],
  ];
  for (const [name, extra, re] of bad) {
    it(`refuses ${name}, naming the field and not the value`, async () => {
      const k = await generateX25519KeyPair();
      const e = await sealSellerInput(k.publicKey, ctx, { ...seller, ...extra } as SellerInput).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).to.be.instanceOf(SealedInputError);
      expect((e as Error).message).to.match(re);
      expect((e as Error).message).to.not.include("0.8");
    });
  }
});
