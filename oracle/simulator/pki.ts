/**
 * A simulated Intel SGX/TDX provisioning PKI: a root CA, a PCK platform CA, a PCK leaf
 * certificate carrying the SGX extension (FMSPC, CPUSVN, PCESVN, ...), a TCB signing
 * certificate, both CRLs, and TCB info and QE identity documents signed like Intel's. Together
 * with a quote whose QE report is signed by the PCK key, this is a DCAP chain that
 * `@phala/dcap-qvl`'s `QuoteVerifier.newWithRootCa(root)` verifies exactly as it verifies a real
 * quote against Intel's root — the simulator's quotes can go through the real verification path.
 *
 * The X.509 structures come from @peculiar/asn1-x509; the SGX extension is encoded with asn1js.
 * Hand-written: only the choice of fields (Intel's PCK certificate profile) — no library issues
 * Intel-shaped provisioning certificates. Every signature is deterministic (RFC 6979, @noble), so
 * the same keys and dates give the same bytes, and a restarted simulator embeds the same chain.
 */
import { p256 } from "@noble/curves/p256";
import { sha256 } from "@noble/hashes/sha2";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CertificateList,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  RevokedCertificate,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertList,
  TBSCertificate,
  Time,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from "@peculiar/asn1-x509";
import * as asn1js from "asn1js";
import { X509Certificate } from "node:crypto";

const ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const PRIME256V1 = "1.2.840.10045.3.1.7";
const OID_CN = "2.5.4.3";
const OID_O = "2.5.4.10";
/** Intel's SGX extension and its fields (Intel SGX PCK Certificate and CRL Profile). */
const SGX_EXT = "1.2.840.113741.1.13.1";
const sgxOid = (suffix: string) => `${SGX_EXT}.${suffix}`;

/** Platform TCB the PCK certificate certifies and the TCB info's (single) level requires. */
export interface PlatformTcb {
  /** 16 SGX TCB component SVNs (the PCK certificate's CPUSVN). */
  cpuSvn: Uint8Array;
  pceSvn: number;
  /** 16 TDX TCB component SVNs (the TD report's TEE_TCB_SVN must be at least these). */
  teeTcbSvn: Uint8Array;
}

/** What the TD quoting enclave's report claims; the QE identity document must match it. */
export interface QeProfile {
  mrSigner: Uint8Array;
  isvProdId: number;
  isvSvn: number;
  miscSelect: number;
  /** 16 bytes; bit 1 of byte 0 (DEBUG) must be clear. */
  attributes: Uint8Array;
}

/** The collateral in the shape @phala/dcap-qvl's `verify` takes (as served by a PCCS). */
export interface DcapCollateral {
  pck_crl_issuer_chain: string;
  root_ca_crl: string;
  pck_crl: string;
  tcb_info_issuer_chain: string;
  tcb_info: string;
  tcb_info_signature: string;
  qe_identity_issuer_chain: string;
  qe_identity: string;
  qe_identity_signature: string;
}

export interface SimulatedPkiKeys {
  rootCa: Uint8Array;
  platformCa: Uint8Array;
  tcbSigning: Uint8Array;
  pck: Uint8Array;
}

export interface SimulatedPki {
  rootCaDer: Uint8Array;
  platformCaDer: Uint8Array;
  pckDer: Uint8Array;
  tcbSigningDer: Uint8Array;
  /** PCK leaf, platform CA, root CA: the PEM chain a quote embeds (certification data type 5). */
  pckChainPem: string;
  fmspc: Uint8Array;
  tcb: PlatformTcb;
  qe: QeProfile;
}

