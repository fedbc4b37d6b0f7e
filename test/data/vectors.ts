/**
 * Test vectors of docs/dataset-commitment.md: data = the first `size` bytes of the stream
 * SHA-256("DealProof test vector" ‖ u32be(0)) ‖ SHA-256(… ‖ u32be(1)) ‖ …, chunk size 4096.
 * The roots were computed by an independent Python implementation of the spec (the doc has it).
 */
import { createHash } from "node:crypto";

export function vectorData(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0, off = 0; off < size; i++, off += 32) {
    const ctr = Buffer.alloc(4);
    ctr.writeUInt32BE(i);
    createHash("sha256").update("DealProof test vector").update(ctr).digest().copy(out, off);
  }
  return out;
}

export const VECTORS = [
  {
    name: "1 byte",
    size: 1,
    chunkCount: 1,
    root: "0x257324b86d924c3fbee740e46690bc308d12625d8b91ba8e8ffe4d9892fe4f3e",
  },
  {
    name: "1 chunk",
    size: 4096,
    chunkCount: 1,
    root: "0x28fc17593584410128eaeb29773bdf6774e626583cbcff22366961817193a82b",
  },
  {
    name: "2 chunks",
    size: 8192,
    chunkCount: 2,
    root: "0xff40de35d54e3262c5ce83f23370c6d13e29161d795c8dd69b73a3849788b6b5",
  },
  {
    name: "3 chunks, last partial",
    size: 3 * 4096 - 1000,
    chunkCount: 3,
    root: "0x948ed0ebc9005fe130f7c838073a298f6ad9527cda70fa592e1f58d3fce385fe",
  },
  {
    name: "1000 chunks",
    size: 1000 * 4096,
    chunkCount: 1000,
    root: "0xfad8b817898afa1419ca00ad8f15d75fd3da386947827817aeee23c2f95388a3",
  },
];
