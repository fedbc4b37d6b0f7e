/**
 * The parties' client on a machine (client/, what a buyer or seller runs, never the oracle): the
 * file-level operations behind the seller's and the buyer's commands (dataset:commit,
 * dataset:encrypt, dataset:verify, the demo's seller kit) over the oracle's own dataset code
 * (oracle/data), so a file committed here has the root the oracle checks. A top-level folder
 * rather than a Node-only entry of the SDK: it writes files and reuses oracle/data and
 * oracle/chain, which the SDK (the lowest layer, browser-safe) may not import.
 */
import { createWriteStream, statSync, renameSync, rmSync } from "node:fs";
import { finished } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { hexlify } from "ethers";
import { openSource } from "../oracle/data/source.ts";
import { encryptStream } from "../oracle/data/encryption.ts";
import { commitLocation, type Progress } from "../oracle/data/dataset.ts";
import { DEFAULT_CHUNK_SIZE, type Commitment } from "../oracle/data/merkle.ts";
import { DatasetError } from "../sdk/src/dataset-error.ts";

/** Prints progress to stderr on a terminal (or when forced), at most every 64 MiB. */
export function progressPrinter(label: string, total: number, force = false): Progress | undefined {
  if (!force && !process.stderr.isTTY) return undefined;
  let next = 0;
  return (done) => {
    if (done < next && done < total) return;
    next = done + 64 * 1024 * 1024;
    const mib = (n: number) => (n / 1048576).toFixed(1);
    process.stderr.write(`\r${label}: ${mib(done)} / ${mib(total)} MiB${done >= total ? "\n" : ""}`);
  };
}

export interface Manifest extends Commitment {
  file: string;
}

export async function commitFile(
  path: string,
  chunkSize = DEFAULT_CHUNK_SIZE,
  onProgress?: Progress,
): Promise<Manifest> {
  const c = await commitLocation(path, chunkSize, { onProgress });
  return { file: path, ...c };
}

/**
 * Encrypts `path` to `out` under `key` (a fresh random key when none is given) and commits to
 * the plaintext in the same pass. Returns the key: keep it secret, it goes only into the sealed
 * seller input.
 */
export async function encryptFile(
  path: string,
  out: string,
  opts: { key?: Uint8Array; chunkSize?: number; onProgress?: Progress } = {},
): Promise<{ manifest: Manifest; key: `0x${string}` }> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const key = opts.key ?? new Uint8Array(randomBytes(32));
  if (key.length !== 32) throw new DatasetError("bad_format", "the dataset key must be 32 bytes");
  const size = statSync(path).size;
  const manifest = await commitFile(path, chunkSize);
  const tmp = `${out}.partial`;
  const ws = createWriteStream(tmp, { mode: 0o644 });
  let done = 0;
  try {
    for await (const piece of encryptStream(openSource(path), key, size, chunkSize)) {
      if (!ws.write(piece)) await new Promise<void>((r) => ws.once("drain", () => r()));
      done += piece.length;
      opts.onProgress?.(done);
    }
    ws.end();
    await finished(ws);
    renameSync(tmp, out);
  } catch (e) {
    ws.destroy();
    rmSync(tmp, { force: true });
    throw e;
  }
  return { manifest, key: hexlify(key) as `0x${string}` };
}

export async function verifyFile(
  path: string,
  root: string,
  chunkSize = DEFAULT_CHUNK_SIZE,
): Promise<{ ok: boolean; manifest: Manifest }> {
  const manifest = await commitFile(path, chunkSize);
  return { ok: manifest.root === root.toLowerCase(), manifest };
}
