import { expect } from "chai";
import { hexlify, randomBytes, Wallet } from "ethers";
import { deployFixture, INSTANCE_ID, type Fixture } from "../fixtures/deal-proof.ts";
import {
  dealIdFor,
  instanceIdBytes32,
  registrationDigest,
  settlementDigest,
  type Settlement,
  type Hex,
} from "../../sdk/src/eip712.ts";

function randomOutcome(i: number): Settlement {
  const r = (n: number) => hexlify(randomBytes(n)) as Hex;
  const big = (n: number) => BigInt(r(n));
  return {
    dealId: big(32),
    agreed: i % 2 === 0,
    price: i % 5 === 0 ? 0n : big(1 + (i % 32)),
    termsHash: r(32),
    dataRoot: r(32),
    transcriptHash: r(32),
    delivery: r(i % 7 === 0 ? 0 : 1 + ((i * 37) % 300)),
  };
}

describe("EIP-712 encoding shared by the oracle and the contract", () => {
  let f: Fixture;
  before(async () => {
    f = await deployFixture();
  });

  it("settlementDigest (TS) equals the contract's for 64 random outcomes", async () => {
    for (let i = 0; i < 64; i++) {
      const s = randomOutcome(i);
      expect(settlementDigest(f.domain, s), `outcome ${i}`).to.equal(await f.dealProof.settlementDigest(s));
    }
  });

  it("registrationDigest (TS) equals the contract's for random keys, instance ids and issuedAt, which it binds", async () => {
    for (let i = 0; i < 16; i++) {
      const signer = Wallet.createRandom().address;
      const key = hexlify(randomBytes(32));
      const instance = instanceIdBytes32(hexlify(randomBytes(20)));
      const issuedAt = BigInt(hexlify(randomBytes(1 + (i % 8))));
      expect(registrationDigest(f.domain, signer, key, instance, issuedAt)).to.equal(
        await f.dealProof.registrationDigest(signer, key, instance, issuedAt),
      );
      expect(registrationDigest(f.domain, signer, key, instance, issuedAt + 1n)).to.not.equal(
        registrationDigest(f.domain, signer, key, instance, issuedAt),
      );
      expect(registrationDigest(f.domain, signer, key, INSTANCE_ID, issuedAt)).to.not.equal(
        registrationDigest(f.domain, signer, key, instance, issuedAt),
      );
    }
  });

  it("instanceIdBytes32 left-aligns a dstack instance id (with or without 0x) and refuses what is not 1-32 bytes of hex", () => {
    const id = "ab".repeat(20);
    expect(instanceIdBytes32(id)).to.equal(`0x${id}${"00".repeat(12)}`);
    expect(instanceIdBytes32(`0x${id.toUpperCase()}`)).to.equal(`0x${id}${"00".repeat(12)}`);
    for (const bad of ["", "0x", "abc", "zz".repeat(20), "ab".repeat(33)])
      expect(() => instanceIdBytes32(bad), bad).to.throw(/an instance id is 1 to 32 bytes of hex/);
  });

  it("dealIdFor (TS) equals the contract's, and each input changes it", async () => {
    for (let i = 0; i < 16; i++) {
      const key = {
        buyer: Wallet.createRandom().address,
        seller: Wallet.createRandom().address,
        dataRoot: hexlify(randomBytes(32)),
        deadline: BigInt(hexlify(randomBytes(8))),
      };
      const id = dealIdFor(f.domain, key);
      expect(id).to.equal(await f.dealProof.dealIdFor(key.buyer, key.seller, key.dataRoot, key.deadline));
      const variants = [
        { buyer: Wallet.createRandom().address },
        { seller: Wallet.createRandom().address },
        { dataRoot: hexlify(randomBytes(32)) },
        { deadline: key.deadline ^ 1n },
      ];
      for (const v of variants) expect(dealIdFor(f.domain, { ...key, ...v })).to.not.equal(id);
      const elsewhere = { ...f.domain, chainId: f.domain.chainId + 1n };
      expect(dealIdFor(elsewhere, key)).to.not.equal(id);
    }
  });

  it("each field changes the digest", async () => {
    const base = randomOutcome(2);
    const d0 = settlementDigest(f.domain, base);
    const variants: Partial<Settlement>[] = [
      { dealId: base.dealId + 1n },
      { agreed: !base.agreed },
      { price: base.price + 1n },
      { termsHash: hexlify(randomBytes(32)) as Hex },
      { dataRoot: hexlify(randomBytes(32)) as Hex },
      { transcriptHash: hexlify(randomBytes(32)) as Hex },
      { delivery: (base.delivery + "00") as Hex },
    ];
    for (const v of variants) expect(settlementDigest(f.domain, { ...base, ...v })).to.not.equal(d0);
  });
});
