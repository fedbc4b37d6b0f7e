/**
 * Enclave randomness for one negotiation. A deal's 32-byte seed comes either from the OS CSPRNG
 * (`freshSeed`) or from the oracle's own secret by HKDF-SHA256 bound to the chain, contract and
 * deal (`dealSeed`), so a re-run after a restart draws the same numbers and a party never gets a
 * second, independent sample. Nothing a party sends enters a seed. Each consumer (mechanism,
 * renderer, each side's lines) gets its own HMAC-SHA256 key derived from the seed, and every draw is
 * HMAC(key, label): a pure function of (seed, consumer, label), independent across labels.
 */
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { AbiCoder, getAddress } from "ethers";

const SEED_BYTES = 32;

/** A keyed source of uniform numbers: the same label always gives the same draw. */
export interface DealRandom {
  /** Uniform in [0, 1) with 53 bits of precision. */
  uniform(label: string): number;
  /** Uniform integer in [0, n) (n > 0), by rejection sampling: no modulo bias. */
  below(label: string, n: bigint): bigint;
}

export function freshSeed(): Uint8Array {
  return new Uint8Array(randomBytes(SEED_BYTES));
}

/** HKDF-SHA256(ikm = the oracle's secret, salt = tag, info = abi.encode(chainId, contract, dealId)). */
export function dealSeed(
  oracleSecret: Uint8Array,
  ctx: { chainId: bigint; contract: string; dealId: bigint },
): Uint8Array {
  if (oracleSecret.length < 32) throw new Error("the oracle secret must be at least 32 bytes");
  const info = AbiCoder.defaultAbiCoder().encode(
    ["uint256", "address", "uint256"],
    [ctx.chainId, getAddress(ctx.contract), ctx.dealId],
  );
  return new Uint8Array(
    hkdfSync("sha256", oracleSecret, "DealProof/negotiation-seed/v1", Buffer.from(info.slice(2), "hex"), 32),
  );
}

export function dealRandom(seed: Uint8Array, consumer: string): DealRandom {
  if (seed.length !== SEED_BYTES) throw new Error(`a negotiation seed is ${SEED_BYTES} bytes`);
  const key = createHmac("sha256", seed).update(`consumer:${consumer}`).digest();
  const block = (label: string, i: number) => createHmac("sha256", key).update(`${label}\u0000${i}`).digest();
  return {
    uniform(label) {
      const b = block(label, 0);
      // 53 random bits: 21 from the first word, 32 from the second
      return ((b.readUInt32BE(0) >>> 11) * 2 ** 32 + b.readUInt32BE(4)) / 2 ** 53;
    },
    below(label, n) {
      if (n <= 0n) throw new Error("below(n) needs n > 0");
      const bits = n.toString(2).length;
      const mask = (1n << BigInt(bits)) - 1n;
      for (let i = 0; ; i++) {
        const v = BigInt(`0x${block(label, i).toString("hex")}`) & mask;
        if (v < n) return v;
      }
    },
  };
}
