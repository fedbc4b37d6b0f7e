/**
 * The conformance run shared by test/quote/automata-conformance.test.ts and
 * `npm run conformance:automata`: a local EDR chain (Osaka, P-256 precompile at 0x100) started at
 * the collateral's time, Automata's verifier deployed and loaded, a real quote verified in a real
 * transaction, and DcapOutput's reading of Automata's output compared field by field with the
 * TypeScript quote reader (and dcap-qvl's TCB verdict) on the same quote bytes.
 *
 * Invariants: the output compared is the one the verification transaction emitted
 * (AttestationSubmitted), not a re-computation; a field "matches" only when both sides give the
 * same bytes; nothing here decides policy.
 */
import hre from "hardhat";
import { AbiCoder, getBytes, hexlify } from "ethers";
import type { DcapOutputFieldsHarness } from "../../types/ethers-contracts/test/harness/DcapOutputFieldsHarness.ts";
import { loadAutomataArtifacts } from "./artifacts.ts";
import {
  UPSTREAM_TCB_EVAL,
  UPSTREAM_TIMESTAMP,
  dstackCollateral,
  upstreamAsQvlCollateral,
  upstreamCollateral,
  type Hex,
} from "./collateral.ts";
import { deployAutomata, loadCollateral, type AutomataDeployment } from "./deploy.ts";
import { parseQuote } from "../../oracle/quote/reader.ts";
import { pckFmspc } from "../../oracle/quote/pck.ts";
import { verifyQuote } from "../../oracle/quote/verify.ts";
import { BODY_TYPE_TD10, OUTPUT_MIN_LEN, TCB_STATUS, TEE_TYPE_TDX } from "../../oracle/quote/layout.ts";
import { measurementId } from "../../sdk/src/measurement.ts";

type Connection = Awaited<ReturnType<typeof hre.network.create>>;

export interface Setup {
  connection: Connection;
  automata: AutomataDeployment;
  quote: Hex;
  /** dcap-qvl-shaped collateral and time for the off-chain verdict on the same quote. */
  qvl: { collateral: unknown; nowSeconds: number };
  /** TCB evaluation data number to pass explicitly (undefined: the router's standard one). */
  explicitTcbEval: number | undefined;
}

/** Upstream's on-chain TDX test: chain at vm.warp(1749095100), 0625 collateral, its sample quote. */
export async function setUpUpstream(): Promise<Setup> {
  const artifacts = await loadAutomataArtifacts();
  const c = upstreamCollateral();
  const connection = await hre.network.create({
    override: { initialDate: new Date(UPSTREAM_TIMESTAMP * 1000) },
  });
  const [admin] = await connection.ethers.getSigners();
  const automata = await deployAutomata(artifacts, admin!, c, UPSTREAM_TCB_EVAL);
  await loadCollateral(automata, {
    platformCrlDer: c.platformCrlDer,
    qeIdentity: c.tdQeIdentity,
    tcbInfo: c.tdxTcbInfo,
    tcbEvalData: c.tdxTcbEval,
  });
  return {
    connection,
    automata,
    quote: c.quote,
    qvl: { collateral: upstreamAsQvlCollateral(c), nowSeconds: UPSTREAM_TIMESTAMP },
    explicitTcbEval: undefined,
  };
}

/**
 * The dstack fixture: chain at 2026-03-01, upstream's certificates (the fixture's issuer chains
 * are the same Intel root, platform CA and TCB signing CA), the fixture's CRLs, QE identity and
 * TCB info. dcap-qvl's collateral has no TCB evaluation data numbers document, so the router
 * has no "standard" number: verification passes the documents' number (18) explicitly.
 */
export async function setUpDstack(): Promise<Setup> {
  const artifacts = await loadAutomataArtifacts();
  const up = upstreamCollateral();
  const c = dstackCollateral();
  const connection = await hre.network.create({ override: { initialDate: new Date(c.pinnedNow * 1000) } });
  const [admin] = await connection.ethers.getSigners();
  const automata = await deployAutomata(artifacts, admin!, { ...up, rootCrlDer: c.rootCrlDer }, c.tcbEval);
  await loadCollateral(automata, {
    platformCrlDer: c.platformCrlDer,
    qeIdentity: c.qeIdentity,
    tcbInfo: c.tcbInfo,
  });
  return {
    connection,
    automata,
    quote: c.quote,
    qvl: { collateral: c.qvlCollateral, nowSeconds: c.pinnedNow },
    explicitTcbEval: c.tcbEval,
  };
}

export interface OnChainVerification {
  success: boolean;
  /** The output the transaction emitted: the verified output, or the failure reason. */
  output: Hex;
  gasUsed: bigint;
}

