/**
 * The encrypted dataset format (docs/dataset-commitment.md §Encryption; its bytes are defined once in
 * sdk/src/dataset-format.ts) with node:crypto's AES-256-GCM and HKDF, streaming. The per-file key makes nonces unique even when a dataset key is reused; the AAD binds each chunk
 * to its file, index and position, so a swapped, dropped, reordered or truncated chunk fails.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { ExactReader, rechunk } from "./chunks.ts";
import { checkChunkSize } from "./merkle.ts";
import {
  ENC_HEADER_LEN,
  ENC_TAG_LEN,
  FILE_ID_LEN,
  FILE_KEY_INFO,
  chunkAad,
  chunkNonce,
  decodeEncHeader,
  encodeEncHeader,
  type EncHeader,
} from "../../sdk/src/dataset-format.ts";

function fileKey(datasetKey: Uint8Array, fileId: Uint8Array): Buffer {
  if (datasetKey.length !== 32) throw new DatasetError("bad_format", "a dataset key is 32 bytes (AES-256)");
  return Buffer.from(hkdfSync("sha256", datasetKey, fileId, FILE_KEY_INFO, 32));
}

function encodeHeader(chunkSize: number, size: number): EncHeader {
  checkChunkSize(chunkSize);
  if (size <= 0) throw new DatasetError("empty", "an empty dataset cannot be encrypted");
  return encodeEncHeader(chunkSize, size, randomBytes(FILE_ID_LEN));
}

export function decodeHeader(raw: Uint8Array): EncHeader {
  const header = decodeEncHeader(raw);
  if (typeof header === "string") throw new DatasetError("bad_format", header);
  return header;
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
  yield Buffer.from(header.raw);
  let i = 0;
  let seen = 0;
  for await (const chunk of rechunk(plaintext, chunkSize)) {
    seen += chunk.length;
    const last = i === header.chunkCount - 1;
    if (i >= header.chunkCount || (last && seen !== size))
      throw new DatasetError("bad_format", "the plaintext is not the declared size");
    const c = createCipheriv("aes-256-gcm", key, chunkNonce(i));
    c.setAAD(chunkAad(header.raw, i, last));
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
  const header = decodeHeader(await reader.read(ENC_HEADER_LEN));
  onHeader?.(header);
  const key = fileKey(datasetKey, header.fileId);
  for (let i = 0; i < header.chunkCount; i++) {
    const last = i === header.chunkCount - 1;
    const plainLen = last ? header.size - header.chunkSize * (header.chunkCount - 1) : header.chunkSize;
    const sealed = await reader.read(plainLen + ENC_TAG_LEN);
    if (sealed.length < plainLen + ENC_TAG_LEN) {
      throw new DatasetError(
        "truncated",
        `the encrypted dataset ends inside chunk ${i} of ${header.chunkCount}`,
        { hint: "host the whole encrypted file (its upload may have been cut short)" },
      );
    }
    const d = createDecipheriv("aes-256-gcm", key, chunkNonce(i));
    d.setAAD(chunkAad(header.raw, i, last));
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
