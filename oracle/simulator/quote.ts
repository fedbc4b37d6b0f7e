/**
 * Builds TDX v4 quotes in the production layout, signed with ECDSA-P256 — the embedded
 * simulator's quote generator (DESIGN.md §5). Hand-written: no library produces TDX quotes
 * outside real hardware. Signatures are low-s, as OpenZeppelin's P256 (on-chain) requires.
 */
import { p256 } from "@noble/curves/p256";
import { sha256 } from "@noble/hashes/sha2";
import {
  ATT_KEY_TYPE_ECDSA_P256,
  CERT_DATA_PCK_CHAIN,
  CERT_DATA_QE_REPORT,
  HEADER,
  HEADER_LEN,
  QE_REPORT_LEN,
  QUOTE_VERSION,
  SIGNED_LEN,
  TD10,
  TD10_BODY_LEN,
  TEE_TYPE_TDX,
  type Td10Field,
} from "../quote/layout.ts";

/** Intel's QE vendor id, as in real quotes. */
const INTEL_QE_VENDOR_ID = Uint8Array.from(Buffer.from("939a7233f79c4ca9940a0db3957f0607", "hex"));

export interface QuoteKeys {
  /** P-256 private key of the attestation key (what SimulatedDcapVerifier's owner registers). */
  attestationPrivateKey: Uint8Array;
  /** P-256 private key that signs the QE report (stands in for the PCK key). */
  pckPrivateKey: Uint8Array;
}

export interface BuildQuoteInput {
  body: Partial<Record<Td10Field, Uint8Array>>;
  keys: QuoteKeys;
  /** PEM chain placed in the inner certification data (type 5). */
  pckCertChainPem?: string;
  qeAuthData?: Uint8Array;
  /** Identity fields of the QE report (all zero when absent). */
  qeReport?: QeReportFields;
}

/** The SGX report fields of the quoting enclave that a QE identity document pins. */
interface QeReportFields {
  cpuSvn: Uint8Array;
  miscSelect: number;
  attributes: Uint8Array;
  mrSigner: Uint8Array;
  isvProdId: number;
  isvSvn: number;
}

/** x ‖ y of a P-256 private key's public key (64 bytes). */
export function p256PublicKeyXY(privateKey: Uint8Array): Uint8Array {
  return p256.getPublicKey(privateKey, false).slice(1);
}

function signP256(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  return p256.sign(sha256(message), privateKey, { lowS: true }).toCompactRawBytes();
}

export function buildTd10Body(fields: Partial<Record<Td10Field, Uint8Array>>): Uint8Array {
  const body = new Uint8Array(TD10_BODY_LEN);
  for (const [name, value] of Object.entries(fields) as [Td10Field, Uint8Array][]) {
    const [off, len] = TD10[name];
    if (value.length > len) throw new Error(`TD report field ${name} is ${len} bytes; got ${value.length}`);
    body.set(value, off);
  }
  return body;
}

function u16le(n: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n, true);
  return b;
}
function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
function cat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** A QE report (SGX report body) whose report_data binds the attestation key, signed by the PCK key. */
function qeReportCertData(attKey: Uint8Array, input: BuildQuoteInput): Uint8Array {
  const authData = input.qeAuthData ?? new Uint8Array(32);
  const report = new Uint8Array(QE_REPORT_LEN);
  const qe = input.qeReport;
  if (qe) {
    // SGX report body: cpuSvn 0, miscSelect 16 (u32 LE), attributes 48, mrSigner 128,
    // isvProdId 256 (u16 LE), isvSvn 258 (u16 LE)
    report.set(qe.cpuSvn, 0);
    report.set(u32le(qe.miscSelect), 16);
    report.set(qe.attributes, 48);
    report.set(qe.mrSigner, 128);
    report.set(u16le(qe.isvProdId), 256);
    report.set(u16le(qe.isvSvn), 258);
  }
  report.set(sha256(cat(attKey, authData)), 320); // report_data[0:32]; [32:64] stay zero
  const reportSig = signP256(input.keys.pckPrivateKey, report);
  const pem = new TextEncoder().encode(input.pckCertChainPem ?? "");
  return cat(
    report,
    reportSig,
    u16le(authData.length),
    authData,
    u16le(CERT_DATA_PCK_CHAIN),
    u32le(pem.length),
    pem,
  );
}

export function buildQuote(input: BuildQuoteInput): Uint8Array {
  const header = new Uint8Array(HEADER_LEN);
  const hv = new DataView(header.buffer);
  hv.setUint16(HEADER.version, QUOTE_VERSION, true);
  hv.setUint16(HEADER.attestationKeyType, ATT_KEY_TYPE_ECDSA_P256, true);
  hv.setUint32(HEADER.teeType, TEE_TYPE_TDX, true);
  header.set(INTEL_QE_VENDOR_ID, HEADER.qeVendorId);
  const signed = cat(header, buildTd10Body(input.body));
  if (signed.length !== SIGNED_LEN) throw new Error("internal: signed region length");

  const attKey = p256PublicKeyXY(input.keys.attestationPrivateKey);
  const cert = qeReportCertData(attKey, input);
  const sigData = cat(
    signP256(input.keys.attestationPrivateKey, signed),
    attKey,
    u16le(CERT_DATA_QE_REPORT),
    u32le(cert.length),
    cert,
  );
  return cat(signed, u32le(sigData.length), sigData);
}
