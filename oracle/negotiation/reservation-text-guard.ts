/**
 * The reservation-value text guard (DESIGN §8): finds an agent's own reservation value (budget,
 * floor, posted price) in free text it wants to send, in any rendering a reader could turn back
 * into the amount — decimal ETH at any rounding or truncation, wei, gwei, finney, a percentage of
 * the escrow, English number words, with thousands separators, exponents, full-width digits or
 * zero-width characters in between. It guards text, not moves: it is the second line behind the
 * message rule (message-rule.ts), which decides which numbers a message may carry at all.
 *
 * Rule: every number in the text is read in every unit it could mean (its written unit, or ETH,
 * gwei and wei when none is written; a percentage only with "%"/"percent") and flagged when it
 * lies within 1 % of the value, or is a rounding of the value to the digits written that lies
 * within 5 % of it. The answer names the kind of rendering, never the value.
 */

const UNIT_WEI = {
  eth: 10n ** 18n,
  finney: 10n ** 15n,
  gwei: 10n ** 9n,
  wei: 1n,
} as const;
type Unit = keyof typeof UNIT_WEI | "percent";

const UNIT_WORDS: [RegExp, Unit][] = [
  [/^(?:eth|ether|ethers|Ξ)\b/i, "eth"],
  [/^(?:finney|milli-?ether|meth)\b/i, "finney"],
  [/^(?:gwei|giga-?wei|shannon|nano-?ether)\b/i, "gwei"],
  [/^wei\b/i, "wei"],
  [/^(?:%|per ?cent\b|pct\b)/i, "percent"],
];

/** An exact decimal: value = digits / 10^scale. */
interface Decimal {
  digits: bigint;
  scale: number;
}

export interface FoundNumber {
  value: Decimal;
  unit: Unit | null;
  /** "digits" or "words" */
  form: "digits" | "words";
}

