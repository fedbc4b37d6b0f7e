/**
 * The buyer's own keys for overlap checks, prepared in this browser: a file of ids (one per line)
 * is hashed id by id with the SDK's `overlapKey` (sha256 of salt + id, exactly as the oracle
 * hashes the seller's column), the 32-byte digests are concatenated and committed and encrypted
 * with the SDK's `commitAndEncryptDataset`, like a dataset. The buyer hosts the encrypted file;
 * its location, key, root and the salt go into the sealed input. No id leaves the page in clear.
 */
import { hexlify } from "ethers";
import { MAX_OVERLAP_KEYS, commitAndEncryptDataset, overlapKey, type OverlapKeys } from "dealproof";
import { badInput } from "./bad-input.ts";

export interface PreparedKeys {
  /** How many distinct ids the file held. */
  count: number;
  /** The encrypted key file, to host where `location` will point. */
  encrypted: Blob;
  /** The sealed input's `overlapKeys` without its location. */
  keys: Omit<OverlapKeys, "location">;
}

/** A fresh salt for this deal's keys (32 hex digits). */
export const newSalt = () => hexlify(crypto.getRandomValues(new Uint8Array(16))).slice(2);

export async function prepareOverlapKeys(ids: File, salt: string): Promise<PreparedKeys> {
  const unique = new Set(
    (await ids.text())
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  );
  if (unique.size === 0)
    throw badInput("the key file holds no ids", "one id per line, as in your own records");
  if (unique.size > MAX_OVERLAP_KEYS)
    throw badInput(
      `the key file holds ${unique.size} ids; at most ${MAX_OVERLAP_KEYS}`,
      "split it into deals",
    );
  const digests = new Uint8Array(unique.size * 32);
  let at = 0;
  for (const id of unique) {
    digests.set(overlapKey(salt, id), at);
    at += 32;
  }
  const enc = await commitAndEncryptDataset(new Blob([digests]));
  return {
    count: unique.size,
    encrypted: enc.encrypted,
    keys: { salt, key: enc.key, chunkSize: enc.chunkSize, root: enc.root },
  };
}