/** Verifies `quote` in a real transaction and reads the result from its AttestationSubmitted event. */
export async function verifyOnChain(s: Setup, quote: Hex = s.quote): Promise<OnChainVerification> {
  const a = s.automata.attestation;
  const tx = (await (s.explicitTcbEval === undefined
    ? a["verifyAndAttestOnChain(bytes)"]!(quote)
    : a["verifyAndAttestOnChain(bytes,uint32)"]!(quote, s.explicitTcbEval))) as {
    wait(): Promise<{ gasUsed: bigint; logs: readonly { topics: readonly string[]; data: string }[] } | null>;
  };
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("the verification transaction has no receipt");
  for (const log of receipt.logs) {
    const ev = a.interface.parseLog(log);
    if (ev?.name === "AttestationSubmitted") {
      // Automata's contract is compiled outside Hardhat (no TypeChain type): read its event by name
      const { success, output } = ev.args.toObject() as { success: boolean; output: Hex };
      return { success, output, gasUsed: receipt.gasUsed };
    }
  }
  throw new Error("the verification transaction emitted no AttestationSubmitted event");
}

interface FieldComparison {
  field: string;
  automata: string;
  reader: string;
  match: boolean;
}

export interface Comparison {
  fields: FieldComparison[];
  fieldsMatch: boolean;
  measurementIdMatches: boolean;
  measurementId: Hex;
  tcbStatus: string;
}

/**
 * DcapOutput.parse and the raw fields at DcapOutput's offsets (through `harness`, a
 * DcapOutputFieldsHarness) of Automata's real output, against parseQuote / pckFmspc /
 * measurementId / dcap-qvl on the quote bytes. Advisory ids after the body are compared too.
 */
export async function compareWithReader(
  harness: DcapOutputFieldsHarness,
  output: Hex,
  quote: Hex,
  qvl: Setup["qvl"],
): Promise<Comparison> {
  const q = parseQuote(getBytes(quote));
  const verdict = verifyQuote(getBytes(quote), qvl);
  const readerStatus = TCB_STATUS.indexOf(verdict.tcbStatus as (typeof TCB_STATUS)[number]);
  const v = await harness.parse(output);
  const raw = await harness.rawFields(output);
  const tail = getBytes(output).slice(OUTPUT_MIN_LEN);
  const advisories =
    tail.length === 0 ? [] : (AbiCoder.defaultAbiCoder().decode(["string[]"], tail)[0] as string[]);
  const tsMeasurement = measurementId(q.body);
  const b = q.body;
  const pairs: [string, unknown, unknown][] = [
    ["version", Number(v.version), q.header.version],
    // the reader accepts only v4 quotes of TEE type 0x81, whose body is a TD 1.0 report (type 2)
    ["bodyType", Number(v.bodyType), q.header.teeType === TEE_TYPE_TDX ? BODY_TYPE_TD10 : -1],
    ["tcbStatus", Number(v.tcbStatus), readerStatus],
    ["fmspc", v.fmspc, hexlify(pckFmspc(q))],
    ["tdAttributes", v.tdAttributes, hexlify(b.tdAttributes)],
    ["tdAttributes (raw)", raw.tdAttributes, hexlify(b.tdAttributes)],
    ["xfam", v.xfam, hexlify(b.xfam)],
    ["xfam (raw)", raw.xfam, hexlify(b.xfam)],
    ["mrTd", raw.mrTd, hexlify(b.mrTd)],
    ["mrConfigId", raw.mrConfigId, hexlify(b.mrConfigId)],
    ["rtMr0", raw.rtMr0, hexlify(b.rtMr0)],
    ["rtMr1", raw.rtMr1, hexlify(b.rtMr1)],
    ["rtMr2", raw.rtMr2, hexlify(b.rtMr2)],
    ["rtMr3", raw.rtMr3, hexlify(b.rtMr3)],
    ["reportData", `${v.reportDataLow}${v.reportDataHigh.slice(2)}`, hexlify(b.reportData)],
    ["reportData (raw)", raw.reportData, hexlify(b.reportData)],
    ["advisoryIds", advisories.join(","), verdict.advisoryIds.join(",")],
  ];
  const fields = pairs.map(([field, automata, reader]) => ({
    field,
    automata: String(automata),
    reader: String(reader),
    match: String(automata) === String(reader),
  }));
  return {
    fields,
    fieldsMatch: fields.every((f) => f.match),
    measurementIdMatches: v.measurementId === tsMeasurement,
    measurementId: tsMeasurement,
    tcbStatus: verdict.tcbStatus ?? "none",
  };
}
