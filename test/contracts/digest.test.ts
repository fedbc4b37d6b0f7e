import { expect } from "chai";
import { hexlify, randomBytes, Wallet } from "ethers";
import { deployFixture, type Fixture } from "../fixtures/deal-proof.ts";
import {
  dealIdFor,
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

  it("registrationDigest (TS) equals the contract's for random keys and issuedAt, which it binds", async () => {
    for (let i = 0; i < 16; i++) {
      const signer = Wallet.createRandom().address;
      const key = hexlify(randomBytes(32));
      const issuedAt = BigInt(hexlify(randomBytes(1 + (i % 8))));
      expect(registrationDigest(f.domain, signer, key, issuedAt)).to.equal(
        await f.dealProof.registrationDigest(signer, key, issuedAt),
      );
      expect(registrationDigest(f.domain, signer, key, issuedAt + 1n)).to.not.equal(
        registrationDigest(f.domain, signer, key, issuedAt),
      );
    }
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
