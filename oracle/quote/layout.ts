/**
 * Byte layout of an Intel TDX v4 quote and of a DCAP verifier's output (DESIGN.md §4).
 * Offsets are from Intel's "TDX DCAP Quote Generation Library and Quote Verification Library"
 * quote format; the contract (contracts/lib/DcapOutput.sol) uses the same numbers.
 */
export const QUOTE_VERSION = 4;
export const ATT_KEY_TYPE_ECDSA_P256 = 2;
export const TEE_TYPE_TDX = 0x81;

export const HEADER_LEN = 48;
export const TD10_BODY_LEN = 584;
/** Bytes covered by the quote signature: header + body. */
export const SIGNED_LEN = HEADER_LEN + TD10_BODY_LEN; // 632
/** The signature data follows its u32 LE length, which follows the signed region. */
export const SIG_DATA_OFFSET = SIGNED_LEN + 4; // 636

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

/** Certification data types inside the signature data. */
export const CERT_DATA_PCK_CHAIN = 5;
export const CERT_DATA_QE_REPORT = 6;
export const QE_REPORT_LEN = 384;

/** Verifier output, Automata v1.1 (`abi.encodePacked`). */
export const OUTPUT = {
  version: 0, // u16 BE
  bodyType: 2, // u16 BE
  tcbStatus: 4, // u8
  fmspc: 5, // 6 bytes
  body: 11, // 584 bytes
  advisories: 595,
} as const;
export const OUTPUT_MIN_LEN = OUTPUT.advisories;
export const BODY_TYPE_TD10 = 2;

export { TCB_STATUS } from "../../sdk/src/tcb-status.ts";
