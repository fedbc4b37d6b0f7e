/**
 * Intel collateral for Automata's on-chain PCCS, read from two places:
 * - upstream's own on-chain TDX test (`forge-test/`): the DER constants in PCCSSetupBase.sol and
 *   the test file, its sample TDX v4 quote, and the JSON assets in `assets/0625/`;
 * - the dstack fixture (`../shared/fixtures/tdx`), whose collateral is in `@phala/dcap-qvl`'s shape.
 *
 * Invariants: the strings handed to the DAOs are byte-for-byte what Intel signed (the PCCS checks
 * Intel's ECDSA signature over them), so a JSON member is taken only when re-serialising it gives
 * exactly the text in the file — anything else throws instead of guessing.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT, VENDOR_ROOT } from "./sources.ts";

export type Hex = `0x${string}`;

const FORGE_TEST = join(VENDOR_ROOT, "dcap-attestation", "evm", "forge-test");
export const DSTACK_FIXTURES = join(PROJECT_ROOT, "..", "shared", "fixtures", "tdx");

/** Upstream's pinned block time for its on-chain TDX test: `vm.warp(1749095100)` (2025-06-05T03:45:00Z). */
export const UPSTREAM_TIMESTAMP = 1749095100;
/** TCB evaluation data number of upstream's 0625 collateral (the versioned DAOs are deployed for it). */
export const UPSTREAM_TCB_EVAL = 17;

/** A signed PCS JSON document as the DAOs take it: the signed text and Intel's raw r‖s signature. */
export interface SignedJson {
  text: string;
  signature: Hex;
}

function hexConstant(source: string, pattern: RegExp, what: string): Hex {
  const m = pattern.exec(source);
  if (m?.[1] === undefined) throw new Error(`${what} not found in the vendored upstream test`);
  return `0x${m[1].toLowerCase()}`;
}

const constantIn = (source: string, name: string): Hex =>
  hexConstant(source, new RegExp(`bytes constant ${name}\\s*=\\s*hex"([0-9a-fA-F]+)"`), name);

/** Reads member `key` of a signed PCS JSON file as its exact text, plus the `signature` member. */
function signedJsonMember(file: string, key: string): SignedJson {
  const text = readFileSync(file, "utf8");
  const doc = JSON.parse(text) as Record<string, unknown>;
  const member = JSON.stringify(doc[key]);
  if (doc[key] === undefined || !text.includes(`"${key}":${member}`)) {
    throw new Error(
      `${file}: member "${key}" is missing or not in compact form; its signed bytes cannot be recovered`,
    );
  }
  if (typeof doc.signature !== "string") throw new Error(`${file}: no "signature" member`);
  return { text: member, signature: `0x${doc.signature}` };
}

export interface UpstreamCollateral {
  rootCaDer: Hex;
  platformCaDer: Hex;
  rootCrlDer: Hex;
  signingCaDer: Hex;
  platformCrlDer: Hex;
  tdxTcbInfo: SignedJson;
  tdQeIdentity: SignedJson;
  tdxTcbEval: SignedJson;
  /** The real TDX v4 quote of `testTDXQuoteV4OnChainAttestation`. */
  quote: Hex;
}

export function upstreamCollateral(): UpstreamCollateral {
  const setup = readFileSync(join(FORGE_TEST, "utils", "PCCSSetupBase.sol"), "utf8");
  const test = readFileSync(join(FORGE_TEST, "AutomataDcapOnChainAttestationTest.t.sol"), "utf8");
  const tdxTest = test.slice(test.indexOf("function testTDXQuoteV4OnChainAttestation"));
  const assets = join(FORGE_TEST, "assets", "0625");
  return {
    rootCaDer: constantIn(setup, "rootCaDer"),
    platformCaDer: constantIn(setup, "platformDer"),
    rootCrlDer: constantIn(setup, "rootCrlDer"),
    signingCaDer: constantIn(setup, "signingDer"),
    platformCrlDer: constantIn(test, "platformCrlDer"),
    tdxTcbInfo: signedJsonMember(join(assets, "tcbinfov3_00806f050000.json"), "tcbInfo"),
    tdQeIdentity: signedJsonMember(join(assets, "qe_td.json"), "enclaveIdentity"),
    tdxTcbEval: signedJsonMember(join(assets, "tdxtcbeval.json"), "tcbEvaluationDataNumbers"),
    quote: hexConstant(
      tdxTest,
      /sampleQuote\s*=\s*hex"([0-9a-fA-F]+)"/,
      "testTDXQuoteV4OnChainAttestation's sampleQuote",
    ),
  };
}

