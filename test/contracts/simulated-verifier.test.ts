import { expect } from "chai";
import { network } from "hardhat";
import { at } from "../../scripts/lib/at.ts";
import { hexlify, getBytes, toUtf8String } from "ethers";
import { p256 } from "@noble/curves/p256";
import { sha256 } from "@noble/hashes/sha2";
import { buildQuote, buildTd10Body, p256PublicKeyXY, type QuoteKeys } from "../../oracle/simulator/quote.ts";
import { buildVerifierOutput } from "../../oracle/simulator/dcap-output.ts";
import { SIGNED_LEN, SIG_DATA_OFFSET } from "../../oracle/quote/layout.ts";
import { reportDataFor, settlementDigest } from "../../sdk/src/eip712.ts";
import { imageRegisters, MEASUREMENT, TTL, openDeal, outcome, type Fixture } from "../fixtures/deal-proof.ts";

const keys: QuoteKeys = {
  attestationPrivateKey: p256.utils.randomPrivateKey(),
  pckPrivateKey: p256.utils.randomPrivateKey(),
};
const FMSPC = "0x00906ed50000";

async function deploy() {
  const connection = await network.create();
  const { ethers } = connection;
  const signers = await ethers.getSigners();
  const owner = at(signers, 0, "signer");
  const other = at(signers, 1, "signer");
  const verifier = await ethers.deployContract("SimulatedDcapVerifier", [owner.address, false]);
  const xy = p256PublicKeyXY(keys.attestationPrivateKey);
  await verifier.setAttestationKey(xy.slice(0, 32), xy.slice(32), true);
  return { connection, ethers, owner, other, verifier };
}

function quoteWith(reportData: Uint8Array, k: QuoteKeys = keys) {
  return buildQuote({ body: { ...imageRegisters(1), reportData }, keys: k });
}

/** Re-signs a tampered quote with a high-s signature (valid for P-256 in general, malleable). */
function withHighS(q: Uint8Array): Uint8Array {
  const out = Uint8Array.from(q);
  const sig = p256.Signature.fromCompact(out.slice(SIG_DATA_OFFSET, SIG_DATA_OFFSET + 64));
  const n = p256.CURVE.n;
  const high = new p256.Signature(sig.r, n - sig.s);
  // the malleated signature is still valid for plain ECDSA; only the low-s rule refuses it
  expect(
    p256.verify(
      high.toCompactRawBytes(),
      sha256(q.slice(0, SIGNED_LEN)),
      p256.getPublicKey(keys.attestationPrivateKey),
      {
        lowS: false,
      },
    ),
  ).to.equal(true);
  out.set(high.toCompactRawBytes(), SIG_DATA_OFFSET);
  return out;
}

describe("SimulatedDcapVerifier", () => {
  let d: Awaited<ReturnType<typeof deploy>>;
  before(async () => {
    d = await deploy();
  });

  async function verify(q: Uint8Array): Promise<[boolean, string]> {
    const [ok, out] = await d.verifier.verifyAndAttestOnChain.staticCall(q);
    return [ok, out];
  }

  it("accepts a genuine simulator quote and returns the Automata v1.1 output", async () => {
    const rd = new Uint8Array(64).fill(7);
    const [ok, out] = await verify(quoteWith(rd));
    expect(ok).to.equal(true);
    const body = buildTd10Body({ ...imageRegisters(1), reportData: rd });
    expect(out).to.equal(hexlify(buildVerifierOutput(body, { fmspc: getBytes(FMSPC) })));
  });

  it("rejects a quote with any bit flipped in the signed region", async () => {
    const q = quoteWith(new Uint8Array(64).fill(1));
    for (const offset of [0x30, 48 + 136, 48 + 520, 48 + 583, 631]) {
      const bad = Uint8Array.from(q);
      bad[offset]! ^= 0x01;
      const [ok, reason] = await verify(bad);
      expect(ok, `offset ${offset}`).to.equal(false);
      expect(reason).to.not.equal("0x");
    }
  });

  it("rejects a signature flipped in r or s", async () => {
    const q = quoteWith(new Uint8Array(64));
    const bad = Uint8Array.from(q);
    bad[SIG_DATA_OFFSET + 40]! ^= 0x80;
    const [ok, reason] = await verify(bad);
    expect(ok).to.equal(false);
    expect(toUtf8String(reason)).to.equal("quote signature is invalid");
  });

  it("rejects a quote signed by an attestation key the owner did not register", async () => {
    const other = { ...keys, attestationPrivateKey: p256.utils.randomPrivateKey() };
    const [ok, reason] = await verify(quoteWith(new Uint8Array(64), other));
    expect(ok).to.equal(false);
    expect(toUtf8String(reason)).to.equal("attestation key is not registered");
  });

  it("rejects a high-s (malleated) signature", async () => {
    const [ok] = await verify(withHighS(quoteWith(new Uint8Array(64).fill(3))));
    expect(ok).to.equal(false);
  });

  it("rejects truncated and padded quotes", async () => {
    const q = quoteWith(new Uint8Array(64));
    for (const bad of [
      q.slice(0, q.length - 1),
      q.slice(0, 700),
      q.slice(0, 100),
      Uint8Array.from([...q, 0]),
    ]) {
      const [ok] = await verify(bad);
      expect(ok, `length ${bad.length}`).to.equal(false);
    }
  });

  it("rejects another quote version, key type or TEE type", async () => {
    const q = quoteWith(new Uint8Array(64));
    for (const [offset, value, why] of [
      [0, 3, "quote version is not 4"],
      [2, 3, "attestation key type is not ECDSA-P256"],
      [4, 0x00, "TEE type is not TDX"],
    ] as const) {
      const bad = Uint8Array.from(q);
      bad[offset] = value;
      const [ok, reason] = await verify(bad);
      expect(ok).to.equal(false);
      expect(toUtf8String(reason)).to.equal(why);
    }
  });

  it("refuses a fee rather than keep it", async () => {
    await expect(
      d.verifier.verifyAndAttestOnChain(quoteWith(new Uint8Array(64)), { value: 1 }),
    ).to.be.revertedWithCustomError(d.verifier, "FeeNotAccepted");
  });

  it("only the owner registers keys; removing a key stops its quotes", async () => {
    const xy = p256PublicKeyXY(keys.attestationPrivateKey);
    await expect(
      d.verifier.connect(d.other).setAttestationKey(xy.slice(0, 32), xy.slice(32), false),
    ).to.be.revertedWithCustomError(d.verifier, "OwnableUnauthorizedAccount");
    await d.verifier.setAttestationKey(xy.slice(0, 32), xy.slice(32), false);
    expect((await verify(quoteWith(new Uint8Array(64))))[0]).to.equal(false);
    await d.verifier.setAttestationKey(xy.slice(0, 32), xy.slice(32), true);
  });

  it("reports the owner-set FMSPC, and only the owner sets it", async () => {
    await expect(d.verifier.connect(d.other).setFmspc("0x112233445566")).to.be.revertedWithCustomError(
      d.verifier,
      "OwnableUnauthorizedAccount",
    );
    await expect(d.verifier.setFmspc("0x112233445566"))
      .to.emit(d.verifier, "FmspcSet")
      .withArgs("0x112233445566");
    const [ok, out] = await verify(quoteWith(new Uint8Array(64)));
    expect(ok).to.equal(true);
    expect(out.slice(2 + 10, 2 + 22)).to.equal("112233445566");
    await d.verifier.setFmspc(FMSPC);
  });

  // Sepolia, Arbitrum Sepolia, OP Sepolia, Polygon Amoy, BNB: every non-local id is refused
  for (const chainId of [11155111, 421614, 11155420, 80002, 56]) {
    it(`refuses to deploy on chain id ${chainId} unless forced`, async () => {
      const { ethers } = await network.create({ override: { chainId } });
      const owner = at(await ethers.getSigners(), 0, "signer");
      const factory = await ethers.getContractFactory("SimulatedDcapVerifier");
      await expect(ethers.deployContract("SimulatedDcapVerifier", [owner.address, false]))
        .to.be.revertedWithCustomError(factory, "PublicChain")
        .withArgs(chainId);
      const forced = await ethers.deployContract("SimulatedDcapVerifier", [owner.address, true]);
      expect([
        await forced.isLocalChain(chainId),
        await forced.isLocalChain(31337),
        await forced.isLocalChain(1337),
      ]).to.deep.equal([false, true, true]);
    });
  }
});

