/**
 * Length hiding for the parties' sealed inputs (DESIGN.md §8). A sealed input's length is public
 * — it is calldata and it is in the deal's event — and HPKE adds a fixed overhead, so the length
 * of the JSON inside is public too. JSON writes a wei amount with exactly as many digits as it
 * has, so an unpadded input tells the other party its budget's or floor's order of magnitude
 * (a 19-digit budget is under 10 ETH): a reservation value inferred without ever being shown.
 *
 * The JSON is padded with trailing spaces — JSON whitespace, which every reader parses away, so
 * the schemas, the oracle and the protocol are unchanged and inputs sealed before still open —
 * first as if every reservation value had the 78 digits of a uint256, then up to a multiple of
 * PAD_BLOCK bytes, which also blurs the other fields' lengths. The padded length is then the same
 * whatever the reservation values are. Hand-written: no library pads JSON for length hiding.
 * Dependency-free, so the viem entry seals the same bytes as the ethers one.
 */

/** The digits of the largest uint256: every reservation value is padded as if it had as many. */
export const RESERVATION_DIGITS = 78;
/** The padded JSON is a multiple of this many bytes. */
export const PAD_BLOCK = 64;

const scoped = (v: unknown): string[] =>
  v !== null && typeof v === "object" ? Object.values(v).filter((x) => typeof x === "string") : [];

/**
 * The reservation values in a party's input (DESIGN.md §8): the buyer's budget and per-scope
 * budgets, the seller's floor and per-scope floors. A posted price is public and not among them.
 */
export function reservationValues(role: "buyer" | "seller", input: object): string[] {
  const [one, byScope] =
    role === "buyer" ? ["budgetWei", "budgetByScopeWei"] : ["floorWei", "floorByScopeWei"];
  const fields = input as Record<string, unknown>;
  const v = fields[one!];
  return [...(typeof v === "string" ? [v] : []), ...scoped(fields[byScope!])];
}

/**
 * `value` as UTF-8 JSON padded with trailing spaces: to the length it would have were each of
 * `reservations` (decimal strings inside it) RESERVATION_DIGITS long, then to a PAD_BLOCK multiple.
 */
export function lengthHidingJson(value: unknown, reservations: readonly string[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(value));
  const widened = reservations.reduce((n, r) => n + Math.max(0, RESERVATION_DIGITS - r.length), json.length);
  const target = Math.ceil(widened / PAD_BLOCK) * PAD_BLOCK;
  const out = new Uint8Array(target).fill(0x20);
  out.set(json);
  return out;
}
