/**
 * Dataset operations built from the streaming parts: commit a plaintext source, prove a chunk,
 * and — in the oracle — fetch an encrypted dataset, decrypt it and recompute the root over the
 * plaintext, handing each verified-so-far chunk to a sink (the check stage's plaintext file, which
 * the engine profiles for the agents once the root verified), all in constant memory.
 */
import { rechunk } from "./chunks.ts";
import { openSource, type SourceOptions } from "./source.ts";
import { decryptStream } from "./encryption.ts";
import { ENC_HEADER_LEN, ENC_TAG_LEN } from "../../sdk/src/dataset-format.ts";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { DEFAULT_CHUNK_SIZE, MerkleBuilder, type Commitment } from "./merkle.ts";

export type Progress = (bytesDone: number) => void;

export async function commitStream(
  source: AsyncIterable<Uint8Array>,
  chunkSize = DEFAULT_CHUNK_SIZE,
  onProgress?: Progress,
): Promise<Commitment> {
  const tree = new MerkleBuilder(chunkSize);
  let done = 0;
  for await (const chunk of rechunk(source, chunkSize)) {
    tree.addChunk(chunk);
    done += chunk.length;
    onProgress?.(done);
  }
  return tree.finish();
}

export function commitLocation(
  location: string,
  chunkSize = DEFAULT_CHUNK_SIZE,
  opts: SourceOptions & { onProgress?: Progress } = {},
) {
  return commitStream(openSource(location, opts), chunkSize, opts.onProgress);
}

export interface DatasetLocator {
  location: string;
  /** 0x-hex AES-256 dataset key. */
  key: string;
  chunkSize: number;
}

export interface VerifiedDataset {
  size: number;
  chunkCount: number;
  chunkSize: number;
}

/**
 * The oracle's check: decrypts the seller's dataset from its location and requires the Merkle
 * root over the plaintext to equal the deal's dataRoot. Throws DatasetError with a code.
 * Budgets: once the encrypted header is read, at most header + size + one tag per chunk (+1 byte
 * to see trailing data) is read, and with `minBytesPerSec` the fetch's time budget becomes
 * budgetMs + size / minBytesPerSec, so a slow server cannot hold the deal for longer.
 */
export async function fetchAndVerifyDataset(
  locator: DatasetLocator,
  expectedRoot: string,
  opts: SourceOptions & {
    onProgress?: Progress;
    sink?: (plain: Buffer) => void | Promise<void>;
    minBytesPerSec?: number;
  } = {},
): Promise<VerifiedDataset> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(locator.key))
    throw new DatasetError("bad_format", "the dataset key must be 0x + 64 hex digits");
  // (no ethers here: this module runs in memory-bounded streaming paths, and ethers costs ~30 MB)
  const key = Buffer.from(locator.key.slice(2), "hex");
  let tree: MerkleBuilder | undefined;
  let done = 0;
  const src: SourceOptions = { ...opts, limit: { maxBytes: Number.MAX_SAFE_INTEGER } };
  for await (const plain of decryptStream(openSource(locator.location, src), key, (h) => {
    src.limit!.maxBytes = ENC_HEADER_LEN + h.size + h.chunkCount * ENC_TAG_LEN + 1;
    if (opts.minBytesPerSec !== undefined && opts.budgetMs !== undefined)
      src.extendBudget?.(opts.budgetMs + Math.ceil((src.limit!.maxBytes / opts.minBytesPerSec) * 1000));
    if (h.chunkSize !== locator.chunkSize) {
      throw new DatasetError(
        "bad_format",
        `the encrypted dataset uses ${h.chunkSize}-byte chunks, not the ${locator.chunkSize} the seller declared`,
        { hint: "declare the chunk size dataset:encrypt printed for this file" },
      );
    }
    tree = new MerkleBuilder(h.chunkSize);
  })) {
    tree!.addChunk(plain);
    await opts.sink?.(plain);
    done += plain.length;
    opts.onProgress?.(done);
  }
  if (tree === undefined) throw new DatasetError("empty", "the encrypted dataset holds no chunks");
  const c = tree.finish();
  if (c.root !== expectedRoot.toLowerCase()) {
    throw new DatasetError(
      "root_mismatch",
      `the dataset's Merkle root ${c.root} is not the deal's dataRoot ${expectedRoot.toLowerCase()}`,
      {
        hint: "host the file (and key) whose commitment the deal was created with (dataset:commit prints it)",
      },
    );
  }
  return { size: c.size, chunkCount: c.chunkCount, chunkSize: c.chunkSize };
}
