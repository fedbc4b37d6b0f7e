/**
 * Wallet sign-in for the transcript endpoint: an EIP-4361 (Sign-In with Ethereum) message built
 * and checked by viem (createSiweMessage / parseSiweMessage / verifySiweMessage), with the domain
 * and URI from configuration and a server-issued, single-use, expiring nonce. Contract wallets
 * are verified on-chain through viem's ERC-6492 universal validator: ERC-1271 for deployed ones,
 * ERC-6492 for undeployed (counterfactual) ones, plain ECDSA for EOAs.
 * Invariants: at most `maxOpen` challenges are held, none past its TTL; a challenge is consumed by
 * its first redemption attempt, successful or not; the redeemed message must equal the issued
 * one byte for byte. Across replicas: a challenge is held only by the replica that issued it (its
 * domain and URI are that replica's public URL), so it is redeemable there alone — once — and a
 * replayed sign-in fails at every replica (session.ts then carries the sign-in to the others).
 */
import { randomBytes } from "node:crypto";
import { DealProofError } from "../../sdk/src/errors.ts";
import { getAddress, type Client, type Hex } from "viem";
import { createSiweMessage, parseSiweMessage, verifySiweMessage } from "viem/siwe";

export interface Challenge {
  address: string;
  dealId: string;
  nonce: string;
  expiresAt: number;
  message: string;
}

export interface ChallengeBookOptions {
  /** The public base URL of the API, e.g. https://oracle.example.com: gives EIP-4361 domain and URI. */
  publicUrl: string;
  chainId: number;
  /** Verifies signatures on-chain (ERC-1271 / ERC-6492) through this client. */
  client: Client;
  ttlMs?: number;
  maxOpen?: number;
}

type RedeemFailure =
  | "unknown_challenge"
  | "wrong_replica"
  | "expired"
  | "wrong_deal"
  | "bad_signature"
  | "verification_unavailable";

export type RedeemResult = { ok: true; address: string } | { ok: false; code: RedeemFailure; why: string };

export class ChallengeBookFullError extends DealProofError<"api.challenges_full"> {
  override name = "ChallengeBookFullError";
  constructor() {
    super("api.challenges_full", "too many open sign-in challenges", { hint: "try again in a minute" });
  }
}

export class ChallengeBook {
  readonly #open = new Map<string, Challenge>();
  readonly domain: string;
  readonly scheme: string;
  readonly baseUri: string;
  readonly chainId: number;
  readonly ttlMs: number;
  readonly maxOpen: number;
  readonly #client: Client;

  constructor(opts: ChallengeBookOptions) {
    const u = new URL(opts.publicUrl);
    this.domain = u.host;
    this.scheme = u.protocol.slice(0, -1);
    this.baseUri = `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
    this.chainId = opts.chainId;
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.maxOpen = opts.maxOpen ?? 10_000;
    this.#client = opts.client;
  }

  get size(): number {
    return this.#open.size;
  }

  /** Drops expired challenges (Map order is issue order, so it stops at the first live one). */
  #sweep(now: number): void {
    for (const [k, c] of this.#open) {
      if (c.expiresAt > now) break;
      this.#open.delete(k);
    }
  }

  /** Throws ChallengeBookFullError when `maxOpen` live challenges are held. */
  issue(address: string, dealId: string, now = Date.now()): Challenge {
    this.#sweep(now);
    if (this.#open.size >= this.maxOpen) throw new ChallengeBookFullError();
    const addr = getAddress(address);
    const nonce = randomBytes(16).toString("hex");
    const expiresAt = now + this.ttlMs;
    const message = createSiweMessage({
      domain: this.domain,
      scheme: this.scheme,
      address: addr,
      statement: `Read the DealProof transcript of deal ${dealId}.`,
      uri: `${this.baseUri}/deals/${dealId}/transcript`,
      version: "1",
      chainId: this.chainId,
      nonce,
      issuedAt: new Date(now),
      expirationTime: new Date(expiresAt),
    });
    const c = { address: addr, dealId, nonce, expiresAt, message };
    this.#open.set(nonce, c);
    return c;
  }

  /** Checks `message` is an open challenge for `dealId` signed by its account; consumes it. */
  async redeem(message: string, signature: string, dealId: string, now = Date.now()): Promise<RedeemResult> {
    let parsed: ReturnType<typeof parseSiweMessage> | undefined;
    try {
      parsed = parseSiweMessage(message);
    } catch {
      parsed = undefined;
    }
    const c = parsed?.nonce === undefined ? undefined : this.#open.get(parsed.nonce);
    if (c === undefined || c.message !== message) {
      // another replica's message: only its issuer holds (and can consume) its nonce
      if (parsed?.domain !== undefined && parsed.domain !== this.domain)
        return {
          ok: false,
          code: "wrong_replica",
          why: `this sign-in message was issued by ${parsed.domain.slice(0, 200)}; send it there, or sign in again here`,
        };
      return { ok: false, code: "unknown_challenge", why: "unknown or already used challenge" };
    }
    this.#open.delete(c.nonce);
    if (c.expiresAt <= now) return { ok: false, code: "expired", why: "the challenge expired" };
    if (c.dealId !== dealId)
      return { ok: false, code: "wrong_deal", why: "the challenge is for another deal" };
    if (!/^0x[0-9a-fA-F]*$/.test(signature) || signature.length > 2 + 2 * 8192)
      return { ok: false, code: "bad_signature", why: "the signature must be 0x-hex (at most 8 KiB)" };
    let valid: boolean;
    try {
      valid = await verifySiweMessage(this.#client, {
        message,
        signature: signature as Hex,
        address: c.address as Hex,
        domain: this.domain,
        nonce: c.nonce,
        scheme: this.scheme,
        time: new Date(now),
      });
    } catch {
      return {
        ok: false,
        code: "verification_unavailable",
        why: "the signature could not be checked on-chain right now; sign in again later",
      };
    }
    if (!valid)
      return {
        ok: false,
        code: "bad_signature",
        why: "the signature is not by the challenged account (EOA, ERC-1271 or ERC-6492)",
      };
    return { ok: true, address: c.address };
  }
}