const DEFAULT_FMSPC = Uint8Array.from([0x90, 0xc0, 0x6f, 0, 0, 0]);
const DEFAULT_TCB: PlatformTcb = {
  cpuSvn: Uint8Array.from([3, 3, 2, 2, 2, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]),
  pceSvn: 13,
  teeTcbSvn: Uint8Array.from([5, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
};
const DEFAULT_QE: QeProfile = {
  mrSigner: sha256(new TextEncoder().encode("dealproof simulated TD quoting enclave signer")),
  isvProdId: 2,
  isvSvn: 4,
  miscSelect: 0,
  attributes: Uint8Array.from([0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
};
/** Certificates are valid over a fixed window so that their bytes never change. */
const CERT_NOT_BEFORE = new Date("2025-01-01T00:00:00Z");
const CERT_NOT_AFTER = new Date("2049-12-31T23:59:59Z");

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const toBytes = (ab: ArrayBuffer) => new Uint8Array(ab);
const copy = (b: Uint8Array) => Uint8Array.from(b).buffer;

function name(commonName: string): Name {
  const rdn = (type: string, value: string) =>
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) }),
    ]);
  return new Name([rdn(OID_CN, commonName), rdn(OID_O, "DealProof simulated TEE (not Intel)")]);
}

function spki(privateKey: Uint8Array): SubjectPublicKeyInfo {
  return new SubjectPublicKeyInfo({
    algorithm: new AlgorithmIdentifier({
      algorithm: EC_PUBLIC_KEY,
      parameters: new asn1js.ObjectIdentifier({ value: PRIME256V1 }).toBER(),
    }),
    subjectPublicKey: copy(p256.getPublicKey(privateKey, false)),
  });
}

const keyId = (privateKey: Uint8Array) => sha256(p256.getPublicKey(privateKey, false)).slice(0, 20);
const sigAlg = () => new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
/** DER ECDSA-SHA256 signature (X.509 and CRLs). */
const signDer = (key: Uint8Array, msg: Uint8Array) =>
  p256.sign(sha256(msg), key, { lowS: true }).toDERRawBytes();
/** r ‖ s hex ECDSA-SHA256 signature (TCB info, QE identity). */
const signRawHex = (key: Uint8Array, msg: Uint8Array) =>
  hex(p256.sign(sha256(msg), key, { lowS: true }).toCompactRawBytes());

function ext(id: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

interface CertSpec {
  serial: number;
  subject: string;
  subjectKey: Uint8Array;
  issuer: string;
  issuerKey: Uint8Array;
  ca: boolean;
  pathLen?: number;
  extra?: Extension[];
}

function issue(spec: CertSpec): Uint8Array {
  const extensions = [
    ext(
      id_ce_authorityKeyIdentifier,
      false,
      new AuthorityKeyIdentifier({
        keyIdentifier: new KeyIdentifier(keyId(spec.issuerKey)),
      }),
    ),
    ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(spec.subjectKey))),
    ext(
      id_ce_keyUsage,
      true,
      new KeyUsage(
        spec.ca
          ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign
          : KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation,
      ),
    ),
    ext(
      id_ce_basicConstraints,
      true,
      new BasicConstraints(
        spec.ca
          ? { cA: true, ...(spec.pathLen === undefined ? {} : { pathLenConstraint: spec.pathLen }) }
          : {},
      ),
    ),
    ...(spec.extra ?? []),
  ];
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: Uint8Array.from([spec.serial]).buffer,
    signature: sigAlg(),
    issuer: name(spec.issuer),
    validity: new Validity({ notBefore: CERT_NOT_BEFORE, notAfter: CERT_NOT_AFTER }),
    subject: name(spec.subject),
    subjectPublicKeyInfo: spki(spec.subjectKey),
    extensions: new Extensions(extensions),
  });
  const tbsDer = toBytes(AsnConvert.serialize(tbs));
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: sigAlg(),
    signatureValue: copy(signDer(spec.issuerKey, tbsDer)),
  });
  return toBytes(AsnConvert.serialize(cert));
}

