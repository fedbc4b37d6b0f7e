/**
 * Wallet sign-in for the transcript endpoint: an EIP-4361 (Sign-In with Ethereum) message with a
 * server-issued, single-use, expiring nonce, signed with EIP-191 personal_sign.
 */
import { randomBytes } from "node:crypto";
import { getAddress, verifyMessage } from "ethers";

const TTL_MS = 5 * 60_000;

export interface Challenge {
  address: string;
  dealId: string;
  nonce: string;
  expiresAt: number;
  message: string;
}

export class ChallengeBook {
  #open = new Map<string, Challenge>();
  readonly domain: string;
  readonly chainId: number;

  constructor(domain: string, chainId: number) {
    this.domain = domain;
    this.chainId = chainId;
  }

  issue(address: string, dealId: string, now = Date.now()): Challenge {
    for (const [k, c] of this.#open) if (c.expiresAt < now) this.#open.delete(k);
    const addr = getAddress(address);
    const nonce = randomBytes(16).toString("hex");
    const expiresAt = now + TTL_MS;
    const message = [
      `${this.domain} wants you to sign in with your Ethereum account:`,
      addr,
      "",
      `Read the DealProof transcript of deal ${dealId}.`,
      "",
      `URI: http://${this.domain}/deals/${dealId}/transcript`,
      "Version: 1",
      `Chain ID: ${this.chainId}`,
      `Nonce: ${nonce}`,
      `Issued At: ${new Date(now).toISOString()}`,
      `Expiration Time: ${new Date(expiresAt).toISOString()}`,
    ].join("\n");
    const c = { address: addr, dealId, nonce, expiresAt, message };
    this.#open.set(nonce, c);
    return c;
  }

  /** Returns the signer's address if `message` is an open challenge for `dealId` signed by its account; consumes it. */
  redeem(
    message: string,
    signature: string,
    dealId: string,
    now = Date.now(),
  ): { ok: true; address: string } | { ok: false; why: string } {
    const nonce = /^Nonce: ([0-9a-f]{32})$/m.exec(message)?.[1];
    const c = nonce === undefined ? undefined : this.#open.get(nonce);
    if (c === undefined || c.message !== message)
      return { ok: false, why: "unknown or already used challenge" };
    this.#open.delete(c.nonce);
    if (c.expiresAt < now) return { ok: false, why: "the challenge expired" };
    if (c.dealId !== dealId) return { ok: false, why: "the challenge is for another deal" };
    let signer: string;
    try {
      signer = verifyMessage(message, signature);
    } catch {
      return { ok: false, why: "the signature is malformed" };
    }
    if (signer !== c.address) return { ok: false, why: "the signature is not by the challenged account" };
    return { ok: true, address: signer };
  }
}
