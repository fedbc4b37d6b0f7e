/**
 * The message rule: it guards the numbers in an agent's messages (its moves' notes and its
 * walk-away reason), enforced in code whatever the agent writes. A message may contain no number
 * other than a price the engine quoted in the transcript so far (read as ETH), and is capped in
 * length. A message that breaks it is replaced by a built-in line, silently: no refusal or retry
 * reaches the parties' transcript. The rule does not depend on any limit, so the replacement
 * cannot tell anyone anything. The reservation-value text guard (reservation-text-guard.ts) stays
 * as a second line of defence: with the quoted prices masked, no rendering of the sender's own
 * limit may remain.
 */
import { findDisclosure, findNumbers } from "./reservation-text-guard.ts";

const NOTE_MAX = 280;

const ETH = 10n ** 18n;

/** True when `text` names only numbers equal (in ETH) to one of `quotedWei`. */
function onlyQuotedNumbers(text: string, quotedWei: readonly bigint[]): boolean {
  for (const n of findNumbers(text)) {
    if (n.unit !== null && n.unit !== "eth") return false;
    const { digits, scale } = n.value;
    const den = 10n ** BigInt(scale);
    if ((digits * ETH) % den !== 0n) return false;
    const wei = (digits * ETH) / den;
    if (!quotedWei.includes(wei)) return false;
  }
  return true;
}

/** Masks every plain decimal that is a quoted price, for the second-line check. */
function maskQuoted(text: string, quotedWei: readonly bigint[]): string {
  return text.replace(/\d+(?:\.\d+)?/g, (s) => {
    const [i = "0", f = ""] = s.split(".");
    const wei = BigInt(i) * ETH + (f.length <= 18 ? BigInt((f + "0".repeat(18)).slice(0, 18)) : -1n);
    return quotedWei.includes(wei) ? "[price]" : s;
  });
}

/**
 * The message as it may be shown, or undefined when it must be replaced. `ownLimitsWei` are the
 * sender's own reservation values (second line only).
 */
export function acceptableNote(
  text: unknown,
  quotedWei: readonly bigint[],
  ownLimitsWei: readonly bigint[],
  escrowWei: bigint,
): string | undefined {
  if (typeof text !== "string") return undefined;
  const t = text.replace(/\s+/g, " ").trim();
  if (t === "" || t.length > NOTE_MAX) return undefined;
  if (!onlyQuotedNumbers(t, quotedWei)) return undefined;
  const masked = maskQuoted(t, quotedWei);
  for (const limit of ownLimitsWei)
    if (findDisclosure(masked, limit, escrowWei) !== undefined) return undefined;
  return t;
}