/** Intel's SGX extension: SEQUENCE OF SEQUENCE { OID, value } with the TCB as a nested list. */
function sgxExtension(ppid: Uint8Array, fmspc: Uint8Array, tcb: PlatformTcb): Extension {
  const item = (oid: string, value: asn1js.AsnType) =>
    new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), value] });
  const octets = (b: Uint8Array) => new asn1js.OctetString({ valueHex: copy(b) });
  const tcbItems = [
    ...Array.from(tcb.cpuSvn, (svn, i) => item(sgxOid(`2.${i + 1}`), new asn1js.Integer({ value: svn }))),
    item(sgxOid("2.17"), new asn1js.Integer({ value: tcb.pceSvn })),
    item(sgxOid("2.18"), octets(tcb.cpuSvn)),
  ];
  const body = new asn1js.Sequence({
    value: [
      item(sgxOid("1"), octets(ppid)),
      item(sgxOid("2"), new asn1js.Sequence({ value: tcbItems })),
      item(sgxOid("3"), octets(Uint8Array.from([0, 0]))),
      item(sgxOid("4"), octets(fmspc)),
      item(sgxOid("5"), new asn1js.Enumerated({ value: 0 })),
    ],
  });
  return new Extension({ extnID: SGX_EXT, critical: false, extnValue: new OctetString(body.toBER()) });
}

/** PEM of a DER certificate (Node's X509Certificate writes it). */
const pem = (der: Uint8Array) => new X509Certificate(der).toString();

export function pkiFromKeys(
  keys: SimulatedPkiKeys,
  opts: { fmspc?: Uint8Array; tcb?: PlatformTcb; qe?: QeProfile } = {},
): SimulatedPki {
  const fmspc = opts.fmspc ?? DEFAULT_FMSPC;
  const tcb = opts.tcb ?? DEFAULT_TCB;
  if (fmspc.length !== 6) throw new Error("FMSPC is 6 bytes");
  if (tcb.cpuSvn.length !== 16 || tcb.teeTcbSvn.length !== 16) throw new Error("TCB SVN arrays are 16 bytes");
  const ROOT = "DealProof Simulated SGX Root CA";
  const PLATFORM = "DealProof Simulated SGX PCK Platform CA";
  const rootCaDer = issue({
    serial: 1,
    subject: ROOT,
    subjectKey: keys.rootCa,
    issuer: ROOT,
    issuerKey: keys.rootCa,
    ca: true,
  });
  const platformCaDer = issue({
    serial: 2,
    subject: PLATFORM,
    subjectKey: keys.platformCa,
    issuer: ROOT,
    issuerKey: keys.rootCa,
    ca: true,
    pathLen: 0,
  });
  const tcbSigningDer = issue({
    serial: 3,
    subject: "DealProof Simulated SGX TCB Signing",
    subjectKey: keys.tcbSigning,
    issuer: ROOT,
    issuerKey: keys.rootCa,
    ca: false,
  });
  const ppid = sha256(keys.pck).slice(0, 16);
  const pckDer = issue({
    serial: 4,
    subject: "DealProof Simulated SGX PCK Certificate",
    subjectKey: keys.pck,
    issuer: PLATFORM,
    issuerKey: keys.platformCa,
    ca: false,
    extra: [sgxExtension(ppid, fmspc, tcb)],
  });
  return {
    rootCaDer,
    platformCaDer,
    pckDer,
    tcbSigningDer,
    pckChainPem: pem(pckDer) + pem(platformCaDer) + pem(rootCaDer),
    fmspc,
    tcb,
    qe: opts.qe ?? DEFAULT_QE,
  };
}

function crl(
  issuerName: string,
  issuerKey: Uint8Array,
  thisUpdate: Date,
  nextUpdate: Date,
  revoked: number[],
): string {
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: sigAlg(),
    issuer: name(issuerName),
    thisUpdate: new Time(thisUpdate),
    nextUpdate: new Time(nextUpdate),
    ...(revoked.length === 0
      ? {}
      : {
          revokedCertificates: revoked.map(
            (serial) =>
              new RevokedCertificate({
                userCertificate: Uint8Array.from([serial]).buffer,
                revocationDate: new Time(thisUpdate),
              }),
          ),
        }),
  });
  const der = toBytes(AsnConvert.serialize(tbs));
  const list = new CertificateList({
    tbsCertList: tbs,
    signatureAlgorithm: sigAlg(),
    signature: copy(signDer(issuerKey, der)),
  });
  return hex(toBytes(AsnConvert.serialize(list)));
}

