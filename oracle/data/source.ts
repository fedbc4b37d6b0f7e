/** Streams a dataset from a path, a file:// URL or an http(s):// URL, with a size cap and a timeout. */
import { createReadStream, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DatasetError } from "./errors.ts";

export interface SourceOptions {
  /** Refuse more bytes than this. */
  maxBytes?: number;
  /** For http(s): time allowed until the response headers arrive, and between body reads. */
  timeoutMs?: number;
  /** Read size for files. */
  highWaterMark?: number;
}

export async function* openSource(location: string, opts: SourceOptions = {}): AsyncGenerator<Uint8Array> {
  const max = opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
  let total = 0;
  const count = (n: number) => {
    total += n;
    if (total > max)
      throw new DatasetError("too_large", `the dataset at its location exceeds the ${max}-byte limit`);
  };
  if (/^https?:\/\//.test(location)) {
    const ctl = new AbortController();
    const timeoutMs = opts.timeoutMs ?? 30_000;
    let timer = setTimeout(() => ctl.abort(), timeoutMs);
    let res: Response;
    try {
      res = await fetch(location, { signal: ctl.signal });
    } catch (e) {
      clearTimeout(timer);
      throw new DatasetError(
        "fetch_failed",
        `cannot fetch the dataset: ${(e as Error).name === "AbortError" ? "timed out" : (e as Error).message}`,
      );
    }
    if (!res.ok || res.body === null) {
      clearTimeout(timer);
      throw new DatasetError("fetch_failed", `fetching the dataset answered HTTP ${res.status}`);
    }
    try {
      for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(timer);
        count(piece.length);
        yield piece;
        timer = setTimeout(() => ctl.abort(), timeoutMs);
      }
    } catch (e) {
      if (e instanceof DatasetError) throw e;
      throw new DatasetError("fetch_failed", `the dataset download broke off: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    return;
  }
  let path: string;
  try {
    path = location.startsWith("file://") ? fileURLToPath(location) : location;
    statSync(path);
  } catch {
    throw new DatasetError("fetch_failed", "the dataset location is not a readable file or http(s) URL");
  }
  for await (const piece of createReadStream(path, { highWaterMark: opts.highWaterMark ?? 1 << 20 })) {
    count((piece as Buffer).length);
    yield piece as Buffer;
  }
}
