/**
 * Reads the FMSPC a quote's PCK certificate carries: the leaf of the PEM chain in the quote's
 * certification data (QE report → type 5), SGX extension 1.2.840.113741.1.13.1, item .4.
 * Parsing only, no trust: verify.ts (dcap-qvl) and the on-chain verifier check the chain.
 *
 * Invariant: returns exactly the 6 bytes in the certificate, or throws saying what is missing.
 */
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import * as asn1js from "asn1js";
import { CERT_DATA_PCK_CHAIN } from "./layout.ts";
import type { ParsedQuote } from "./reader.ts";
import { DealProofError } from "../../sdk/src/errors.ts";

const pckError = (message: string) =>
  new DealProofError("quote.bad_pck", message, {
    hint: "use a quote whose certification data carries the PCK certificate chain, as dstack's do",
  });

const SGX_EXTENSION = "1.2.840.113741.1.13.1";
const SGX_FMSPC = `${SGX_EXTENSION}.4`;

/** DER of the first certificate in the quote's PCK chain (the PCK leaf). */
function pckLeafDer(q: ParsedQuote): Uint8Array {
  const inner = q.signatureData.qeReport;
  if (inner === undefined || inner.innerType !== CERT_DATA_PCK_CHAIN)
    throw pckError("the quote carries no PCK certificate chain (certification data type 6 → 5 expected)");
  const pem = new TextDecoder().decode(inner.inner);
  const m = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(pem);
  if (m?.[1] === undefined) throw pckError("the quote's PCK chain holds no PEM certificate");
  return Uint8Array.from(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
}

/** The 6-byte FMSPC of the quote's PCK certificate. */
export function pckFmspc(q: ParsedQuote): Uint8Array {
  const cert = AsnConvert.parse(pckLeafDer(q), Certificate);
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === SGX_EXTENSION);
  if (ext === undefined) throw pckError(`the PCK certificate has no SGX extension (${SGX_EXTENSION})`);
  const parsed = asn1js.fromBER(ext.extnValue.buffer);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence))
    throw pckError("the PCK certificate's SGX extension is not a DER SEQUENCE");
  for (const item of parsed.result.valueBlock.value) {
    if (!(item instanceof asn1js.Sequence)) continue;
    const [oid, value] = item.valueBlock.value;
    if (oid instanceof asn1js.ObjectIdentifier && oid.valueBlock.toString() === SGX_FMSPC) {
      if (!(value instanceof asn1js.OctetString) || value.valueBlock.valueHexView.length !== 6)
        throw pckError("the PCK certificate's FMSPC is not a 6-byte OCTET STRING");
      return Uint8Array.from(value.valueBlock.valueHexView);
    }
  }
  throw pckError(`the PCK certificate's SGX extension has no FMSPC (${SGX_FMSPC})`);
}