const SMALL: Record<string, number> = {
  zero: 0,
  oh: 0,
  nought: 0,
  naught: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALE: Record<string, bigint> = {
  hundred: 100n,
  thousand: 1000n,
  million: 10n ** 6n,
  billion: 10n ** 9n,
  trillion: 10n ** 12n,
  quadrillion: 10n ** 15n,
  quintillion: 10n ** 18n,
};
const FRACTION: Record<string, [bigint, bigint]> = {
  half: [1n, 2n],
  halves: [1n, 2n],
  quarter: [1n, 4n],
  quarters: [1n, 4n],
  third: [1n, 3n],
  thirds: [1n, 3n],
  fifth: [1n, 5n],
  fifths: [1n, 5n],
  eighth: [1n, 8n],
  eighths: [1n, 8n],
  tenth: [1n, 10n],
  tenths: [1n, 10n],
  hundredth: [1n, 100n],
  hundredths: [1n, 100n],
  thousandth: [1n, 1000n],
  thousandths: [1n, 1000n],
};

/** Removes what hides digits from a regex: compatibility forms, zero-width and format characters. */
function normaliseText(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/\p{Cf}/gu, "")
    .replace(/[\u2212\u2012\u2013\u2014]/g, "-")
    .replace(/(?<![\d.,])0,(?=\d)/g, "0.") // "0,612" is a decimal comma, not a thousands group
    .replace(/(\d)[,_'\u00a0\u202f ](?=\d{3}(?!\d))/g, "$1") // thousands separators
    .replace(/(\d)[,_'\u00a0\u202f ](?=\d{3}(?!\d))/g, "$1"); // (twice: overlapping groups)
}

function decimalFrom(intPart: string, fracPart: string, exp: number): Decimal {
  const digits = BigInt((intPart || "0") + fracPart);
  let scale = fracPart.length - exp;
  let d = digits;
  if (scale < 0) {
    d = digits * 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits: d, scale };
}

function unitAfter(rest: string): Unit | null {
  const t = rest.replace(/^\s{0,2}/, "");
  for (const [re, u] of UNIT_WORDS) if (re.test(t)) return u;
  return null;
}

function numbersInDigits(text: string): FoundNumber[] {
  const out: FoundNumber[] = [];
  const re = /(?<![\d.]|(?!Ξ)\p{L})(\d*)(?:[.,](\d+))?(?:e([-+]?\d{1,3}))?(?!\d)/giu;
  for (const m of text.matchAll(re)) {
    const [whole, int = "", frac = "", exp] = m;
    if (whole === "" || (int === "" && frac === "")) continue;
    const after = text.slice(m.index + whole.length, m.index + whole.length + 16);
    const before = text.slice(Math.max(0, m.index - 2), m.index);
    let unit = unitAfter(after);
    // a letter right after the digits is part of a word ("4u", "2nd") unless it starts a unit
    if (unit === null && /^\p{L}/u.test(after)) continue;
    if (unit === null && /Ξ\s?$/.test(before)) unit = "eth";
    out.push({ value: decimalFrom(int, frac, exp === undefined ? 0 : Number(exp)), unit, form: "digits" });
  }
  // "0.6" written with a space or "point": "0 . 6", "0 point 6"
  for (const m of text.matchAll(
    /(?<![\p{L}\d])(\d+)\s*(?:\.\s+|\s+\.\s*|\s+point\s+)(\d+)(?![\p{L}\d])/giu,
  )) {
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 16);
    out.push({ value: decimalFrom(m[1]!, m[2]!, 0), unit: unitAfter(after), form: "digits" });
  }
  return out;
}

/** English number words: "zero point six one", "six hundred and twelve", "three quarters". */
function numbersInWords(text: string): FoundNumber[] {
  const out: FoundNumber[] = [];
  const words = [...text.toLowerCase().matchAll(/[a-z]+|\d+|%|Ξ/g)];
  let i = 0;
  while (i < words.length) {
    const start = i;
    let total = 0n;
    let current = 0n;
    let seen = false;
    let frac = "";
    let fraction: [bigint, bigint] | null = null;
    let extra: [bigint, bigint] | null = null;
    for (; i < words.length; i++) {
      const w = words[i]![0];
      if (w in SMALL) {
        current += BigInt(SMALL[w]!);
        seen = true;
      } else if (w in SCALE && seen) {
        const s = SCALE[w]!;
        if (s === 100n) current = (current === 0n ? 1n : current) * 100n;
        else {
          total += (current === 0n ? 1n : current) * s;
          current = 0n;
        }
      } else if (
        w === "and" &&
        seen &&
        /^an?$/.test(words[i + 1]?.[0] ?? "") &&
        (words[i + 2]?.[0] ?? "") in FRACTION
      ) {
        extra = FRACTION[words[i + 2]![0]]!;
        i += 3;
        break;
      } else if (w === "and" && seen) continue;
      else if ((w === "a" || w === "an") && !seen && words[i + 1]?.[0] && words[i + 1]![0] in FRACTION) {
        current = 1n;
        seen = true;
      } else if (w in FRACTION && seen) {
        fraction = FRACTION[w]!;
        i++;
        break;
      } else if ((w === "point" || w === "dot") && seen) {
        i++;
        while (i < words.length && words[i]![0] in SMALL && SMALL[words[i]![0]]! < 10) {
          frac += String(SMALL[words[i]![0]]!);
          i++;
        }
        break;
      } else break;
    }
    if (!seen) {
      i = start + 1;
      continue;
    }
    const whole = total + current;
    const after = text
      .toLowerCase()
      .slice(words[Math.min(i, words.length) - 1]!.index + words[Math.min(i, words.length) - 1]![0].length)
      .slice(0, 16);
    const unit = unitAfter(after);
    if (fraction !== null || extra !== null) {
      // "three quarters" = 3 × 1/4; "one and a half" = 1 + 1/2
      const value =
        fraction !== null
          ? (whole * fraction[0] * 10n ** 6n) / fraction[1]
          : whole * 10n ** 6n + (extra![0] * 10n ** 6n) / extra![1];
      out.push({ value: { digits: value, scale: 6 }, unit, form: "words" });
    } else out.push({ value: decimalFrom(whole.toString(), frac, 0), unit, form: "words" });
    if (i === start) i++;
  }
  return out;
}

export function findNumbers(text: string): FoundNumber[] {
  const t = normaliseText(text);
  return [...numbersInDigits(t), ...numbersInWords(t)];
}

/** |a − b| ≤ tol, all as exact rationals scaled to 10^-24 wei. */
const SCALE_FIX = 24;
const toFixed = (wei: bigint) => wei * 10n ** BigInt(SCALE_FIX);

function candidatesWei(
  n: FoundNumber,
  escrowWei: bigint,
): { kind: string; fixed: bigint; halfUlp: bigint }[] {
  const { digits, scale } = n.value;
  const den = 10n ** BigInt(scale);
  const units: Unit[] = n.unit === null ? ["eth", "gwei", "wei"] : [n.unit];
  return units.map((u) => {
    // value in wei × 10^SCALE_FIX, and half of the last written digit in the same scale
    const perUnit = u === "percent" ? escrowWei : UNIT_WEI[u];
    const div = u === "percent" ? 100n : 1n;
    const fixed = (digits * perUnit * 10n ** BigInt(SCALE_FIX)) / (den * div);
    const halfUlp = (perUnit * 10n ** BigInt(SCALE_FIX)) / (2n * den * div);
    const kind =
      u === "percent" ? "a percentage of the escrow" : `${n.form === "words" ? "words" : "a number"} in ${u}`;
    return { kind, fixed, halfUlp };
  });
}

export interface Disclosure {
  /** What kind of rendering was found, e.g. "a number in eth". Never the value. */
  kind: string;
}

/** The first rendering of `reservationWei` found in `text`, or undefined. */
export function findDisclosure(
  text: string,
  reservationWei: bigint,
  escrowWei: bigint,
): Disclosure | undefined {
  if (reservationWei <= 0n) return undefined;
  const r = toFixed(reservationWei);
  const near = r / 100n; // 1 %
  const roundingCap = r / 20n; // 5 %
  for (const n of findNumbers(text)) {
    for (const c of candidatesWei(n, escrowWei)) {
      const diff = c.fixed > r ? c.fixed - r : r - c.fixed;
      // within 1 %, or a rounding/truncation to the digits written (within one unit of the last
      // digit) that is still within 5 % of the value
      const ulp = 2n * c.halfUlp;
      if (diff <= near || (diff <= ulp && diff <= roundingCap)) return { kind: c.kind };
    }
  }
  return undefined;
}
