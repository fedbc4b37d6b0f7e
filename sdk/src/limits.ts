/**
 * The protocol's size limits, defined once for every TypeScript module (the SDK, the oracle, the
 * tasks and the dapp import them from here). MAX_SEALED_BYTES must equal DealProof.sol's
 * MAX_SEALED_INPUT_BYTES, which refuses a larger sealed input on-chain; MAX_METADATA_URI_BYTES
 * must equal its MAX_METADATA_URI_BYTES (a listing's public metadata reference).
 */

/** Largest sealed (HPKE) party input, in bytes. */
export const MAX_SEALED_BYTES = 65_536;
/** Longest metadata URI a listing may carry, in bytes (UTF-8). */
export const MAX_METADATA_URI_BYTES = 512;
/** Longest free-text field of a party input (requirements, description), in characters. */
export const MAX_TEXT = 4000;
/** Largest seller email (.eml) for the DKIM check, in bytes. */
export const MAX_EMAIL_BYTES = 48 * 1024;

/** Dataset chunk sizes (DESIGN.md §7): every chunk but the last has exactly this many bytes. */
export const DEFAULT_CHUNK_SIZE = 1 << 20;
export const MIN_CHUNK_SIZE = 4096;
export const MAX_CHUNK_SIZE = 16 << 20;

/** Why `chunkSize` is not an allowed chunk size, or undefined when it is one. */
export function chunkSizeProblem(chunkSize: number): string | undefined {
  return Number.isInteger(chunkSize) && chunkSize >= MIN_CHUNK_SIZE && chunkSize <= MAX_CHUNK_SIZE
    ? undefined
    : `chunk size must be a whole number of bytes from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE}; got ${chunkSize}`;
}