/** The dstack fixture's collateral (dcap-qvl shape) mapped onto what the PCCS DAOs take. */
export interface DstackCollateral {
  rootCrlDer: Hex;
  platformCrlDer: Hex;
  tcbInfo: SignedJson;
  qeIdentity: SignedJson;
  /** tcbEvaluationDataNumber both documents carry (the versioned DAOs must be deployed for it). */
  tcbEval: number;
  /** Issuer chains as PEM, to compare with the certificates upstream's set-up registers. */
  tcbInfoIssuerChain: string;
  pckCrlIssuerChain: string;
  quote: Hex;
  /** The fixture as dcap-qvl takes it, for the off-chain verdict on the same quote. */
  qvlCollateral: Record<string, string>;
  /** 2026-03-01T00:00:00Z, inside the collateral's validity window (fixtures README). */
  pinnedNow: number;
}

export function dstackCollateral(): DstackCollateral {
  const c = JSON.parse(
    readFileSync(join(DSTACK_FIXTURES, "dstack-getquote-collateral.json"), "utf8"),
  ) as Record<string, string>;
  const r = JSON.parse(readFileSync(join(DSTACK_FIXTURES, "dstack-getquote-response.json"), "utf8")) as {
    quote: string;
  };
  const need = (k: string): string => {
    const v = c[k];
    if (typeof v !== "string" || v === "") throw new Error(`dstack collateral has no "${k}"`);
    return v;
  };
  const tcbInfo = need("tcb_info");
  const qeIdentity = need("qe_identity");
  const tcbEval = (JSON.parse(tcbInfo) as { tcbEvaluationDataNumber: number }).tcbEvaluationDataNumber;
  const qeEval = (JSON.parse(qeIdentity) as { tcbEvaluationDataNumber: number }).tcbEvaluationDataNumber;
  if (tcbEval !== qeEval)
    throw new Error(`dstack collateral: TCB info eval ${tcbEval} ≠ QE identity eval ${qeEval}`);
  return {
    rootCrlDer: `0x${need("root_ca_crl")}`,
    platformCrlDer: `0x${need("pck_crl")}`,
    tcbInfo: { text: tcbInfo, signature: `0x${need("tcb_info_signature")}` },
    qeIdentity: { text: qeIdentity, signature: `0x${need("qe_identity_signature")}` },
    tcbEval,
    tcbInfoIssuerChain: need("tcb_info_issuer_chain"),
    pckCrlIssuerChain: need("pck_crl_issuer_chain"),
    quote: `0x${r.quote}`,
    qvlCollateral: c,
    pinnedNow: Math.floor(Date.parse("2026-03-01T00:00:00Z") / 1000),
  };
}

/** Upstream's 0625 TD collateral in the shape `@phala/dcap-qvl` takes, for the off-chain verdict on the same quote. */
export function upstreamAsQvlCollateral(c: UpstreamCollateral): Record<string, string> {
  const pem = (der: Hex) => new X509Certificate(Buffer.from(der.slice(2), "hex")).toString();
  const signingChain = pem(c.signingCaDer) + pem(c.rootCaDer);
  return {
    pck_crl_issuer_chain: pem(c.platformCaDer) + pem(c.rootCaDer),
    root_ca_crl: c.rootCrlDer.slice(2),
    pck_crl: c.platformCrlDer.slice(2),
    tcb_info_issuer_chain: signingChain,
    tcb_info: c.tdxTcbInfo.text,
    tcb_info_signature: c.tdxTcbInfo.signature.slice(2),
    qe_identity_issuer_chain: signingChain,
    qe_identity: c.tdQeIdentity.text,
    qe_identity_signature: c.tdQeIdentity.signature.slice(2),
  };
}
