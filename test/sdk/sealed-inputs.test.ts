import { expect } from "chai";
import { hexlify, randomBytes, Wallet } from "ethers";
import { generateX25519KeyPair, hpkeOpen, hpkeSeal, x25519KeyPairFromSeed } from "../../sdk/src/hpke.ts";
import {
  openBuyerInput,
  openSellerInput,
  sealBuyerInput,
  sealSellerInput,
  sealInfo,
  SealedInputError,
  type BuyerInput,
  type SellerInput,
} from "../../sdk/src/inputs.ts";
import { rejects } from "../helpers.ts";

const contract = Wallet.createRandom().address;
const ctx = { chainId: 31337n, contract, dealId: 42n };
const buyer: BuyerInput = {
  v: 1,
  budgetWei: "1000000000000000000",
  requirements: "10k labelled images",
  deliveryPublicKey: hexlify(randomBytes(32)),
};
const seller: SellerInput = {
  v: 1,
  floorWei: "600000000000000000",
  description: "COCO-style dataset",
  dataset: { location: "file:///tmp/data.enc", key: hexlify(randomBytes(32)), chunkSize: 1 << 20 },
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await rejects(p, /./);
  expect(e).to.be.instanceOf(SealedInputError);
  return (e as SealedInputError).code;
}

describe("HPKE (RFC 9180, X25519 / HKDF-SHA256 / AES-256-GCM)", () => {
  it("round-trips and derives the same key pair from the same seed", async () => {
    const seed = randomBytes(32);
    const a = await x25519KeyPairFromSeed(seed);
    const b = await x25519KeyPairFromSeed(seed);
    expect(hexlify(a.publicKey)).to.equal(hexlify(b.publicKey));
    const sealed = await hpkeSeal(
      a.publicKey,
      new Uint8Array([1]),
      new Uint8Array([2]),
      new Uint8Array([3, 4]),
    );
    expect([
      ...(await hpkeOpen(b.privateKey, new Uint8Array([1]), new Uint8Array([2]), sealed)),
    ]).to.deep.equal([3, 4]);
  });
  it("is randomised: sealing twice gives different ciphertexts", async () => {
    const k = await generateX25519KeyPair();
    const m = new Uint8Array([9]);
    expect(hexlify(await hpkeSeal(k.publicKey, m, m, m))).to.not.equal(
      hexlify(await hpkeSeal(k.publicKey, m, m, m)),
    );
  });
});

