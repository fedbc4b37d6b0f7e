/**
 * JSON sealed with HPKE to an X25519 key and bound to a context — the one mechanism behind the
 * parties' sealed inputs (DESIGN.md §6, inputs.ts) and the buyer's key delivery (DESIGN.md §3,
 * delivery.ts). The context is ABI-encoded behind a domain tag, keccak256(tag) ‖ fields, and used
 * as both HPKE `info` and `aad`, so bytes moved to another purpose, deal, contract or chain fail
 * to open. Invariants: opening trusts nothing in the bytes until they have opened, decoded as
 * strict UTF-8 and passed the caller's zod schema; failures are reported by kind (the caller
 * words its own error) and zod issues name fields and rules, never values (they are private).
 */
import { AbiCoder, keccak256, toUtf8Bytes, getBytes } from "ethers";
import type { z } from "zod";
import { hpkeOpen, hpkeSeal } from "./hpke.ts";
import { lengthHidingJson } from "./length-hiding.ts";
import { describeIssues } from "./zod-issues.ts";

/** `abi.encode(keccak256(tag), ...values)`: a fixed-width, domain-separated binding context. */
export function boundInfo(tag: string, types: readonly string[], values: readonly unknown[]): Uint8Array {
  return getBytes(
    AbiCoder.defaultAbiCoder().encode(["bytes32", ...types], [keccak256(toUtf8Bytes(tag)), ...values]),
  );
}

/** What went wrong opening sealed JSON: another key or context, not UTF-8 JSON, or not the schema. */
export type OpenFailure =
  { kind: "cannot_open" } | { kind: "not_json" } | { kind: "invalid_schema"; issues: string };

/**
 * Seals `value` (already validated by the caller) as UTF-8 JSON, bound to `info`; with
 * `reservations` (a party's budget or floor, as written in `value`) the JSON is padded so its
 * length does not tell them (length-hiding.ts).
 */
export function sealJson(
  publicKey: Uint8Array,
  info: Uint8Array,
  value: unknown,
  reservations?: readonly string[],
): Promise<Uint8Array> {
  const plain =
    reservations === undefined ? toUtf8Bytes(JSON.stringify(value)) : lengthHidingJson(value, reservations);
  return hpkeSeal(publicKey, info, info, plain);
}

/** Opens bytes sealed by `sealJson` with the same `info` and checks them against `schema`. */
export async function openJson<T>(
  privateKey: Uint8Array,
  info: Uint8Array,
  sealed: Uint8Array,
  schema: z.ZodType<T>,
): Promise<{ ok: true; value: T } | ({ ok: false } & OpenFailure)> {
  let plain: Uint8Array;
  try {
    plain = await hpkeOpen(privateKey, info, info, sealed);
  } catch {
    return { ok: false, kind: "cannot_open" };
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plain));
  } catch {
    return { ok: false, kind: "not_json" };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, kind: "invalid_schema", issues: describeIssues(parsed.error) };
  return { ok: true, value: parsed.data };
}
