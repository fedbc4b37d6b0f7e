/**
 * Sign-in sessions that hold across the replicas of one app: after a party's EIP-4361 sign-in is
 * redeemed at one replica, it gets a session token — an HMAC-SHA256 over (chain, contract, deal,
 * address, expiry, issuing instance) under a key derived app-scoped from the TEE at
 * SESSION_KEY_PATH, so every replica of the app (one KMS app key) checks it and no replica of
 * another app can forge one. The token names one deal and one address: it reads that deal's
 * transcript only, and only while the address is still one of the deal's parties.
 * Invariants: a token is accepted only with a valid MAC (compared in constant time), for the
 * chain, contract and deal it names, before its expiry; no secret (the key) is ever in a token or
 * an error. Sessions are bearer credentials until they expire (like a cookie); the single-use rule
 * is the sign-in message's (auth.ts: redeemable once, and only at the replica that issued it).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { getAddress } from "viem";
import { z } from "zod";

/** The TEE key path of the session MAC key: app-scoped (no instance id), so all replicas share it. */
export const SESSION_KEY_PATH = "dealproof/api/session/v1";

const payloadSchema = z.strictObject({
  v: z.literal(1),
  chainId: z.number().int(),
  contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  dealId: z.string().regex(/^(0|[1-9][0-9]{0,77})$/),
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  expiresAt: z.number().int(),
  issuer: z.string().max(128),
});

type SessionPayload = z.infer<typeof payloadSchema>;

export type SessionCheck =
  | { ok: true; address: string; issuer: string }
  | { ok: false; code: "bad_session" | "session_expired" | "wrong_deal"; why: string };

export interface SessionKeyOptions {
  /** 32 bytes from the TEE at SESSION_KEY_PATH. */
  key: Uint8Array;
  chainId: number;
  contract: string;
  /** This replica's instance id (named in the tokens it issues; informational). */
  instanceId: string;
  ttlMs: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export class SessionKeys {
  readonly #key: Buffer;
  readonly #opts: SessionKeyOptions;

  constructor(opts: SessionKeyOptions) {
    this.#key = Buffer.from(opts.key);
    this.#opts = opts;
  }

  #mac(payload: string): Buffer {
    return createHmac("sha256", this.#key).update("DealProof/session/v1\n").update(payload).digest();
  }

  /** A session for `address` (already signed in) reading deal `dealId`, valid for the TTL. */
  issue(address: string, dealId: string, now = Date.now()): { token: string; expiresAt: number } {
    const payload: SessionPayload = {
      v: 1,
      chainId: this.#opts.chainId,
      contract: getAddress(this.#opts.contract),
      dealId,
      address: getAddress(address),
      expiresAt: now + this.#opts.ttlMs,
      issuer: this.#opts.instanceId.slice(0, 128),
    };
    const body = b64url(JSON.stringify(payload));
    return { token: `v1.${body}.${b64url(this.#mac(body))}`, expiresAt: payload.expiresAt };
  }

  /** Checks `token` for deal `dealId` at time `now`. */
  check(token: string, dealId: string, now = Date.now()): SessionCheck {
    const bad = (why: string): SessionCheck => ({ ok: false, code: "bad_session", why });
    const parts = token.length <= 2048 ? token.split(".") : [];
    if (parts.length !== 3 || parts[0] !== "v1") return bad("the session token is malformed; sign in again");
    const [, body, mac] = parts as [string, string, string];
    const given = Buffer.from(mac, "base64url");
    const want = this.#mac(body);
    if (given.length !== want.length || !timingSafeEqual(given, want))
      return bad("the session token was not issued by this oracle app; sign in again");
    let payload: SessionPayload;
    try {
      payload = payloadSchema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
    } catch {
      return bad("the session token is malformed; sign in again");
    }
    if (
      payload.chainId !== this.#opts.chainId ||
      getAddress(payload.contract) !== getAddress(this.#opts.contract)
    )
      return bad("the session token is for another DealProof deployment; sign in again");
    if (payload.expiresAt <= now)
      return { ok: false, code: "session_expired", why: "the session expired; sign in again" };
    if (payload.dealId !== dealId)
      return { ok: false, code: "wrong_deal", why: "the session is for another deal; sign in for this one" };
    return { ok: true, address: getAddress(payload.address), issuer: payload.issuer };
  }
}
