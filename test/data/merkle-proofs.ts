/**
 * Test-only RFC 6962 inclusion proofs for the dataset commitment (docs/dataset-commitment.md),
 * built from leaf hashes with node:crypto, independently of both the oracle's streaming builder
 * and the SDK's verifier, so the tests can check the SDK's verifyChunk against the oracle's roots.
 * Production never proves a single chunk: a buyer checks the whole dataset against dataRoot.
 */
import { createHash } from "node:crypto";
import type { ChunkProof } from "../../sdk/src/merkle.ts";

export const leafHash = (chunk: Uint8Array): Buffer =>
  createHash("sha256")
    .update(Buffer.from([0]))
    .update(chunk)
    .digest();
const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer =>
  createHash("sha256")
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();

/** RFC 6962 MTH over leaf hashes (used for proofs; the builder is the streaming path). */
function mth(leaves: readonly Buffer[], lo: number, hi: number): Buffer {
  if (hi - lo === 1) return leaves[lo]!;
  const k = largestPowerOfTwoBelow(hi - lo);
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 6962 PATH(m, D[lo:hi]): sibling hashes from the leaf up. */
function inclusionPath(leaves: readonly Buffer[], m: number, lo = 0, hi = leaves.length): Buffer[] {
  if (hi - lo <= 1) return [];
  const k = largestPowerOfTwoBelow(hi - lo);
  return m < k
    ? [...inclusionPath(leaves, m, lo, lo + k), mth(leaves, lo + k, hi)]
    : [...inclusionPath(leaves, m - k, lo + k, hi), mth(leaves, lo, lo + k)];
}

/** Builds the proof for chunk `index` from all leaf hashes (32 bytes per chunk of memory). */
export function proveFromLeaves(
  leaves: readonly Buffer[],
  index: number,
  chunkSize: number,
  size: number,
): ChunkProof {
  if (!(index >= 0 && index < leaves.length))
    throw new Error(`chunk ${index} does not exist; the dataset has ${leaves.length} chunks`);
  return {
    index,
    chunkCount: leaves.length,
    chunkSize,
    size,
    path: inclusionPath(leaves, index).map((b) => `0x${b.toString("hex")}` as const),
  };
}
