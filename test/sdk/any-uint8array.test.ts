/**
 * Every byte-taking SDK export accepts any Uint8Array: here Node Buffers that are views into a
 * larger ArrayBuffer (Node's shared pool for small ones, an offset view for large ones), so a
 * helper that reads `.buffer` (or `Buffer#slice().buffer`, also a view) would see other bytes.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { getAddress, hexlify, randomBytes, Wallet } from "ethers";
import {
  checkTdAttributes,
  commitAndEncryptDataset,
  datasetRoot,
  decryptAndVerifyDataset,
  generateX25519KeyPair,
  openBuyerInput,
  openDelivery,
  openSellerInput,
  parseTdQuote,
  sealBuyerInput,
  sealDelivery,
  sealSellerInput,
  tdAttributesProblems,
  verifyChunk,
} from "../../sdk/src/index.ts";
import { sha256 } from "@noble/hashes/sha2";
import { hpkeOpen, hpkeSeal, x25519KeyPairFromSeed } from "../../sdk/src/hpke.ts";
import { FIXTURES, loadFixture } from "../fixtures/tdx.ts";
import { createRequire } from "node:module";
import { verifySettlementQuote, type DcapQvl } from "../../sdk/src/settlement-quote.ts";
import { dealProofDomain, reportDataFor, settlementDigest, type Settlement } from "../../sdk/src/eip712.ts";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";

const qvl = createRequire(import.meta.url)("@phala/dcap-qvl") as DcapQvl;

/** `bytes` as a Buffer at a non-zero offset of a bigger ArrayBuffer full of other bytes. */
function offsetView(bytes: Uint8Array): Buffer {
  const backing = new Uint8Array(bytes.length + 64).fill(0xa5);
  backing.set(bytes, 29);
  const b = Buffer.from(backing.buffer, 29, bytes.length);
  expect(b.byteOffset).to.equal(29);
  return b;
}
/** `bytes` copied into Node's shared pool (Buffer.from of a small array), as `Buffer.from(hex)` gives. */
function pooled(bytes: Uint8Array): Buffer {
  const b = Buffer.from(bytes);
  expect(b.buffer.byteLength, "a pooled Buffer shares a bigger ArrayBuffer").to.be.greaterThan(b.length);
  return b;
}
/** Both shapes, plus Buffer.concat (also pooled) for the small ones. */
const shapes = (bytes: Uint8Array): Buffer[] =>
  bytes.length < 4096
    ? [
        pooled(bytes),
        Buffer.concat([Buffer.from(bytes.subarray(0, 1)), Buffer.from(bytes.subarray(1))]),
        offsetView(bytes),
      ]
    : [offsetView(bytes)];

const ctx = { chainId: 31337n, contract: getAddress(Wallet.createRandom().address), dealId: 7n };

