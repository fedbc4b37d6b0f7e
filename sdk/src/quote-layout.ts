/**
 * Byte layout of an Intel TDX v4 quote's header and TD 1.0 report body (DESIGN.md §4), from Intel's
 * "TDX DCAP Quote Generation Library and Quote Verification Library" quote format: the one
 * definition for the SDK's browser quote check and the oracle's quote reader (oracle/quote/layout.ts
 * adds the signature data and the verifier output). contracts/lib/DcapOutput.sol uses the same body
 * offsets; test/contracts/constants-parity.test.ts compares them.
 */
export const QUOTE_VERSION = 4;
export const ATT_KEY_TYPE_ECDSA_P256 = 2;
export const TEE_TYPE_TDX = 0x81;

export const HEADER_LEN = 48;
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