describe("DealProof with SimulatedDcapVerifier (real P-256 quotes)", () => {
  let f: Fixture & { verifier: Awaited<ReturnType<typeof deploy>>["verifier"] };
  beforeEach(async () => {
    const d = await deploy();
    const { ethers, connection } = d;
    const sg = await ethers.getSigners();
    const [owner, buyer, seller, stranger, oracleSender] = [0, 1, 2, 3, 4].map((i) =>
      at(sg, i, "signer"),
    ) as [
      (typeof sg)[number],
      (typeof sg)[number],
      (typeof sg)[number],
      (typeof sg)[number],
      (typeof sg)[number],
    ];
    const dealProof = await ethers.deployContract("DealProof", [
      owner.address,
      await d.verifier.getAddress(),
      TTL,
      3600,
      0,
      [MEASUREMENT],
    ]);
    const address = (await dealProof.getAddress()) as `0x${string}`;
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const { dealProofDomain } = await import("../../sdk/src/eip712.ts");
    f = {
      connection,
      ethers,
      networkHelpers: connection.networkHelpers,
      owner,
      buyer,
      seller,
      stranger,
      oracleSender,
      mock: d.verifier as never,
      dealProof,
      address,
      chainId,
      domain: dealProofDomain(chainId, address),
      oracle: ethers.Wallet.createRandom(),
      verifier: d.verifier,
    };
  });

  it("settles with the quote for the matching outcome", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    const q = quoteWith(reportDataFor(settlementDigest(f.domain, s)));
    await expect(f.dealProof.settleWithQuote(s, q)).to.emit(f.dealProof, "DealSettled");
    expect((await f.dealProof.getDeal(dealId)).sellerPayout).to.equal(s.price);
  });

  it("refuses the same quote for any other outcome", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    const q = quoteWith(reportDataFor(settlementDigest(f.domain, s)));
    for (const other of [
      { ...s, price: s.price + 1n },
      { ...s, agreed: false, price: 0n, delivery: "0x" as const },
      { ...s, delivery: "0x99" as const },
    ]) {
      await expect(f.dealProof.settleWithQuote(other, q)).to.be.revertedWithCustomError(
        f.dealProof,
        "ReportDataMismatch",
      );
    }
    expect((await f.dealProof.getDeal(dealId)).state).to.equal(2n);
  });

  it("refuses a tampered quote with the verifier's reason", async () => {
    const { dealId } = await openDeal(f);
    const s = outcome(dealId);
    const q = quoteWith(reportDataFor(settlementDigest(f.domain, s)));
    q[48 + 520 + 63]! ^= 1;
    await expect(f.dealProof.settleWithQuote(s, q))
      .to.be.revertedWithCustomError(f.dealProof, "VerifierRejected")
      .withArgs(hexlify(new TextEncoder().encode("quote signature is invalid")));
  });
});
