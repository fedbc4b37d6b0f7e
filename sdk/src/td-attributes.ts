/**
 * TD attributes policy (DESIGN.md §4, normative; the same masks as contracts/lib/TdPolicy.sol, the
 * same rule as @phala/dcap-qvl). Bytes as they appear in the TD report; bit n is bit (n % 8) of byte n / 8:
 * - TUD (byte 0, DEBUG = bit 0) must be 0: the host of a DEBUG TD can read its memory;
 * - SEC: reserved bits (bytes 1–2, bits 24–27) and bit 29 must be 0; SEPT_VE_DISABLE (bit 28) must be 1;
 * - OTHER: reserved bits (bytes 4–6, bits 56–62) must be 0. PKS (30), KL (31), PERFMON (63) are free.
 * Returns every failing bit by name, so a refusal says what to fix in the TD configuration.
 */
export interface TdAttributesCheck {
  ok: boolean;
  /** One line per failing bit, e.g. "bit 0 DEBUG is set (a debug TD exposes its memory to the host)". */
  problems: string[];
}

const NAMED: Record<number, string> = {
  0: "DEBUG",
  28: "SEPT_VE_DISABLE",
  29: "reserved SEC bit 29",
};

function bitName(bit: number): string {
  if (NAMED[bit] !== undefined) return NAMED[bit];
  if (bit < 8) return `TUD reserved bit ${bit}`;
  if (bit < 32) return `SEC reserved bit ${bit}`;
  return `OTHER reserved bit ${bit}`;
}

/**
 * The policy's masks exactly as contracts/lib/TdPolicy.sol holds them: the 8 bytes read as one
 * big-endian u64 (byte 0 most significant). test/contracts/constants-parity.test.ts compares them.
 */
export const TD_ATTRIBUTES_MUST_BE_CLEAR = 0xffffff2fffffff7fn;
export const TD_ATTRIBUTES_MUST_BE_SET = 0x0000001000000000n;

/** Whether `mask` holds bit `bit` of the bytes (bit n = bit n % 8 of byte n / 8). */
const inMask = (mask: bigint, bit: number) =>
  ((mask >> BigInt((7 - (bit >> 3)) * 8 + (bit & 7))) & 1n) === 1n;

export function checkTdAttributes(tdAttributes: Uint8Array): TdAttributesCheck {
  if (tdAttributes.length !== 8) {
    return { ok: false, problems: [`TD attributes are 8 bytes; got ${tdAttributes.length}`] };
  }
  const problems: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    const set = ((tdAttributes[bit >> 3]! >> (bit & 7)) & 1) === 1;
    if (!set && inMask(TD_ATTRIBUTES_MUST_BE_SET, bit))
      problems.push(`bit ${bit} ${bitName(bit)} is clear (it must be set)`);
    else if (set && inMask(TD_ATTRIBUTES_MUST_BE_CLEAR, bit))
      problems.push(
        bit === 0
          ? "bit 0 DEBUG is set (a debug TD exposes its memory to the host)"
          : `bit ${bit} ${bitName(bit)} is set (it must be clear)`,
      );
  }
  return { ok: problems.length === 0, problems };
}
