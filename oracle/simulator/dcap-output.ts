/**
 * The verified output of a DCAP verifier, Automata v1.1 layout (DESIGN.md §4):
 * version u16 BE ‖ body type u16 BE ‖ TCB status u8 ‖ FMSPC (6) ‖ TD10 body (584) ‖ advisories.
 */
import { BODY_TYPE_TD10, OUTPUT, OUTPUT_MIN_LEN, TD10_BODY_LEN } from "../quote/layout.ts";
import { splitTd10Body, type Td10Body } from "../../sdk/src/quote-layout.ts";

export interface VerifierOutput {
  version: number;
  bodyType: number;
  tcbStatus: number;
  fmspc: Uint8Array;
  body: Td10Body;
  bodyBytes: Uint8Array;
}

export function buildVerifierOutput(
  body: Uint8Array,
  opts: {
    version?: number;
    bodyType?: number;
    tcbStatus?: number;
    fmspc?: Uint8Array;
    advisories?: Uint8Array;
  } = {},
): Uint8Array {
  if (body.length !== TD10_BODY_LEN)
    throw new Error(`a TD10 body is ${TD10_BODY_LEN} bytes; got ${body.length}`);
  const out = new Uint8Array(OUTPUT_MIN_LEN + (opts.advisories?.length ?? 0));
  const dv = new DataView(out.buffer);
  dv.setUint16(OUTPUT.version, opts.version ?? 4, false);
  dv.setUint16(OUTPUT.bodyType, opts.bodyType ?? BODY_TYPE_TD10, false);
  dv.setUint8(OUTPUT.tcbStatus, opts.tcbStatus ?? 0);
  out.set(opts.fmspc ?? new Uint8Array(6), OUTPUT.fmspc);
  out.set(body, OUTPUT.body);
  if (opts.advisories) out.set(opts.advisories, OUTPUT.advisories);
  return out;
}

export function parseVerifierOutput(out: Uint8Array): VerifierOutput {
  if (out.length < OUTPUT_MIN_LEN)
    throw new Error(`verifier output is ${out.length} bytes; at least ${OUTPUT_MIN_LEN} expected`);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const bodyBytes = out.slice(OUTPUT.body, OUTPUT.body + TD10_BODY_LEN);
  const body = splitTd10Body(bodyBytes);
  return {
    version: dv.getUint16(OUTPUT.version, false),
    bodyType: dv.getUint16(OUTPUT.bodyType, false),
    tcbStatus: dv.getUint8(OUTPUT.tcbStatus),
    fmspc: out.slice(OUTPUT.fmspc, OUTPUT.fmspc + 6),
    body,
    bodyBytes,
  };
}
