/**
 * Streams a dataset from a path, a file:// URL or an http(s):// URL under a location policy
 * (location-policy.ts), with a byte cap, an idle timeout, an overall time budget and an abort
 * signal. Redirects are followed by hand (at most 5), each target checked like the first; the
 * connection goes to an address the policy allowed (the check runs in the socket's DNS lookup,
 * and on literal IP hosts before connecting), so DNS rebinding cannot slip past it.
 * Invariants: never more than `limit.maxBytes` bytes are read (the cap may be lowered while
 * reading, e.g. once the encrypted header declares the size); no read waits longer than
 * `timeoutMs`; the whole fetch ends by `budgetMs` (extended by `extendBudget`); with
 * `minBytesPerSec`, a body that brings fewer than minBytesPerSec × rateWindowMs bytes in any
 * window of `rateWindowMs` ends the fetch — so a server dripping bytes under every idle timeout
 * gives its slot back after one window, not after the whole budget.
 */
import { createReadStream, statSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { LookupFunction } from "node:net";
import { fileURLToPath } from "node:url";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { LOCAL_POLICY, resolveAll, type LocationPolicy } from "./location-policy.ts";

export interface SourceOptions {
  /** Refuse more bytes than this. */
  maxBytes?: number;
  /** A cap that may be lowered while reading (it wins when lower than maxBytes). */
  limit?: { maxBytes: number };
  /** For http(s): time allowed until the response headers arrive, and between body reads. */
  timeoutMs?: number;
  /** For http(s): the whole fetch must end within this many ms (default: no limit). */
  budgetMs?: number;
  /** Read size for files. */
  highWaterMark?: number;
  /** Which locations may be read (default: the simulator's, for the parties' own tools). */
  policy?: LocationPolicy;
  /** Aborts the fetch (the daemon's shutdown). */
  signal?: AbortSignal;
  /** For http(s): the slowest body accepted, checked over every `rateWindowMs` (no floor if unset). */
  minBytesPerSec?: number;
  /** The window of the minBytesPerSec check (default min(timeoutMs, 5000)). */
  rateWindowMs?: number;
  /** Set by openSource: lets the caller move the overall deadline (ms from the start). */
  extendBudget?: (budgetMs: number) => void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const refused = () =>
  new DatasetError(
    "location_refused",
    "the dataset location is not allowed: the oracle fetches only https:// URLs of public hosts",
    { hint: "host the encrypted file at an https:// URL on a public host" },
  );

function policyLookup(policy: LocationPolicy): LookupFunction {
  const resolve = policy.resolve ?? resolveAll;
  return (hostname, options, cb) => {
    resolve(hostname).then(
      (addrs) => {
        if (addrs.length === 0 || !addrs.every((a) => policy.allowAddress(a))) return cb(refused(), "", 4);
        const list = addrs.map((address) => ({ address, family: isIP(address) }));
        if ((options as { all?: boolean }).all)
          return (cb as unknown as (e: null, a: typeof list) => void)(null, list);
        return cb(null, list[0]!.address, list[0]!.family);
      },
      (e: unknown) => cb(e as NodeJS.ErrnoException, "", 4),
    );
  };
}

function get(
  url: URL,
  policy: LocationPolicy,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "GET",
      lookup: policyLookup(policy),
      signal,
      timeout: timeoutMs,
      headers: { "accept-encoding": "identity" },
    });
    req.on("response", resolve);
    req.on("timeout", () =>
      req.destroy(new DatasetError("fetch_failed", "the dataset server did not answer in time")),
    );
    req.on("error", reject);
    req.end();
  });
}

