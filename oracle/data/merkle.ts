/**
 * Dataset commitment (DESIGN.md §7; spec and test vectors in docs/dataset-commitment.md):
 * an RFC 6962-style binary Merkle tree over fixed-size chunks, computed streaming in O(log n)
 * memory, with the chunk count, chunk size and byte size bound into the root.
 *   leaf  = SHA-256(0x00 ‖ chunk)
 *   node  = SHA-256(0x01 ‖ left ‖ right), split at the largest power of two below n (RFC 6962)
 *   root  = SHA-256(0x02 ‖ u64be(chunkCount) ‖ u32be(chunkSize) ‖ u64be(byteSize) ‖ treeRoot)
 * Hand-written: no library implements this exact commitment.
 */
import { createHash } from "node:crypto";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { DEFAULT_CHUNK_SIZE, chunkSizeProblem } from "../../sdk/src/limits.ts";

/** Chunk verification is the SDK's (sdk/src/merkle.ts); the tests check it against this builder. */

export { DEFAULT_CHUNK_SIZE } from "../../sdk/src/limits.ts";

export function checkChunkSize(chunkSize: number): void {
  const problem = chunkSizeProblem(chunkSize);
  if (problem !== undefined) throw new DatasetError("bad_format", problem);
}

function leafHash(chunk: Uint8Array): Buffer {
  return createHash("sha256")
    .update(Buffer.from([0]))
    .update(chunk)
    .digest();
}

function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256")
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

function commitmentRoot(
  treeRoot: Uint8Array,
  chunkCount: number,
  chunkSize: number,
  byteSize: number,
): Buffer {
  const meta = Buffer.alloc(1 + 8 + 4 + 8);
  meta[0] = 2;
  meta.writeBigUInt64BE(BigInt(chunkCount), 1);
  meta.writeUInt32BE(chunkSize, 9);
  meta.writeBigUInt64BE(BigInt(byteSize), 13);
  return createHash("sha256").update(meta).update(treeRoot).digest();
}

export interface Commitment {
  /** 0x-hex root (the contract's dataRoot). */
  root: `0x${string}`;
  chunkCount: number;
  chunkSize: number;
  size: number;
}

/**
 * Streaming tree builder: keeps a stack of perfect-subtree roots (at most log2(n) + 1 hashes).
 * Folding the stack right to left at the end yields RFC 6962's MTH for any n.
 */
export class MerkleBuilder {
  readonly chunkSize: number;
  #stack: { height: number; hash: Buffer }[] = [];
  #count = 0;
  #size = 0;
  #lastWasPartial = false;

  constructor(chunkSize = DEFAULT_CHUNK_SIZE) {
    checkChunkSize(chunkSize);
    this.chunkSize = chunkSize;
  }

  /** Adds the next chunk: every chunk but the last must be exactly chunkSize bytes. */
  addChunk(chunk: Uint8Array): void {
    if (this.#lastWasPartial) throw new DatasetError("bad_format", "a short chunk must be the last one");
    if (chunk.length === 0 || chunk.length > this.chunkSize) {
      throw new DatasetError(
        "bad_format",
        `chunk ${this.#count} is ${chunk.length} bytes; chunks are 1..${this.chunkSize}`,
      );
    }
    this.#lastWasPartial = chunk.length < this.chunkSize;
    this.#push(leafHash(chunk));
    this.#count += 1;
    this.#size += chunk.length;
  }

  #push(hash: Buffer): void {
    let node = { height: 0, hash };
    for (
      let top = this.#stack.at(-1);
      top !== undefined && top.height === node.height;
      top = this.#stack.at(-1)
    ) {
      this.#stack.pop();
      node = { height: node.height + 1, hash: nodeHash(top.hash, node.hash) };
    }
    this.#stack.push(node);
  }

  get chunkCount(): number {
    return this.#count;
  }

  finish(): Commitment {
    if (this.#count === 0) throw new DatasetError("empty", "an empty dataset cannot be committed to");
    let h = this.#stack.at(-1)!.hash;
    for (let i = this.#stack.length - 2; i >= 0; i--) h = nodeHash(this.#stack[i]!.hash, h);
    return {
      root: `0x${commitmentRoot(h, this.#count, this.chunkSize, this.#size).toString("hex")}`,
      chunkCount: this.#count,
      chunkSize: this.chunkSize,
      size: this.#size,
    };
  }
}
