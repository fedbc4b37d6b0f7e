/**
 * The encrypted dataset's framing (docs/dataset-commitment.md §Encryption), the one definition for
 * the oracle's node:crypto implementation (oracle/data/encryption.ts) and the browser's WebCrypto
 * one (dataset-stream.ts):
 *   header (48 B) = "DPENC001" ‖ u32be(chunkSize) ‖ u64be(chunkCount) ‖ u64be(size) ‖ fileId (16 B) ‖ 4 zero bytes
 *   chunk i       = AES-256-GCM(K_file, nonce = u32be(0) ‖ u64be(i), aad = header ‖ u64be(i) ‖ u8(last)), ciphertext ‖ tag
 *   K_file        = HKDF-SHA256(datasetKey, salt = fileId, info = FILE_KEY_INFO)
 * Hand-written: the format is our own. Only bytes here; each side brings its own AES-GCM and HKDF,
 * and reports a problem (returned as text) with its own error class.
 */
import { chunkSizeProblem } from "./limits.ts";

export const ENC_HEADER_LEN = 48;
export const ENC_TAG_LEN = 16;
export const FILE_ID_LEN = 16;
const MAGIC = new TextEncoder().encode("DPENC001");
export const FILE_KEY_INFO = new TextEncoder().encode("DealProof/dataset-chunk-key/v1");

export interface EncHeader {
  chunkSize: number;
  chunkCount: number;
  size: number;
  fileId: Uint8Array;
  /** The header's 48 bytes, which every chunk's AAD repeats. */
  raw: Uint8Array;
}

/** The header of a `size`-byte dataset in `chunkSize` chunks (both already checked by the caller). */
export function encodeEncHeader(chunkSize: number, size: number, fileId: Uint8Array): EncHeader {
  const raw = new Uint8Array(ENC_HEADER_LEN);
  const v = new DataView(raw.buffer);
  const chunkCount = Math.ceil(size / chunkSize);
  raw.set(MAGIC);
  v.setUint32(8, chunkSize);
  v.setBigUint64(12, BigInt(chunkCount));
  v.setBigUint64(20, BigInt(size));
  raw.set(fileId.subarray(0, FILE_ID_LEN), 28);
  return { chunkSize, chunkCount, size, fileId: raw.slice(28, 28 + FILE_ID_LEN), raw };
}

/** The header at the start of `bytes`, or what is wrong with it. */
export function decodeEncHeader(bytes: Uint8Array): EncHeader | string {
  if (bytes.length < ENC_HEADER_LEN || !MAGIC.every((b, i) => bytes[i] === b))
    return "not a DealProof encrypted dataset (bad magic or short header)";
  // a copy, as a plain Uint8Array: a Node Buffer's slice() is a view into a shared pool
  const raw = Uint8Array.from(bytes.subarray(0, ENC_HEADER_LEN));
  const v = new DataView(raw.buffer);
  const chunkSize = v.getUint32(8);
  const chunkCount = Number(v.getBigUint64(12));
  const size = Number(v.getBigUint64(20));
  const problem = chunkSizeProblem(chunkSize);
  if (problem !== undefined) return problem;
  if (size <= 0 || chunkCount !== Math.ceil(size / chunkSize))
    return "the encrypted dataset header is inconsistent (size vs chunk count)";
  return { chunkSize, chunkCount, size, fileId: raw.slice(28, 28 + FILE_ID_LEN), raw };
}

/** Chunk `i`'s 12-byte GCM nonce: u32be(0) ‖ u64be(i). */
export function chunkNonce(i: number): Uint8Array {
  const n = new Uint8Array(12);
  new DataView(n.buffer).setBigUint64(4, BigInt(i));
  return n;
}

/** Chunk `i`'s AAD: header ‖ u64be(i) ‖ u8(last), binding it to its file, index and position. */
export function chunkAad(header: Uint8Array, i: number, last: boolean): Uint8Array {
  const a = new Uint8Array(ENC_HEADER_LEN + 9);
  a.set(header.subarray(0, ENC_HEADER_LEN));
  new DataView(a.buffer).setBigUint64(ENC_HEADER_LEN, BigInt(i));
  a[ENC_HEADER_LEN + 8] = last ? 1 : 0;
  return a;
}