async function* openHttp(
  location: string,
  opts: SourceOptions,
  policy: LocationPolicy,
  count: (n: number) => void,
) {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const ctl = new AbortController();
  const started = Date.now();
  let budgetTimer: NodeJS.Timeout | undefined;
  const setBudget = (ms: number | undefined) => {
    clearTimeout(budgetTimer);
    if (ms !== undefined) budgetTimer = setTimeout(() => ctl.abort(), Math.max(0, started + ms - Date.now()));
  };
  setBudget(opts.budgetMs);
  opts.extendBudget = setBudget;
  const signal = opts.signal === undefined ? ctl.signal : AbortSignal.any([ctl.signal, opts.signal]);
  const broke = (e: unknown) => {
    if (e instanceof DatasetError) return e;
    if (opts.signal?.aborted)
      return new DatasetError("fetch_failed", "the dataset fetch was stopped (shutdown)");
    if (ctl.signal.aborted)
      return new DatasetError("fetch_failed", "the dataset fetch exceeded its time budget (server too slow)");
    const code = (e as { code?: unknown })?.code;
    return new DatasetError(
      "fetch_failed",
      `cannot fetch the dataset (${typeof code === "string" ? code : "connection failed"})`,
    );
  };
  try {
    let url = new URL(location);
    let res: IncomingMessage;
    for (let hop = 0; ; hop++) {
      if (!policy.schemes.includes(url.protocol)) throw refused();
      const host = url.hostname.replace(/^\[|\]$/g, "");
      if (isIP(host) !== 0 && !policy.allowAddress(host)) throw refused();
      try {
        res = await get(url, policy, signal, timeoutMs);
      } catch (e) {
        throw broke(e);
      }
      const status = res.statusCode ?? 0;
      if (!REDIRECTS.has(status)) break;
      res.resume();
      const next = res.headers.location;
      if (hop >= 5 || next === undefined)
        throw new DatasetError("fetch_failed", "the dataset location redirects too often or nowhere");
      url = new URL(next, url);
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new DatasetError("fetch_failed", `fetching the dataset answered HTTP ${res.statusCode}`);
    }
    res.setTimeout(timeoutMs, () =>
      res.destroy(new DatasetError("fetch_failed", "the dataset download stalled (no data in time)")),
    );
    const floor = rateFloor(res, opts.minBytesPerSec, opts.rateWindowMs ?? Math.min(timeoutMs, 5000));
    try {
      for await (const piece of res as AsyncIterable<Buffer>) {
        floor.add(piece.length);
        count(piece.length);
        yield piece;
      }
    } catch (e) {
      throw broke(e);
    } finally {
      floor.stop();
      res.destroy();
    }
  } finally {
    clearTimeout(budgetTimer);
  }
}

/** Ends `res` when a window of `windowMs` brings fewer than minBytesPerSec × windowMs bytes. */
function rateFloor(res: IncomingMessage, minBytesPerSec: number | undefined, windowMs: number) {
  let bytes = 0;
  const timer =
    minBytesPerSec === undefined
      ? undefined
      : setInterval(() => {
          if (bytes < (minBytesPerSec * windowMs) / 1000)
            res.destroy(
              new DatasetError(
                "fetch_failed",
                `the dataset server is too slow (under ${minBytesPerSec} bytes/s over ${windowMs} ms)`,
              ),
            );
          bytes = 0;
        }, windowMs);
  return {
    add: (n: number) => void (bytes += n),
    stop: () => clearInterval(timer),
  };
}

export async function* openSource(location: string, opts: SourceOptions = {}): AsyncGenerator<Uint8Array> {
  const policy = opts.policy ?? LOCAL_POLICY;
  let total = 0;
  const count = (n: number) => {
    total += n;
    const max = Math.min(
      opts.maxBytes ?? Number.MAX_SAFE_INTEGER,
      opts.limit?.maxBytes ?? Number.MAX_SAFE_INTEGER,
    );
    if (total > max)
      throw new DatasetError("too_large", `the dataset at its location exceeds the ${max}-byte limit`);
  };
  if (/^https?:\/\//i.test(location)) {
    yield* openHttp(location, opts, policy, count);
    return;
  }
  if (!policy.files) throw refused();
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
