/**
 * Whether a signer may settle now, as the replicas read it: the contract's own rule through its
 * `isTrustedSigner` view (registered, not revoked, unexpired under the TTL in force, its
 * measurement still allowed, its TCB status still accepted) at one block — and, since "now" by
 * the chain clock may be past that block's time, unexpired at `now` too. The rule lives in the
 * contract only; a test checks this against settleWithSignature itself
 * (test/chain/trusted-signer.test.ts).
 */
import type { DealProof } from "./dealproof.ts";

/** The trust rule for `signer` at `blockTag` (default latest), still unexpired at `now`. */
export async function isTrustedSigner(
  dp: DealProof,
  signer: string,
  at: { blockTag?: number; now: bigint },
): Promise<boolean> {
  const o = at.blockTag === undefined ? {} : { blockTag: at.blockTag };
  const [trusted, expiry] = await Promise.all([
    dp.isTrustedSigner(signer, o),
    dp.registrationExpiry(signer, o),
  ]);
  return trusted && at.now <= expiry;
}
