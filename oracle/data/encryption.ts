/**
 * Encrypted dataset format (docs/dataset-commitment.md §Encryption). Hand-written framing around
 * node:crypto's AES-256-GCM:
 *   header (48 B) = "DPENC001" ‖ u32be(chunkSize) ‖ u64be(chunkCount) ‖ u64be(size) ‖ fileId (16 B) ‖ 4 zero bytes
 *   chunk i       = AES-256-GCM(K_file, nonce = u32be(0) ‖ u64be(i), aad = header ‖ u64be(i) ‖ u8(last))
 *                   ciphertext ‖ tag (16 B)
 *   K_file        = HKDF-SHA256(datasetKey, salt = fileId, info = "DealProof/dataset-chunk-key/v1")
 * The per-file key makes nonces unique even when a dataset key is reused; the AAD binds each chunk
 * to its file, index and position, so a swapped, dropped, reordered or truncated chunk fails.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { DatasetError } from "./errors.ts";
import { ExactReader, rechunk } from "./chunks.ts";
import { checkChunkSize } from "./merkle.ts";

const MAGIC = Buffer.from("DPENC001");
export const HEADER_LEN = 48;
const TAG_LEN = 16;

export interface EncHeader {
  chunkSize: number;
  chunkCount: number;
  size: number;
  fileId: Buffer;
  raw: Buffer;
}

function fileKey(datasetKey: Uint8Array, fileId: Uint8Array): Buffer {
  if (datasetKey.length !== 32) throw new DatasetError("bad_format", "a dataset key is 32 bytes (AES-256)");
  return Buffer.from(hkdfSync("sha256", datasetKey, fileId, "DealProof/dataset-chunk-key/v1", 32));
}

function nonce(i: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(i), 4);
  return n;
}

function aad(header: Buffer, i: number, last: boolean): Buffer {
  const a = Buffer.alloc(HEADER_LEN + 9);
  header.copy(a, 0);
  a.writeBigUInt64BE(BigInt(i), HEADER_LEN);
  a[HEADER_LEN + 8] = last ? 1 : 0;
  return a;
}

function encodeHeader(chunkSize: number, size: number, fileId: Buffer = randomBytes(16)): EncHeader {
  checkChunkSize(chunkSize);
  if (size <= 0) throw new DatasetError("empty", "an empty dataset cannot be encrypted");
  const chunkCount = Math.ceil(size / chunkSize);
  const raw = Buffer.alloc(HEADER_LEN);
  MAGIC.copy(raw, 0);
  raw.writeUInt32BE(chunkSize, 8);
  raw.writeBigUInt64BE(BigInt(chunkCount), 12);
  raw.writeBigUInt64BE(BigInt(size), 20);
  fileId.copy(raw, 28);
  return { chunkSize, chunkCount, size, fileId, raw };
}

export function decodeHeader(raw: Buffer): EncHeader {
  if (raw.length < HEADER_LEN || !raw.subarray(0, 8).equals(MAGIC)) {
    throw new DatasetError("bad_format", "not a DealProof encrypted dataset (bad magic or short header)");
  }
  const chunkSize = raw.readUInt32BE(8);
  const chunkCount = Number(raw.readBigUInt64BE(12));
  const size = Number(raw.readBigUInt64BE(20));
  checkChunkSize(chunkSize);
  if (size <= 0 || chunkCount !== Math.ceil(size / chunkSize)) {
    throw new DatasetError(
      "bad_format",
      "the encrypted dataset header is inconsistent (size vs chunk count)",
    );
  }
  return {
    chunkSize,
    chunkCount,
    size,
    fileId: Buffer.from(raw.subarray(28, 44)),
    raw: Buffer.from(raw.subarray(0, HEADER_LEN)),
  };
}

/** Encrypts a plaintext stream of known size; yields the header, then each sealed chunk. */
export async function* encryptStream(
  plaintext: AsyncIterable<Uint8Array>,
  datasetKey: Uint8Array,
  size: number,
  chunkSize: number,
): AsyncGenerator<Buffer> {
  const header = encodeHeader(chunkSize, size);
  const key = fileKey(datasetKey, header.fileId);
  yield header.raw;
  let i = 0;
  let seen = 0;
  for await (const chunk of rechunk(plaintext, chunkSize)) {
    seen += chunk.length;
    const last = i === header.chunkCount - 1;
    if (i >= header.chunkCount || (last && seen !== size))
      throw new DatasetError("bad_format", "the plaintext is not the declared size");
    const c = createCipheriv("aes-256-gcm", key, nonce(i));
    c.setAAD(aad(header.raw, i, last));
    yield Buffer.concat([c.update(chunk), c.final(), c.getAuthTag()]);
    i++;
  }
  if (i !== header.chunkCount)
    throw new DatasetError("bad_format", "the plaintext is shorter than the declared size");
}

/** Decrypts an encrypted dataset stream; yields plaintext chunks, each authenticated. */
export async function* decryptStream(
  source: AsyncIterable<Uint8Array>,
  datasetKey: Uint8Array,
  onHeader?: (h: EncHeader) => void,
): AsyncGenerator<Buffer> {
  const reader = new ExactReader(source);
  const header = decodeHeader(await reader.read(HEADER_LEN));
  onHeader?.(header);
  const key = fileKey(datasetKey, header.fileId);
  for (let i = 0; i < header.chunkCount; i++) {
    const last = i === header.chunkCount - 1;
    const plainLen = last ? header.size - header.chunkSize * (header.chunkCount - 1) : header.chunkSize;
    const sealed = await reader.read(plainLen + TAG_LEN);
    if (sealed.length < plainLen + TAG_LEN) {
      throw new DatasetError(
        "truncated",
        `the encrypted dataset ends inside chunk ${i} of ${header.chunkCount}`,
        { hint: "host the whole encrypted file (its upload may have been cut short)" },
      );
    }
    const d = createDecipheriv("aes-256-gcm", key, nonce(i));
    d.setAAD(aad(header.raw, i, last));
    d.setAuthTag(sealed.subarray(plainLen));
    try {
      yield Buffer.concat([d.update(sealed.subarray(0, plainLen)), d.final()]);
    } catch {
      throw new DatasetError(
        "decrypt_failed",
        `chunk ${i} failed authentication: a wrong dataset key, or a chunk altered, swapped or moved`,
        { hint: "use the key dataset:encrypt wrote with this very file, and host the file unchanged" },
      );
    }
  }
  if ((await reader.read(1)).length !== 0)
    throw new DatasetError("bad_format", "the encrypted dataset has data after its last chunk");
}
