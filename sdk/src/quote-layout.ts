/**
 * The TDX v4 quote header's fixed fields and the TD 1.0 report body layout (Intel's "TDX DCAP
 * Quote Generation Library and Quote Verification Library" quote format; DESIGN.md §4) — one
 * table for the SDK's in-browser quote check and the oracle's quote reader and verifier output
 * (oracle/quote/layout.ts re-exports it); contracts/lib/DcapOutput.sol uses the same body offsets
 * (test/contracts/constants-parity.test.ts compares them).
 */
export const QUOTE_VERSION = 4;
export const ATT_KEY_TYPE_ECDSA_P256 = 2;
export const TEE_TYPE_TDX = 0x81;

export const HEADER_LEN = 48;
/** Header fields (offsets inside the header). */
export const HEADER = {
  version: 0, // u16 LE
  attestationKeyType: 2, // u16 LE
  teeType: 4, // u32 LE
  qeSvn: 8, // u16 LE
  pceSvn: 10, // u16 LE
  qeVendorId: 12, // 16 bytes
  userData: 28, // 20 bytes
} as const;
export const TD10_BODY_LEN = 584;

/** TD 1.0 report body fields: [offset, length] inside the body. */
export const TD10 = {
  teeTcbSvn: [0, 16],
  mrSeam: [16, 48],
  mrSignerSeam: [64, 48],
  seamAttributes: [112, 8],
  tdAttributes: [120, 8],
  xfam: [128, 8],
  mrTd: [136, 48],
  mrConfigId: [184, 48],
  mrOwner: [232, 48],
  mrOwnerConfig: [280, 48],
  rtMr0: [328, 48],
  rtMr1: [376, 48],
  rtMr2: [424, 48],
  rtMr3: [472, 48],
  reportData: [520, 64],
} as const satisfies Record<string, readonly [number, number]>;

export type Td10Field = keyof typeof TD10;
export type Td10Body = Record<Td10Field, Uint8Array>;

/** Splits a TD 1.0 body (TD10_BODY_LEN bytes) into its fields, each a copy. */
export function splitTd10Body(body: Uint8Array): Td10Body {
  if (body.length !== TD10_BODY_LEN)
    throw new Error(`a TD10 body is ${TD10_BODY_LEN} bytes; got ${body.length}`);
  return Object.fromEntries(
    Object.entries(TD10).map(([k, [off, len]]) => [k, body.slice(off, off + len)]),
  ) as Td10Body;
}