/** Intel writes MISCSELECT as its little-endian bytes in upper-case hex. */
function u32leHex(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b.toString("hex").toUpperCase();
}

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export interface CollateralOptions {
  /** Issue time of TCB info, QE identity and CRLs (default: now − 1 h). */
  issuedAt?: Date;
  /** Validity of those documents (default 30 days, as Intel's). */
  validForSeconds?: number;
  /** TCB status the platform's TCB level gets (default UpToDate). */
  tcbStatus?: string;
  advisoryIds?: string[];
  /** Serial numbers to list in the PCK CRL (the PCK leaf is serial 4, the platform CA 2). */
  revokedSerials?: number[];
  /** Sign documents for another platform or quoting enclave than the PKI's (to test refusals). */
  fmspc?: Uint8Array;
  tcb?: PlatformTcb;
  qe?: Partial<QeProfile>;
}

/** Signed TCB info, QE identity and CRLs for the PKI's platform, in dcap-qvl's collateral shape. */
export function simulatedCollateral(
  pki: SimulatedPki,
  keys: SimulatedPkiKeys,
  opts: CollateralOptions = {},
): DcapCollateral {
  const issued = opts.issuedAt ?? new Date(Date.now() - 3600_000);
  const fmspc = opts.fmspc ?? pki.fmspc;
  const tcb = opts.tcb ?? pki.tcb;
  const qe = { ...pki.qe, ...opts.qe };
  const next = new Date(issued.getTime() + (opts.validForSeconds ?? 30 * 86400) * 1000);
  const tcbInfo = JSON.stringify({
    id: "TDX",
    version: 3,
    issueDate: isoSeconds(issued),
    nextUpdate: isoSeconds(next),
    fmspc: hex(fmspc).toUpperCase(),
    pceId: "0000",
    tcbType: 0,
    tcbEvaluationDataNumber: 1,
    tcbLevels: [
      {
        tcb: {
          sgxtcbcomponents: Array.from(tcb.cpuSvn, (svn) => ({ svn })),
          pcesvn: tcb.pceSvn,
          tdxtcbcomponents: Array.from(tcb.teeTcbSvn, (svn) => ({ svn })),
        },
        tcbDate: isoSeconds(CERT_NOT_BEFORE),
        tcbStatus: opts.tcbStatus ?? "UpToDate",
        ...(opts.advisoryIds ? { advisoryIDs: opts.advisoryIds } : {}),
      },
    ],
  });
  const qeIdentity = JSON.stringify({
    id: "TD_QE",
    version: 2,
    issueDate: isoSeconds(issued),
    nextUpdate: isoSeconds(next),
    tcbEvaluationDataNumber: 1,
    miscselect: u32leHex(qe.miscSelect),
    miscselectMask: "FFFFFFFF",
    attributes: hex(qe.attributes).toUpperCase(),
    attributesMask: "FBFFFFFFFFFFFFFF0000000000000000",
    mrsigner: hex(qe.mrSigner).toUpperCase(),
    isvprodid: qe.isvProdId,
    tcbLevels: [{ tcb: { isvsvn: qe.isvSvn }, tcbDate: isoSeconds(CERT_NOT_BEFORE), tcbStatus: "UpToDate" }],
  });
  const enc = new TextEncoder();
  const tcbChain = pem(pki.tcbSigningDer) + pem(pki.rootCaDer);
  return {
    pck_crl_issuer_chain: pem(pki.platformCaDer) + pem(pki.rootCaDer),
    root_ca_crl: crl("DealProof Simulated SGX Root CA", keys.rootCa, issued, next, []),
    pck_crl: crl(
      "DealProof Simulated SGX PCK Platform CA",
      keys.platformCa,
      issued,
      next,
      opts.revokedSerials ?? [],
    ),
    tcb_info_issuer_chain: tcbChain,
    tcb_info: tcbInfo,
    tcb_info_signature: signRawHex(keys.tcbSigning, enc.encode(tcbInfo)),
    qe_identity_issuer_chain: tcbChain,
    qe_identity: qeIdentity,
    qe_identity_signature: signRawHex(keys.tcbSigning, enc.encode(qeIdentity)),
  };
}
