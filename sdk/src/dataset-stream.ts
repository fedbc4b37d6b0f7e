/**
 * A dataset committed and encrypted where it lives — a browser `File`/`Blob` — streaming with
 * WebCrypto, in the exact format the oracle verifies (DESIGN.md §7; docs/dataset-commitment.md;
 * the oracle's Node twin is oracle/data/merkle.ts + encryption.ts, and a test checks both agree):
 *   root   = SHA-256(0x02 ‖ u64be(chunkCount) ‖ u32be(chunkSize) ‖ u64be(size) ‖ RFC 6962 tree root)
 *   file   = header (48 B: "DPENC001" ‖ u32be(chunkSize) ‖ u64be(chunkCount) ‖ u64be(size) ‖ fileId ‖ 0⁴)
 *            ‖ for each chunk i: AES-256-GCM(K_file, nonce = 0⁴ ‖ u64be(i), aad = header ‖ u64be(i) ‖ u8(last))
 *   K_file = HKDF-SHA256(datasetKey, salt = fileId, info = "DealProof/dataset-chunk-key/v1")
 * Invariants: one chunk in memory at a time (plus the encrypted parts, which the caller receives
 * as Blob parts the browser may page to disk); every await yields to the page, so a 100 MB file
 * never freezes it; decryption authenticates every chunk and recomputes the root before it
 * returns anything. Browser-safe: WebCrypto, Blob and ReadableStream only.
 */
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import { DEFAULT_CHUNK_SIZE, chunkSizeProblem } from "./limits.ts";
import { chunkNodeHash, datasetRoot } from "./merkle.ts";
import { DatasetError } from "./dataset-error.ts";
import {
  ENC_HEADER_LEN,
  ENC_TAG_LEN,
  FILE_ID_LEN,
  FILE_KEY_INFO,
  chunkAad,
  chunkNonce,
  decodeEncHeader,
  encodeEncHeader,
} from "./dataset-format.ts";

export interface DatasetCommitment {
  /** 0x-hex root: the deal's dataRoot. */
  root: `0x${string}`;
  chunkCount: number;
  chunkSize: number;
  size: number;
}

export interface EncryptedDataset extends DatasetCommitment {
  /** 0x-hex AES-256 dataset key: the seller seals it in their input; never publish it. */
  key: `0x${string}`;
  /** The encrypted file, ready to download and host at the location the seller names. */
  encrypted: Blob;
}

export type ProgressFn = (bytesDone: number, bytesTotal: number) => void;

const subtle = () => {
  const s = globalThis.crypto?.subtle;
  if (s === undefined)
    throw new DatasetError("no_webcrypto", "WebCrypto is unavailable in this page", {
      hint: "open the page over https:// or localhost",
    });
  return s;
};
const buf = (b: Uint8Array): ArrayBuffer =>
  b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer
    ? b.buffer
    : new Uint8Array(b).buffer; // a copy: a Node Buffer's slice() is a view into its shared pool
type AesKey = Awaited<ReturnType<typeof crypto.subtle.deriveKey>>;

function checkChunkSize(chunkSize: number): void {
  const problem = chunkSizeProblem(chunkSize);
  if (problem !== undefined) throw new DatasetError("bad_format", problem);
}

/** RFC 6962 streaming tree over leaf hashes: a stack of perfect-subtree roots, O(log n) memory. */
class TreeBuilder {
  #stack: { height: number; hash: Uint8Array }[] = [];
  count = 0;
  addLeaf(leaf: Uint8Array): void {
    let node = { height: 0, hash: leaf };
    for (let top = this.#stack.at(-1); top?.height === node.height; top = this.#stack.at(-1)) {
      this.#stack.pop();
      node = { height: node.height + 1, hash: chunkNodeHash(top.hash, node.hash) };
    }
    this.#stack.push(node);
    this.count += 1;
  }
  root(): Uint8Array {
    let h = this.#stack.at(-1)!.hash;
    for (let i = this.#stack.length - 2; i >= 0; i--) h = chunkNodeHash(this.#stack[i]!.hash, h);
    return h;
  }
}

/** A chunk with a spare leading byte: `framed` = 0x00 ‖ chunk is the leaf-hash input, no copy. */
interface FramedChunk {
  framed: Uint8Array<ArrayBuffer>;
  chunk: Uint8Array<ArrayBuffer>;
}

const leafHash = async (c: FramedChunk) => new Uint8Array(await subtle().digest("SHA-256", c.framed));

/**
 * Lets the page run (rendering, timers, input) at least every frame: WebCrypto's completions
 * arrive as tasks the scheduler may run back to back, which can starve a page's timers and
 * rendering for a second on a 100 MB file. A macrotask yield every ~16 ms costs a few percent.
 */
let lastYield = 0;
async function letThePageRun(): Promise<void> {
  if (performance.now() - lastYield < 16) return;
  await new Promise((r) => setTimeout(r, 0));
  lastYield = performance.now();
}

/**
 * A Blob's bytes through its stream: Chromium delivers a stream's pieces without the per-call
 * round trip that each Blob.slice().arrayBuffer() costs (measured several times faster).
 */
async function* blobPieces(blob: Blob): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
      await letThePageRun();
    }
  } finally {
    reader.releaseLock();
  }
}

