import { expect } from "chai";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { hexlify, randomBytes, Wallet } from "ethers";
import { encryptStream } from "../../oracle/data/encryption.ts";
import { commitStream, fetchAndVerifyDataset } from "../../oracle/data/dataset.ts";
import { sealDelivery, openDelivery } from "../../sdk/src/delivery.ts";
import { receiveDataset } from "../../client/receive.ts";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { vectorData } from "./vectors.ts";

const CS = 4096;
const dir = mkdtempSync(join(tmpdir(), "dealproof-data-"));

async function* one(b: Uint8Array) {
  yield b;
}
async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}
async function encrypted(plain: Buffer, key: Uint8Array) {
  return collect(encryptStream(one(plain), key, plain.length, CS));
}
async function codeOf(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (e) {
    // one class for every dataset.* code (issue 22): the oracle's fetch and the SDK's delivery alike
    expect(e instanceof DatasetError && isDealProofError(e), String(e)).to.equal(true);
    return [(e as DatasetError).code, (e as Error).message];
  }
  throw new Error("expected a DatasetError");
}

describe("encrypted dataset and delivery", () => {
  const plain = Buffer.concat([Buffer.from("id,label,score\n"), vectorData(5 * CS)]);
  const key = randomBytes(32);
  let root: string;
  let enc: Buffer;
  let file: string;
  before(async () => {
    root = (await commitStream(one(plain), CS)).root;
    enc = await encrypted(plain, key);
    file = join(dir, "data.enc");
    writeFileSync(file, enc);
  });

  it("round-trips: the oracle recomputes the root over the decrypted plaintext", async () => {
    const r = await fetchAndVerifyDataset(
      { location: pathToFileURL(file).href, key: hexlify(key), chunkSize: CS },
      root,
    );
    expect([r.size, r.chunkCount]).to.deep.equal([plain.length, 6]);
  });

  it("serves the same file over http and verifies it", async () => {
    const server: Server = createServer((_, res) => res.end(enc));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.enc`;
      const r = await fetchAndVerifyDataset({ location: url, key: hexlify(key), chunkSize: CS }, root);
      expect(r.size).to.equal(plain.length);
    } finally {
      server.close();
    }
  });

  it("a wrong key fails on the first chunk", async () => {
    const [code, msg] = await codeOf(
      fetchAndVerifyDataset({ location: file, key: hexlify(randomBytes(32)), chunkSize: CS }, root),
    );
    expect(code).to.equal("dataset.decrypt_failed");
    expect(msg).to.match(/chunk 0/);
  });

  it("swapped chunks fail authentication", async () => {
    const sealedLen = CS + 16;
    const swapped = Buffer.from(enc);
    enc.copy(swapped, 48, 48 + sealedLen, 48 + 2 * sealedLen);
    enc.copy(swapped, 48 + sealedLen, 48, 48 + sealedLen);
    const f = join(dir, "swapped.enc");
    writeFileSync(f, swapped);
    const [code, msg] = await codeOf(
      fetchAndVerifyDataset({ location: f, key: hexlify(key), chunkSize: CS }, root),
    );
    expect(code).to.equal("dataset.decrypt_failed");
    expect(msg).to.match(/chunk 0/);
  });

  it("a truncated file and trailing bytes are refused", async () => {
    const t = join(dir, "trunc.enc");
    writeFileSync(t, enc.subarray(0, enc.length - 5));
    expect(
      (await codeOf(fetchAndVerifyDataset({ location: t, key: hexlify(key), chunkSize: CS }, root)))[0],
    ).to.equal("dataset.truncated");
    const x = join(dir, "extra.enc");
    writeFileSync(x, Buffer.concat([enc, Buffer.from([0])]));
    expect(
      (await codeOf(fetchAndVerifyDataset({ location: x, key: hexlify(key), chunkSize: CS }, root)))[0],
    ).to.equal("dataset.bad_format");
  });

  it("another dataset (or a wrong root) fails with root_mismatch", async () => {
    const other = join(dir, "other.enc");
    writeFileSync(other, await encrypted(Buffer.from(vectorData(2 * CS)), key));
    const [code, msg] = await codeOf(
      fetchAndVerifyDataset({ location: other, key: hexlify(key), chunkSize: CS }, root),
    );
    expect(code).to.equal("dataset.root_mismatch");
    expect(msg).to.include(root);
  });

  it("a missing file, an HTTP error and a size cap give their own errors", async () => {
    expect(
      (
        await codeOf(
          fetchAndVerifyDataset({ location: join(dir, "nope"), key: hexlify(key), chunkSize: CS }, root),
        )
      )[0],
    ).to.equal("dataset.fetch_failed");
    const server: Server = createServer((_, res) => {
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
      const [code, msg] = await codeOf(
        fetchAndVerifyDataset({ location: url, key: hexlify(key), chunkSize: CS }, root),
      );
      expect([code, msg]).to.deep.equal(["dataset.fetch_failed", "fetching the dataset answered HTTP 404"]);
    } finally {
      server.close();
    }
    expect(
      (
        await codeOf(
          fetchAndVerifyDataset({ location: file, key: hexlify(key), chunkSize: CS }, root, {
            maxBytes: 1000,
          }),
        )
      )[0],
    ).to.equal("dataset.too_large");
  });

  it("returns the verified size and chunking (the agents' facts come from the engine: test/checks/facts.test.ts)", async () => {
    const csv = Buffer.from('id,label,score\n1,cat,0.9\n2,dog,0.8\n3,"bird, small",0.7\n4,fox,0.1\n');
    const f = join(dir, "facts.enc");
    writeFileSync(f, await encrypted(csv, key));
    const r = await fetchAndVerifyDataset(
      { location: f, key: hexlify(key), chunkSize: CS },
      (await commitStream(one(csv), CS)).root,
    );
    // no sniffed columns or sample lines any more: nothing of the content leaves this layer
    expect(r).to.deep.equal({ size: csv.length, chunkCount: 1, chunkSize: CS });
  });

  it("delivers the key to the buyer only: bound to the deal, opened by the buyer's key", async () => {
    const buyer = await generateX25519KeyPair();
    const ctx = { chainId: 31337n, contract: Wallet.createRandom().address, dealId: 7n };
    const payload = { v: 1 as const, key: hexlify(key), location: pathToFileURL(file).href, chunkSize: CS };
    const delivery = await sealDelivery(buyer.publicKey, payload, ctx);
    expect(await openDelivery(buyer.privateKey, ctx, delivery)).to.deep.equal(payload);
    expect((await codeOf(openDelivery(buyer.privateKey, { ...ctx, dealId: 8n }, delivery)))[0]).to.equal(
      "dataset.bad_delivery",
    );
    const stranger = await generateX25519KeyPair();
    expect((await codeOf(openDelivery(stranger.privateKey, ctx, delivery)))[0]).to.equal(
      "dataset.bad_delivery",
    );

    const out = join(dir, "received.csv");
    await receiveDataset({ payload, dataRoot: root, outPath: out });
    expect(readFileSync(out).equals(plain)).to.equal(true);

    const bad = join(dir, "bad-received.csv");
    expect(
      (await codeOf(receiveDataset({ payload, dataRoot: "0x" + "00".repeat(32), outPath: bad })))[0],
    ).to.equal("dataset.root_mismatch");
    expect(existsSync(bad)).to.equal(false);
    expect(existsSync(`${bad}.partial`)).to.equal(false);
  });
});
