/**
 * Checking a delivered chunk against a deal's dataRoot (DESIGN.md §7; spec and vectors in
 * docs/dataset-commitment.md), browser-safe with @noble/hashes:
 *   leaf = SHA-256(0x00 ‖ chunk), node = SHA-256(0x01 ‖ left ‖ right) (RFC 6962),
 *   root = SHA-256(0x02 ‖ u64be(chunkCount) ‖ u32be(chunkSize) ‖ u64be(byteSize) ‖ treeRoot).
 * The oracle's streaming builder (oracle/data/merkle.ts) computes the same root with node:crypto
 * for speed; a test checks both against the same vectors. The chunk-size bounds are in limits.ts.
 */
import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";

export interface ChunkProof {
  index: number;
  chunkCount: number;
  chunkSize: number;
  size: number;
  /** Sibling hashes from the leaf up, 0x-hex. */
  path: `0x${string}`[];
}

const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const chunkLeafHash = (chunk: Uint8Array) => sha256(cat(Uint8Array.of(0), chunk));
export const chunkNodeHash = (l: Uint8Array, r: Uint8Array) => sha256(cat(Uint8Array.of(1), l, r));

/** The commitment root over a tree root and the dataset's shape (0x-hex). */
export function datasetRoot(
  treeRoot: Uint8Array,
  chunkCount: number,
  chunkSize: number,
  size: number,
): string {
  const meta = new Uint8Array(21);
  const v = new DataView(meta.buffer);
  meta[0] = 2;
  v.setBigUint64(1, BigInt(chunkCount));
  v.setUint32(9, chunkSize);
  v.setBigUint64(13, BigInt(size));
  return `0x${bytesToHex(sha256(cat(meta, treeRoot)))}`;
}

/** Verifies one chunk against a dataset root (RFC 9162 §2.1.3.2 inclusion verification). */
export function verifyChunk(root: string, chunk: Uint8Array, proof: ChunkProof): boolean {
  const { index, chunkCount, chunkSize, size } = proof;
  if (!proof.path.every((p) => /^0x[0-9a-fA-F]{64}$/.test(p))) return false;
  if (!(index >= 0 && index < chunkCount)) return false;
  const expectedLen = index < chunkCount - 1 ? chunkSize : size - chunkSize * (chunkCount - 1);
  if (chunk.length !== expectedLen) return false;
  let fn = index;
  let sn = chunkCount - 1;
  let r = chunkLeafHash(chunk);
  for (const p of proof.path) {
    const sib = hexToBytes(p.slice(2));
    if (sn === 0) return false;
    if ((fn & 1) === 1 || fn === sn) {
      r = chunkNodeHash(sib, r);
      if ((fn & 1) === 0) {
        while ((fn & 1) === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = chunkNodeHash(r, sib);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn !== 0) return false;
  return datasetRoot(r, chunkCount, chunkSize, size) === root.toLowerCase();
}
