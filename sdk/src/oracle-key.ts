/**
 * The key to seal inputs to: DealProof's `currentOracle()` result, checked before use. Sealing to
 * an unregistered or expired key would lock a deal until its deadline, so this refuses both.
 */
import { DealProofError } from "./errors.ts";
import { hexToBytes } from "@noble/hashes/utils";

export interface CurrentOracle {
  signer: string;
  encryptionKey: string;
  expiresAt: bigint;
}

/** `currentOracle()` as viem returns it: (signer, encryptionKey, expiresAt, measurementId). */
export type CurrentOracleTuple = readonly [string, string, bigint, ...unknown[]];

/**
 * The registered oracle's X25519 public key (32 bytes), if its registration is live at
 * `nowSeconds`. Takes `currentOracle()` as ethers (named) or viem (tuple) returns it.
 */
export function oracleSealingKey(
  oracle: CurrentOracle | CurrentOracleTuple,
  nowSeconds: bigint | number,
): Uint8Array {
  const current: CurrentOracle = Array.isArray(oracle)
    ? { signer: oracle[0], encryptionKey: oracle[1], expiresAt: oracle[2] }
    : (oracle as CurrentOracle);
  if (current.expiresAt === 0n)
    throw new DealProofError(
      "oracle.not_registered",
      "no oracle is registered on this DealProof yet: nothing could settle a deal",
      { hint: "wait until its operator starts the oracle (it registers itself), then try again" },
    );
  if (BigInt(nowSeconds) > current.expiresAt)
    throw new DealProofError(
      "oracle.registration_expired",
      `the oracle's registration expired at ${new Date(Number(current.expiresAt) * 1000).toISOString()}: ` +
        "wait until it registers again, or nothing could settle your deal",
      { hint: "try again once the oracle has registered again" },
    );
  const hex = current.encryptionKey;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex))
    throw new DealProofError("oracle_key.malformed", "the oracle's encryption key must be 32 bytes of hex", {
      hint: "check that the address is a DealProof contract of this SDK's version",
    });
  return hexToBytes(hex.slice(2));
}
