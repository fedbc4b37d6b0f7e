/**
 * The other replicas of this app, as their /health shows them (DEALPROOF_PEERS: their public base
 * URLs). Each replica's /health carries a replica card — its public URL, signer, sender, instance
 * id, chain and contract — signed by its enclave signer, and the ids of the deals it holds now. A
 * peer's answer is fetched with a timeout, read up to a size limit, validated with zod, and its
 * card must recover to the signer it names and name the URL it was fetched from, so a hostile or
 * confused peer can neither claim another replica's signer nor make us redirect elsewhere.
 * Invariants: at most one request per peer is in flight; a peer's answer (or its failure) is
 * cached for `ttlMs`; nothing here waits longer than `timeoutMs` per peer; the cache holds one
 * entry per configured peer (the list is bounded by the configuration).
 */
import { keccak256, recoverAddress, toUtf8Bytes } from "ethers";
import { z } from "zod";
import type { Hex } from "../../sdk/src/eip712.ts";

/** What a replica says about itself, signed by its signer. */
export interface ReplicaCard {
  publicUrl: string;
  chainId: number;
  dealProof: string;
  signer: string;
  /** The account that pays for its transactions (a quote-mode settlement's `from`). */
  sender: string;
  instanceId: string;
  signature: string;
}

/** A base URL as compared and joined: no trailing slash, no query or fragment. */
function normalizeBaseUrl(u: string): string {
  const url = new URL(u);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function cardDigest(c: Omit<ReplicaCard, "signature">): Hex {
  const text = [
    "DealProof/replica-card/v1",
    c.chainId,
    c.dealProof.toLowerCase(),
    c.signer.toLowerCase(),
    c.sender.toLowerCase(),
    c.instanceId,
    normalizeBaseUrl(c.publicUrl),
  ].join("\n");
  return keccak256(toUtf8Bytes(text)) as Hex;
}

/** This replica's card, signed with its enclave signer (`signDigest`). */
export function signReplicaCard(
  fields: Omit<ReplicaCard, "signature">,
  signDigest: (digest: string) => string,
): ReplicaCard {
  const card = { ...fields, publicUrl: normalizeBaseUrl(fields.publicUrl) };
  return { ...card, signature: signDigest(cardDigest(card)) };
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte 0x address");
const healthSchema = z.looseObject({
  replica: z.strictObject({
    publicUrl: z.string().url().max(2048),
    chainId: z.number().int(),
    dealProof: address,
    signer: address,
    sender: address,
    instanceId: z.string().max(128),
    signature: z.string().regex(/^0x([0-9a-fA-F]{128}|[0-9a-fA-F]{130})$/, "must be a 64/65-byte signature"),
  }),
  holds: z.array(z.string().regex(/^(0|[1-9][0-9]{0,77})$/)).max(10_000),
});

/** A peer as we last saw it. */
export interface PeerView {
  url: string;
  signer: string;
  sender: string;
  instanceId: string;
  /** Deal ids it holds now (in flight). */
  holds: ReadonlySet<string>;
}

export type PeerAnswer = { url: string; ok: true; view: PeerView } | { url: string; ok: false; why: string };

export interface PeerDirectoryOptions {
  peers: readonly string[];
  chainId: number;
  dealProof: string;
  timeoutMs: number;
  /** How long a peer's answer (or failure) is reused. */
  ttlMs?: number;
  /** The largest /health body read from a peer. */
  maxBytes?: number;
  /** Test hook: the clock. */
  now?: () => number;
}

/** Reads a response body up to `max` bytes; longer bodies are an error. */
async function boundedText(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) {
      await reader.cancel();
      throw new Error(`its /health is over ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export class PeerDirectory {
  readonly #opts: Required<PeerDirectoryOptions>;
  readonly #cache = new Map<string, { at: number; answer: Promise<PeerAnswer> }>();

  constructor(opts: PeerDirectoryOptions) {
    this.#opts = { ttlMs: 10_000, maxBytes: 256 * 1024, now: Date.now, ...opts };
    this.#opts.peers = [...new Set(opts.peers.map(normalizeBaseUrl))];
  }

  get size(): number {
    return this.#cache.size;
  }

  async #ask(url: string): Promise<PeerAnswer> {
    const fail = (why: string): PeerAnswer => ({ url, ok: false, why });
    let text: string;
    try {
      const res = await fetch(`${url}/health`, {
        signal: AbortSignal.timeout(this.#opts.timeoutMs),
        redirect: "error",
      });
      if (!res.ok) return fail(`its /health answered ${res.status}`);
      text = await boundedText(res, this.#opts.maxBytes);
    } catch (e) {
      const err = e as Error;
      return fail(err.name === "TimeoutError" ? `no answer within ${this.#opts.timeoutMs} ms` : err.message);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fail("its /health is not JSON");
    }
    const parsed = healthSchema.safeParse(body);
    if (!parsed.success) return fail("its /health is not a DealProof replica's (no valid replica card)");
    const c = parsed.data.replica;
    if (c.chainId !== this.#opts.chainId || c.dealProof.toLowerCase() !== this.#opts.dealProof.toLowerCase())
      return fail(`it serves DealProof ${c.dealProof} on chain ${c.chainId}, another deployment`);
    if (normalizeBaseUrl(c.publicUrl) !== url)
      return fail(`its card names ${normalizeBaseUrl(c.publicUrl)}, not the URL it was asked at`);
    let by: string;
    try {
      by = recoverAddress(cardDigest(c), c.signature);
    } catch {
      by = "";
    }
    if (by.toLowerCase() !== c.signer.toLowerCase())
      return fail("its replica card is not signed by the signer it names");
    return {
      url,
      ok: true,
      view: {
        url,
        signer: c.signer,
        sender: c.sender,
        instanceId: c.instanceId,
        holds: new Set(parsed.data.holds),
      },
    };
  }

  /** Every peer's answer, from the cache while it is fresh. */
  async answers(): Promise<PeerAnswer[]> {
    const now = this.#opts.now();
    return Promise.all(
      this.#opts.peers.map((url) => {
        const hit = this.#cache.get(url);
        if (hit !== undefined && now - hit.at < this.#opts.ttlMs) return hit.answer;
        const answer = this.#ask(url);
        this.#cache.set(url, { at: now, answer });
        return answer;
      }),
    );
  }
}