describe("sealed inputs", () => {
  it("round-trips buyer and seller inputs", async () => {
    const k = await generateX25519KeyPair();
    expect(
      await openBuyerInput(k.privateKey, ctx, await sealBuyerInput(k.publicKey, ctx, buyer)),
    ).to.deep.equal(buyer);
    const withEmail = { ...seller, email: Buffer.from("From: a@b\r\n\r\nhi").toString("base64") };
    expect(
      await openSellerInput(k.privateKey, ctx, await sealSellerInput(k.publicKey, ctx, withEmail)),
    ).to.deep.equal(withEmail);
  });

  it("binds the deal id, contract, chain id and role", async () => {
    const k = await generateX25519KeyPair();
    const sealed = await sealBuyerInput(k.publicKey, ctx, buyer);
    expect(await codeOf(openBuyerInput(k.privateKey, { ...ctx, dealId: 43n }, sealed))).to.equal(
      "sealed_input.cannot_open",
    );
    expect(
      await codeOf(openBuyerInput(k.privateKey, { ...ctx, contract: Wallet.createRandom().address }, sealed)),
    ).to.equal("sealed_input.cannot_open");
    expect(await codeOf(openBuyerInput(k.privateKey, { ...ctx, chainId: 1n }, sealed))).to.equal(
      "sealed_input.cannot_open",
    );
    expect(await codeOf(openSellerInput(k.privateKey, ctx, sealed))).to.equal("sealed_input.cannot_open");
    expect(hexlify(sealInfo({ ...ctx, role: "buyer" }))).to.not.equal(
      hexlify(sealInfo({ ...ctx, role: "seller" })),
    );
  });

  it("refuses another oracle's key and any tampered byte", async () => {
    const k = await generateX25519KeyPair();
    const other = await generateX25519KeyPair();
    const sealed = await sealBuyerInput(k.publicKey, ctx, buyer);
    expect(await codeOf(openBuyerInput(other.privateKey, ctx, sealed))).to.equal("sealed_input.cannot_open");
    for (const i of [0, 31, 32, sealed.length - 1]) {
      const bad = Uint8Array.from(sealed);
      bad[i]! ^= 1;
      expect(await codeOf(openBuyerInput(k.privateKey, ctx, bad)), `byte ${i}`).to.equal(
        "sealed_input.cannot_open",
      );
    }
    expect(await codeOf(openBuyerInput(k.privateKey, ctx, sealed.slice(0, 40)))).to.equal(
      "sealed_input.cannot_open",
    );
  });

  it("refuses an oversized ciphertext before trying to open it", async () => {
    const k = await generateX25519KeyPair();
    expect(await codeOf(openBuyerInput(k.privateKey, ctx, new Uint8Array(65_537)))).to.equal(
      "sealed_input.too_large",
    );
    // valid fields whose envelope still exceeds the contract's 64 KiB limit
    const huge = { ...seller, description: "x".repeat(4000), email: "A".repeat(65_000) };
    expect(await codeOf(sealSellerInput(k.publicKey, ctx, huge))).to.equal("sealed_input.too_large");
    // an email over 48 KiB is refused by the schema, naming the field
    await rejects(sealSellerInput(k.publicKey, ctx, { ...seller, email: "A".repeat(65_540) }), /email/);
  });

  it("refuses plaintext that is not JSON", async () => {
    const k = await generateX25519KeyPair();
    const info = sealInfo({ ...ctx, role: "buyer" });
    const sealed = await hpkeSeal(k.publicKey, info, info, new TextEncoder().encode("budget=1000"));
    expect(await codeOf(openBuyerInput(k.privateKey, ctx, sealed))).to.equal("sealed_input.not_json");
  });

  const malformed: [string, Record<string, unknown>, RegExp][] = [
    ["a negative budget", { ...buyer, budgetWei: "-5" }, /budgetWei: must be a whole number of wei/],
    ["a fractional budget", { ...buyer, budgetWei: "1.5" }, /budgetWei/],
    ["a budget as a number", { ...buyer, budgetWei: 1000 }, /budgetWei/],
    [
      "a short delivery key",
      { ...buyer, deliveryPublicKey: "0x1234" },
      /deliveryPublicKey: must be 32 bytes/,
    ],
    ["empty requirements", { ...buyer, requirements: "" }, /requirements: must not be empty/],
    [
      "requirements over 4000 characters",
      { ...buyer, requirements: "r".repeat(4001) },
      /requirements: must be at most 4000/,
    ],
    ["an unknown field", { ...buyer, floorWei: "1" }, /floorWei|Unrecognized/i],
    ["another version", { ...buyer, v: 2 }, /v:/],
  ];
  for (const [what, value, re] of malformed) {
    it(`refuses a buyer input with ${what}, naming the field but never the value`, async () => {
      const k = await generateX25519KeyPair();
      const info = sealInfo({ ...ctx, role: "buyer" });
      const sealed = await hpkeSeal(k.publicKey, info, info, new TextEncoder().encode(JSON.stringify(value)));
      const e = await rejects(openBuyerInput(k.privateKey, ctx, sealed), re);
      expect((e as SealedInputError).code).to.equal("sealed_input.invalid_schema");
      expect(e.message).to.not.include(buyer.budgetWei);
      expect(e.message).to.not.include("-5");
    });
  }

  it("refuses a seller dataset location that is not a file or http(s) URL", async () => {
    const k = await generateX25519KeyPair();
    const info = sealInfo({ ...ctx, role: "seller" });
    const bad = { ...seller, dataset: { ...seller.dataset, location: "ftp://x/y" } };
    const sealed = await hpkeSeal(k.publicKey, info, info, new TextEncoder().encode(JSON.stringify(bad)));
    await rejects(openSellerInput(k.privateKey, ctx, sealed), /dataset.location: must be a file/);
  });
});
