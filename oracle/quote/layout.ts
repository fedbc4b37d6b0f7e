/**
 * Byte layout of an Intel TDX v4 quote and of a DCAP verifier's output (DESIGN.md §4).
 * Offsets are from Intel's "TDX DCAP Quote Generation Library and Quote Verification Library"
 * quote format; the contract (contracts/lib/DcapOutput.sol) uses the same numbers. The header
 * length, the TD 1.0 body and the version/key/TEE types are the SDK's (sdk/src/quote-layout.ts,
 * which the browser's quote check shares); this module adds what only the oracle reads.
 */
import { HEADER_LEN, TD10_BODY_LEN } from "../../sdk/src/quote-layout.ts";

export {
  QUOTE_VERSION,
  ATT_KEY_TYPE_ECDSA_P256,
  TEE_TYPE_TDX,
  HEADER,
  HEADER_LEN,
  TD10_BODY_LEN,
  TD10,
  type Td10Field,
} from "../../sdk/src/quote-layout.ts";

/** Bytes covered by the quote signature: header + body. */
export const SIGNED_LEN = HEADER_LEN + TD10_BODY_LEN; // 632
/** The signature data follows its u32 LE length, which follows the signed region. */
export const SIG_DATA_OFFSET = SIGNED_LEN + 4; // 636

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
