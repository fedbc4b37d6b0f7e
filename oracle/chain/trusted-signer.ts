/**
 * Whether a signer may settle now, read off-chain: the contract's `_requireTrustedSigner` rule
 * (registered, not revoked, unexpired under the TTL in force, its measurement still allowed, its
 * TCB status still accepted) from DealProof's public views at one block. DealProof has no view
 * of the rule (its bytecode is at the size limit), so this is the one copy; a test checks it
 * against settleWithSignature itself (test/chain/trusted-signer.test.ts).
 */
import type { DealProof } from "./dealproof.ts";

/** The trust rule for `signer` at `blockTag` (default latest), and the block time it was read at. */
export async function isTrustedSigner(
  dp: DealProof,
  signer: string,
  at: { blockTag?: number; now: bigint },
): Promise<boolean> {
  const o = at.blockTag === undefined ? {} : { blockTag: at.blockTag };
  const [reg, ttl, epoch] = await Promise.all([
    dp.registrationOf(signer, o),
    dp.registrationTtl(o),
    dp.measurementEpoch(o),
  ]);
  if (reg.issuedAt === 0n || reg.revoked || at.now > reg.issuedAt + ttl) return false;
  if (reg.measurementEpoch !== epoch && !(await dp.allowedMeasurements(reg.measurementId, o))) return false;
  return dp.isTcbStatusAccepted(reg.tcbStatus, o);
}
