import { expect } from "chai";
import { createHash } from "node:crypto";
import { MerkleBuilder } from "../../oracle/data/merkle.ts";
import { verifyChunk } from "../../sdk/src/merkle.ts";
import { leafHash, proveFromLeaves } from "../fixtures/merkle-proofs.ts";
import { commitStream } from "../../oracle/data/dataset.ts";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { VECTORS, vectorData } from "./vectors.ts";

const CS = 4096;

async function* one(b: Uint8Array) {
  yield b;
}
/** Splits `b` into pieces of uneven sizes, as a network stream would deliver it. */
async function* ragged(b: Uint8Array) {
  let off = 0;
  let step = 1;
  while (off < b.length) {
    yield b.subarray(off, off + step);
    off += step;
    step = (step * 7 + 3) % 9000 || 1;
  }
}
const chunksOf = (b: Uint8Array) => {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += CS) out.push(Buffer.from(b.subarray(i, i + CS)));
  return out;
};

describe("dataset commitment (Merkle)", () => {
  for (const v of VECTORS) {
    it(`matches the documented test vector: ${v.name}`, async () => {
      const c = await commitStream(one(vectorData(v.size)), CS);
      expect([c.root, c.chunkCount, c.size]).to.deep.equal([v.root, v.chunkCount, v.size]);
    });
  }

  it("is independent of how the stream is cut", async () => {
    const data = vectorData(3 * CS + 77);
    expect((await commitStream(ragged(data), CS)).root).to.equal((await commitStream(one(data), CS)).root);
  });

  it("refuses an empty dataset", async () => {
    let err: unknown;
    await commitStream(one(new Uint8Array(0)), CS).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(DatasetError);
    expect((err as DatasetError).code).to.equal("dataset.empty");
  });

  it("binds the chunk count and size: a single chunk equal to two leaves' concatenation differs", async () => {
    const data = vectorData(2 * CS);
    const two = (await commitStream(one(data), CS)).root;
    const asOne = (await commitStream(one(data), 2 * CS)).root;
    expect(two).to.not.equal(asOne);
  });

  it("every chunk's proof verifies, for sizes 1, 2, 3, 5, 8, 13 chunks and a partial last chunk", async () => {
    for (const n of [1, 2, 3, 5, 8, 13]) {
      const data = vectorData(n * CS - (n % 2 === 1 ? 100 : 0));
      const { root } = await commitStream(one(data), CS);
      const chunks = chunksOf(data);
      const leaves = chunks.map(leafHash);
      chunks.forEach((chunk, i) => {
        const proof = proveFromLeaves(leaves, i, CS, data.length);
        expect(verifyChunk(root, chunk, proof), `n=${n} i=${i}`).to.equal(true);
      });
    }
  });

  it("a changed byte, a reordered, duplicated or dropped chunk changes the root or fails its proof", async () => {
    const data = vectorData(5 * CS);
    const { root } = await commitStream(one(data), CS);
    const chunks = chunksOf(data);
    const leaves = chunks.map(leafHash);

    const changed = Buffer.from(data);
    changed[2 * CS + 17]! ^= 1;
    expect((await commitStream(one(changed), CS)).root).to.not.equal(root);
    expect(
      verifyChunk(root, changed.subarray(2 * CS, 3 * CS), proveFromLeaves(leaves, 2, CS, data.length)),
    ).to.equal(false);

    const reordered = Buffer.concat([chunks[1]!, chunks[0]!, ...chunks.slice(2)]);
    expect((await commitStream(one(reordered), CS)).root).to.not.equal(root);
    expect(verifyChunk(root, chunks[0]!, proveFromLeaves(leaves, 1, CS, data.length))).to.equal(false);

    const duplicated = Buffer.concat([...chunks, chunks[4]!]);
    expect((await commitStream(one(duplicated), CS)).root).to.not.equal(root);
    const dropped = Buffer.concat(chunks.slice(0, 4));
    expect((await commitStream(one(dropped), CS)).root).to.not.equal(root);

    const good = proveFromLeaves(leaves, 3, CS, data.length);
    expect(verifyChunk(root, chunks[3]!, { ...good, chunkCount: 6 })).to.equal(false);
    expect(verifyChunk(root, chunks[3]!, { ...good, path: good.path.slice(1) })).to.equal(false);
    expect(verifyChunk(root, chunks[3]!, { ...good, index: 9 })).to.equal(false);
  });

  it("a 1000-chunk tree equals the recursive RFC 6962 definition", async () => {
    const data = vectorData(1000 * CS);
    const leaves = chunksOf(data).map(leafHash);
    const node = (l: Buffer, r: Buffer) =>
      createHash("sha256")
        .update(Buffer.from([1]))
        .update(l)
        .update(r)
        .digest();
    const mth = (lo: number, hi: number): Buffer => {
      if (hi - lo === 1) return leaves[lo]!;
      let k = 1;
      while (k * 2 < hi - lo) k *= 2;
      return node(mth(lo, lo + k), mth(lo + k, hi));
    };
    const b = new MerkleBuilder(CS);
    for (const c of chunksOf(data)) b.addChunk(c);
    const meta = Buffer.alloc(21);
    meta[0] = 2;
    meta.writeBigUInt64BE(1000n, 1);
    meta.writeUInt32BE(CS, 9);
    meta.writeBigUInt64BE(BigInt(data.length), 13);
    expect(b.finish().root).to.equal(
      "0x" + createHash("sha256").update(meta).update(mth(0, 1000)).digest("hex"),
    );
  });

  it("refuses chunks out of shape", () => {
    const b = new MerkleBuilder(CS);
    b.addChunk(new Uint8Array(10));
    expect(() => b.addChunk(new Uint8Array(CS))).to.throw(/short chunk must be the last/);
    expect(() => new MerkleBuilder(100)).to.throw(/chunk size must be/);
  });
});
