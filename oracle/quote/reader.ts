/**
 * Reads a raw TDX v4 quote: header, TD 1.0 body fields and signature data. Parsing only —
 * no policy and no cryptography (see verify.ts for those).
 */
import { DealProofError, type DealProofErrorOptions } from "../../sdk/src/errors.ts";
import {
  ATT_KEY_TYPE_ECDSA_P256,
  CERT_DATA_QE_REPORT,
  HEADER,
  HEADER_LEN,
  QE_REPORT_LEN,
  QUOTE_VERSION,
  SIG_DATA_OFFSET,
  SIGNED_LEN,
  TD10_BODY_LEN,
  TEE_TYPE_TDX,
} from "./layout.ts";
import { splitTd10Body, type Td10Body } from "../../sdk/src/quote-layout.ts";

/** Bytes that are not a TDX quote of the supported layout. */
export class QuoteFormatError extends DealProofError<"quote.bad_format"> {
  override name = "QuoteFormatError";
  constructor(message: string, options?: DealProofErrorOptions) {
    super("quote.bad_format", message, {
      hint: "pass the whole quote as the TEE produced it (0x-hex, or the JSON of verify-quote --json)",
      ...options,
    });
  }
}

interface QuoteHeader {
  version: number;
  attestationKeyType: number;
  teeType: number;
  qeSvn: number;
  pceSvn: number;
  qeVendorId: Uint8Array;
  userData: Uint8Array;
}

interface QuoteSignatureData {
  /** r ‖ s over sha256(quote[0:632]). */
  signature: Uint8Array;
  /** Uncompressed P-256 key without prefix: x ‖ y. */
  attestationKey: Uint8Array;
  certificationDataType: number;
  certificationData: Uint8Array;
  /** Present when the certification data is a QE report (type 6). */
  qeReport?: {
    report: Uint8Array;
    signature: Uint8Array;
    authData: Uint8Array;
    innerType: number;
    inner: Uint8Array;
  };
}

export interface ParsedQuote {
  header: QuoteHeader;
  body: Td10Body;
  /** Bytes covered by the quote signature (header ‖ body). */
  signedBytes: Uint8Array;
  signatureData: QuoteSignatureData;
  /** Bytes after the signature data (zero padding in real quotes; none in simulated ones). */
  trailingBytes: number;
  raw: Uint8Array;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw new QuoteFormatError(what);
}

export function parseQuote(raw: Uint8Array): ParsedQuote {
  need(
    raw.length >= SIG_DATA_OFFSET + 128,
    `quote is ${raw.length} bytes; a TDX v4 quote has at least ${SIG_DATA_OFFSET + 128}`,
  );
  const dv = view(raw);
  const header: QuoteHeader = {
    version: dv.getUint16(HEADER.version, true),
    attestationKeyType: dv.getUint16(HEADER.attestationKeyType, true),
    teeType: dv.getUint32(HEADER.teeType, true),
    qeSvn: dv.getUint16(HEADER.qeSvn, true),
    pceSvn: dv.getUint16(HEADER.pceSvn, true),
    qeVendorId: raw.slice(HEADER.qeVendorId, HEADER.qeVendorId + 16),
    userData: raw.slice(HEADER.userData, HEADER.userData + 20),
  };
  need(header.version === QUOTE_VERSION, `quote version is ${header.version}; only version 4 is supported`);
  need(
    header.attestationKeyType === ATT_KEY_TYPE_ECDSA_P256,
    `attestation key type is ${header.attestationKeyType}; expected 2 (ECDSA-P256)`,
  );
  need(header.teeType === TEE_TYPE_TDX, `TEE type is 0x${header.teeType.toString(16)}; expected 0x81 (TDX)`);

  const body = splitTd10Body(raw.subarray(HEADER_LEN, HEADER_LEN + TD10_BODY_LEN));

  const sigLen = dv.getUint32(SIGNED_LEN, true); // u32 LE, right after the signed region
  need(
    raw.length >= SIG_DATA_OFFSET + sigLen,
    `signature data length says ${sigLen} bytes but only ${raw.length - SIG_DATA_OFFSET} follow: the quote is truncated`,
  );
  // Real quotes (dstack's among them) may carry zero padding after the signature data.
  const trailingBytes = raw.length - SIG_DATA_OFFSET - sigLen;
  const sig = raw.subarray(SIG_DATA_OFFSET, SIG_DATA_OFFSET + sigLen);
  const signatureData: QuoteSignatureData = {
    signature: sig.slice(0, 64),
    attestationKey: sig.slice(64, 128),
    certificationDataType: 0,
    certificationData: new Uint8Array(0),
  };
  if (sig.length >= 134) {
    const sdv = view(sig);
    signatureData.certificationDataType = sdv.getUint16(128, true);
    const certLen = sdv.getUint32(130, true);
    need(134 + certLen <= sig.length, `certification data length ${certLen} overruns the quote`);
    signatureData.certificationData = sig.slice(134, 134 + certLen);
    if (signatureData.certificationDataType === CERT_DATA_QE_REPORT) {
      signatureData.qeReport = parseQeReportCertData(signatureData.certificationData);
    }
  }
  return { header, body, signedBytes: raw.slice(0, SIGNED_LEN), signatureData, trailingBytes, raw };
}

function parseQeReportCertData(c: Uint8Array): NonNullable<QuoteSignatureData["qeReport"]> {
  need(c.length >= QE_REPORT_LEN + 64 + 2, "QE report certification data is too short");
  const dv = view(c);
  const authLen = dv.getUint16(QE_REPORT_LEN + 64, true);
  let p = QE_REPORT_LEN + 64 + 2;
  need(p + authLen + 6 <= c.length, "QE authentication data overruns the certification data");
  const authData = c.slice(p, p + authLen);
  p += authLen;
  const innerType = dv.getUint16(p, true);
  const innerLen = dv.getUint32(p + 2, true);
  need(p + 6 + innerLen <= c.length, "inner certification data overruns the QE report data");
  return {
    report: c.slice(0, QE_REPORT_LEN),
    signature: c.slice(QE_REPORT_LEN, QE_REPORT_LEN + 64),
    authData,
    innerType,
    inner: c.slice(p + 6, p + 6 + innerLen),
  };
}