describe("sdk: every byte-taking export accepts any Uint8Array (pooled Node Buffers)", () => {
  it("openDelivery / sealDelivery with Buffer keys and Buffer delivery bytes", async () => {
    const k = await generateX25519KeyPair();
    const payload = {
      v: 1 as const,
      key: hexlify(randomBytes(32)),
      location: "file:///d.enc",
      chunkSize: 65536,
    };
    for (const pub of shapes(k.publicKey)) {
      const sealed = await sealDelivery(pub, payload, ctx);
      for (const priv of shapes(k.privateKey))
        for (const bytes of shapes(sealed))
          expect(await openDelivery(priv, ctx, bytes)).to.deep.equal(payload);
    }
  });

  it("a key file read as hex into a Buffer opens the delivery (the reported case)", async () => {
    const k = await generateX25519KeyPair();
    const payload = {
      v: 1 as const,
      key: hexlify(randomBytes(32)),
      location: "https://x/d",
      chunkSize: 4096,
    };
    const sealed = await sealDelivery(k.publicKey, payload, ctx);
    const fromHex = Buffer.from(hexlify(k.privateKey).slice(2), "hex");
    expect(await openDelivery(fromHex, ctx, Buffer.from(hexlify(sealed).slice(2), "hex"))).to.deep.equal(
      payload,
    );
  });

  it("seal/open buyer and seller inputs with Buffer keys and sealed bytes", async () => {
    const k = await generateX25519KeyPair();
    const buyer = {
      v: 1 as const,
      budgetWei: "1000",
      requirements: "rows",
      deliveryPublicKey: hexlify(randomBytes(32)),
    };
    const seller = {
      v: 1 as const,
      floorWei: "10",
      description: "data",
      dataset: { location: "file:///d.enc", key: hexlify(randomBytes(32)), chunkSize: 65536 },
    };
    for (const pub of shapes(k.publicKey)) {
      const sb = await sealBuyerInput(pub, ctx, buyer);
      const ss = await sealSellerInput(pub, ctx, seller);
      for (const priv of shapes(k.privateKey)) {
        for (const b of shapes(sb)) expect(await openBuyerInput(priv, ctx, b)).to.deep.equal(buyer);
        for (const s of shapes(ss)) expect(await openSellerInput(priv, ctx, s)).to.deep.equal(seller);
      }
    }
  });

  it("the HPKE helpers and seed derivation read only the view's bytes", async () => {
    const seed = randomBytes(32);
    const a = await x25519KeyPairFromSeed(seed);
    for (const s of shapes(seed))
      expect(hexlify((await x25519KeyPairFromSeed(s)).publicKey)).to.equal(hexlify(a.publicKey));
    const info = Uint8Array.of(1, 2, 3);
    const aad = Uint8Array.of(4, 5);
    const sealed = await hpkeSeal(
      pooled(a.publicKey),
      pooled(info),
      pooled(aad),
      pooled(Uint8Array.of(6, 7, 8)),
    );
    expect([
      ...(await hpkeOpen(pooled(a.privateKey), pooled(info), pooled(aad), offsetView(sealed))),
    ]).to.deep.equal([6, 7, 8]);
  });

  it("datasets: encrypt with a Buffer key, decrypt a stream of Buffer pieces, verify Buffer chunks and roots", async () => {
    const plain = randomBytes(10_000);
    const key = randomBytes(32);
    for (const k of shapes(key)) {
      const enc = await commitAndEncryptDataset(new Blob([plain]), { chunkSize: 4096, key: k });
      const bytes = new Uint8Array(await enc.encrypted.arrayBuffer());
      // a fetch body in Node yields Buffers; cut it into pooled/offset pieces of odd sizes
      const pieces = [bytes.subarray(0, 100), bytes.subarray(100, 5000), bytes.subarray(5000)].map(
        (p) => shapes(p)[0]!,
      );
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (const p of pieces) c.enqueue(p);
          c.close();
        },
      });
      const out = await decryptAndVerifyDataset(stream, hexlify(key), enc.root);
      expect(hexlify(new Uint8Array(await out.plaintext.arrayBuffer()))).to.equal(hexlify(plain));
    }
  });

  it("verifyChunk and datasetRoot hash only the view's bytes", () => {
    const chunk = randomBytes(100);
    // a one-chunk tree: its root is the leaf hash sha256(0x00 ‖ chunk)
    const leaf = sha256(Uint8Array.from([0, ...chunk]));
    const root = datasetRoot(leaf, 1, 4096, 100);
    for (const t of shapes(leaf)) expect(datasetRoot(t, 1, 4096, 100)).to.equal(root);
    const proof = { index: 0, chunkCount: 1, chunkSize: 4096, size: 100, path: [] };
    expect(verifyChunk(root, chunk, proof)).to.equal(true);
    for (const c of shapes(chunk)) expect(verifyChunk(root, c, proof)).to.equal(true);
    const other = Uint8Array.from(chunk);
    other[0]! ^= 1;
    expect(verifyChunk(root, offsetView(other), proof)).to.equal(false);
  });

  it("TD attributes and quote parsing read only the view's bytes", function () {
    const prod = Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 0]);
    for (const a of shapes(prod)) {
      expect(checkTdAttributes(a)).to.deep.equal({ ok: true, problems: [] });
      expect(tdAttributesProblems(a)).to.deep.equal([]);
    }
    if (!existsSync(join(FIXTURES, "dstack-getquote-response.json"))) this.skip();
    const { quote } = loadFixture();
    const want = parseTdQuote(quote);
    for (const q of shapes(quote)) expect(parseTdQuote(q)).to.deep.equal(want);
  });

  it("verifySettlementQuote takes the quote and the root CA as Buffers", async () => {
    const sim = new SimulatorBackend(new Uint8Array(32).fill(7));
    const outcome: Settlement = {
      dealId: 42n,
      agreed: true,
      price: 10n ** 18n,
      termsHash: `0x${"11".repeat(32)}`,
      dataRoot: `0x${"22".repeat(32)}`,
      transcriptHash: `0x${"33".repeat(32)}`,
      delivery: "0x1234",
    };
    const { quote } = await sim.getQuote(
      reportDataFor(settlementDigest(dealProofDomain(31337n, ctx.contract), outcome)),
    );
    for (const [q, root] of [
      [offsetView(quote), offsetView(sim.dcapRootCa())],
      [Buffer.concat([Buffer.from(quote)]), pooled(sim.dcapRootCa())],
    ] as const) {
      const v = await verifySettlementQuote(qvl, {
        quote: q,
        outcome,
        chainId: 31337n,
        dealProof: ctx.contract,
        collateral: sim.dcapCollateral(),
        rootCaDer: root,
        isMeasurementAllowed: (id: string) => id === sim.measurementId(),
      });
      expect(v.checks.filter((c) => !c.passed).map((c) => c.name)).to.deep.equal([]);
    }
  });
});
