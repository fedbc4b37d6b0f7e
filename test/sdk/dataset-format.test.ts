/** The encrypted dataset's framing (sdk/src/dataset-format.ts), shared by the oracle and the browser. */
import { expect } from "chai";
import { decodeEncHeader, encodeEncHeader, ENC_HEADER_LEN } from "../../sdk/src/dataset-format.ts";

describe("sdk: encrypted dataset framing", () => {
  const fileId = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  const header = encodeEncHeader(4096, 10_000, fileId);

  it("decodes what it encodes, from a plain Uint8Array and from a pooled Node Buffer with an offset", () => {
    expect(header.chunkCount).to.equal(3);
    // small Buffers share one pool: this one starts at a non-zero offset of its ArrayBuffer
    const pooled = Buffer.concat([Buffer.from(header.raw), Buffer.from([9, 9])]);
    expect(pooled.byteOffset).to.not.equal(0);
    for (const bytes of [header.raw, pooled]) {
      const d = decodeEncHeader(bytes);
      if (typeof d === "string") expect.fail(d);
      expect([d.chunkSize, d.chunkCount, d.size]).to.deep.equal([4096, 3, 10_000]);
      expect(Array.from(d.fileId)).to.deep.equal(Array.from(fileId));
      expect(Array.from(d.raw)).to.deep.equal(Array.from(header.raw));
      expect(d.raw.length).to.equal(ENC_HEADER_LEN);
    }
  });

  it("names what is wrong: bad magic, a short header, a chunk size out of bounds, a size that disagrees", () => {
    const bad = (mutate: (b: Uint8Array) => void) => {
      const b = header.raw.slice();
      mutate(b);
      return decodeEncHeader(b);
    };
    expect(bad((b) => (b[0] = 0))).to.match(/bad magic/);
    expect(decodeEncHeader(header.raw.subarray(0, 47))).to.match(/short header/);
    expect(bad((b) => new DataView(b.buffer).setUint32(8, 100))).to.match(/chunk size/);
    expect(bad((b) => new DataView(b.buffer).setBigUint64(12, 4n))).to.match(/inconsistent/);
    expect(bad((b) => new DataView(b.buffer).setBigUint64(20, 0n))).to.match(/inconsistent/);
  });
});