/** Re-chunks bytes into chunkSize pieces (the last may be shorter), each with a zero byte in front. */
async function* framedChunks(
  pieces: AsyncIterable<Uint8Array>,
  chunkSize: number,
): AsyncGenerator<FramedChunk> {
  let buf = new Uint8Array(chunkSize + 1);
  let fill = 0;
  for await (const piece of pieces) {
    let off = 0;
    while (off < piece.length) {
      const n = Math.min(chunkSize - fill, piece.length - off);
      buf.set(piece.subarray(off, off + n), 1 + fill);
      fill += n;
      off += n;
      if (fill === chunkSize) {
        yield { framed: buf, chunk: buf.subarray(1) };
        buf = new Uint8Array(chunkSize + 1);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield { framed: buf.subarray(0, fill + 1), chunk: buf.subarray(1, fill + 1) };
}

/** Chunks whose hashing (and encryption) may be in flight at once: WebCrypto works off the page's thread. */
const IN_FLIGHT = 4;

async function fileKey(datasetKey: Uint8Array, fileId: Uint8Array): Promise<AesKey> {
  if (datasetKey.length !== 32) throw new DatasetError("bad_format", "a dataset key is 32 bytes (AES-256)");
  const ikm = await subtle().importKey("raw", buf(datasetKey), "HKDF", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: buf(fileId), info: buf(FILE_KEY_INFO) },
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** The Merkle commitment (dataRoot) of a dataset, streaming. */
export async function commitDataset(
  data: Blob,
  opts: { chunkSize?: number; onProgress?: ProgressFn } = {},
): Promise<DatasetCommitment> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  checkChunkSize(chunkSize);
  if (data.size === 0)
    throw new DatasetError("empty", "an empty file cannot be committed to: choose a non-empty dataset");
  const tree = new TreeBuilder();
  const pending: { leaf: Promise<Uint8Array>; end: number }[] = [];
  let read = 0;
  const settle = async () => {
    const p = pending.shift()!;
    tree.addLeaf(await p.leaf);
    opts.onProgress?.(p.end, data.size);
    await letThePageRun();
  };
  for await (const c of framedChunks(blobPieces(data), chunkSize)) {
    read += c.chunk.length;
    pending.push({ leaf: leafHash(c), end: read });
    if (pending.length >= IN_FLIGHT) await settle();
  }
  while (pending.length > 0) await settle();
  return {
    root: datasetRoot(tree.root(), tree.count, chunkSize, data.size) as `0x${string}`,
    chunkCount: tree.count,
    chunkSize,
    size: data.size,
  };
}

/**
 * Commits to and encrypts a dataset in one streaming pass under a fresh random dataset key
 * (or `opts.key`). The result's `encrypted` Blob is what the seller hosts; `root` goes on-chain;
 * `key` goes only into the seller's sealed input.
 */
export async function commitAndEncryptDataset(
  data: Blob,
  opts: { chunkSize?: number; onProgress?: ProgressFn; key?: Uint8Array } = {},
): Promise<EncryptedDataset> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  checkChunkSize(chunkSize);
  if (data.size === 0)
    throw new DatasetError("empty", "an empty file cannot be committed to: choose a non-empty dataset");
  const datasetKey = opts.key ?? crypto.getRandomValues(new Uint8Array(32));
  const fileId = crypto.getRandomValues(new Uint8Array(FILE_ID_LEN));
  const { raw: header, chunkCount } = encodeEncHeader(chunkSize, data.size, fileId);
  const key = await fileKey(datasetKey, fileId);
  const parts: ArrayBuffer[] = [buf(header)];
  const tree = new TreeBuilder();
  const pending: { leaf: Promise<Uint8Array>; sealed: Promise<ArrayBuffer>; end: number }[] = [];
  let i = 0;
  let read = 0;
  const settle = async () => {
    const p = pending.shift()!;
    tree.addLeaf(await p.leaf);
    parts.push(await p.sealed);
    opts.onProgress?.(p.end, data.size);
    await letThePageRun();
  };
  for await (const c of framedChunks(blobPieces(data), chunkSize)) {
    read += c.chunk.length;
    const sealed = subtle().encrypt(
      {
        name: "AES-GCM",
        iv: buf(chunkNonce(i)),
        additionalData: buf(chunkAad(header, i, i === chunkCount - 1)),
      },
      key,
      c.chunk,
    );
    pending.push({ leaf: leafHash(c), sealed, end: read });
    i++;
    if (pending.length >= IN_FLIGHT) await settle();
  }
  while (pending.length > 0) await settle();
  if (i !== chunkCount || read !== data.size)
    throw new DatasetError("bad_format", "the file changed while it was being read: choose it again");
  return {
    root: datasetRoot(tree.root(), chunkCount, chunkSize, data.size) as `0x${string}`,
    chunkCount,
    chunkSize,
    size: data.size,
    key: `0x${bytesToHex(datasetKey)}`,
    encrypted: new Blob(parts, { type: "application/octet-stream" }),
  };
}

/** Reads exactly n bytes from a byte stream (fewer only at its end). */
class ExactReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Uint8Array = new Uint8Array(0);
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }
  async read(n: number): Promise<Uint8Array> {
    if (this.#pending.length >= n) {
      const out = this.#pending.subarray(0, n);
      this.#pending = this.#pending.subarray(n);
      return out;
    }
    const out = new Uint8Array(n);
    let have = 0;
    while (have < n) {
      if (this.#pending.length === 0) {
        const r = await this.#reader.read();
        if (r.done) break;
        this.#pending = r.value;
      }
      const take = Math.min(n - have, this.#pending.length);
      out.set(this.#pending.subarray(0, take), have);
      this.#pending = this.#pending.subarray(take);
      have += take;
    }
    return have === n ? out : out.subarray(0, have);
  }
  cancel(): void {
    void this.#reader.cancel().catch(() => undefined);
  }
}

export interface DecryptedDataset extends DatasetCommitment {
  /** The plaintext, every chunk authenticated and the whole checked against the root. */
  plaintext: Blob;
}

/**
 * The buyer's side: decrypts an encrypted dataset (a Blob or a fetch body) with the delivered
 * key, authenticating each chunk, and recomputes the Merkle root over the plaintext; throws
 * DatasetError unless it equals `expectedRoot` (the deal's dataRoot).
 */
export async function decryptAndVerifyDataset(
  encrypted: Blob | ReadableStream<Uint8Array>,
  datasetKeyHex: string,
  expectedRoot: string,
  opts: { onProgress?: ProgressFn } = {},
): Promise<DecryptedDataset> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(datasetKeyHex))
    throw new DatasetError("bad_format", "the dataset key must be 0x + 64 hex digits");
  const datasetKey = hexToBytes(datasetKeyHex.slice(2));
  const reader = new ExactReader(encrypted instanceof Blob ? encrypted.stream() : encrypted);
  try {
    const decoded = decodeEncHeader(await reader.read(ENC_HEADER_LEN));
    if (typeof decoded === "string") throw new DatasetError("bad_format", decoded);
    const { chunkSize, chunkCount, size } = decoded;
    const key = await fileKey(datasetKey, decoded.fileId);
    const tree = new TreeBuilder();
    const parts: ArrayBuffer[] = [];
    for (let i = 0; i < chunkCount; i++) {
      const last = i === chunkCount - 1;
      const plainLen = last ? size - chunkSize * (chunkCount - 1) : chunkSize;
      const sealed = await reader.read(plainLen + ENC_TAG_LEN);
      if (sealed.length < plainLen + ENC_TAG_LEN)
        throw new DatasetError("truncated", `the encrypted dataset ends inside chunk ${i} of ${chunkCount}`);
      let plain: Uint8Array<ArrayBuffer>;
      try {
        plain = new Uint8Array(
          await subtle().decrypt(
            { name: "AES-GCM", iv: buf(chunkNonce(i)), additionalData: buf(chunkAad(decoded.raw, i, last)) },
            key,
            buf(sealed),
          ),
        );
      } catch {
        throw new DatasetError(
          "decrypt_failed",
          `chunk ${i} failed authentication: a wrong dataset key, or a chunk altered, swapped or moved`,
        );
      }
      const framed: Uint8Array<ArrayBuffer> = new Uint8Array(plain.length + 1);
      framed.set(plain, 1);
      tree.addLeaf(await leafHash({ framed, chunk: plain }));
      parts.push(buf(plain));
      opts.onProgress?.(Math.min((i + 1) * chunkSize, size), size);
      await letThePageRun();
    }
    if ((await reader.read(1)).length !== 0)
      throw new DatasetError("bad_format", "the encrypted dataset has data after its last chunk");
    const root = datasetRoot(tree.root(), chunkCount, chunkSize, size) as `0x${string}`;
    if (root !== expectedRoot.toLowerCase())
      throw new DatasetError(
        "root_mismatch",
        `the dataset's Merkle root ${root} is not the deal's dataRoot ${expectedRoot.toLowerCase()}`,
      );
    return { root, chunkCount, chunkSize, size, plaintext: new Blob(parts) };
  } finally {
    reader.cancel();
  }
}
