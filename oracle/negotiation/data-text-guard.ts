/**
 * The data-text guard (DESIGN §10, issue 23): it guards what an agent's messages say about the
 * DATA — no agent may become a channel for the seller's rows. The seller's policy releases check
 * results (pass/fail or rounded), the profile and the column names, never a row: so a message may
 * carry no field value or sample-row text the agent saw (`facts.samples`). This module collects
 * those values and finds them in text after normalising both sides — NFKC, case folded, accents,
 * zero-width and format characters removed — so other case, spacing, punctuation, letters spelled
 * one by one ("P-n-e-u m o n i a") and values split across an agent's messages (its messages so
 * far are read as one text) still match; a multi-word value (a name, a note) also matches by any
 * two of its words in a row and by each of its words of 8 or more letters. Numbers are the message rule's (message-rule.ts): no number but a quoted price,
 * in digits or words, so no count, score or query result gets through either. The replacement
 * (a built-in line) says nothing about the data. What no string match can stop — a paraphrase —
 * is bounded elsewhere: the message writer never sees the rows (releasedFacts) or any query
 * result (those stay in the judging conversation).
 */

/** The data-derived strings an agent saw and no policy releases, normalised (`compact`). */
export interface UnreleasedData {
  /** Values of 4+ characters, word pairs and long words of multi-word values: matched anywhere. */
  long: readonly string[];
  /** Values of 2–3 characters: matched as whole words only (a bare "of" inside "often" is no relay). */
  short: readonly string[];
}

/** Case-, accent- and invisible-character-folded text. */
function fold(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .normalize("NFKC")
    .replace(/\p{Cf}/gu, "")
    .toLowerCase();
}

/** Letters and digits only: spacing and punctuation cannot hide a value. */
const compact = (s: string) => fold(s).replace(/[^\p{L}\p{N}]/gu, "");

/** The words of a text, and its runs of single characters joined ("a c a t" → "acat"). */
function wordsAndRuns(s: string): { words: string[]; runs: string[] } {
  const words: string[] = [];
  const runs: string[] = [];
  let run = "";
  for (const w of fold(s).split(/[^\p{L}\p{N}]+/u)) {
    if (w === "") continue;
    if (w.length === 1) run += w;
    else {
      if (run !== "") runs.push(run);
      run = "";
      words.push(w);
    }
  }
  if (run !== "") runs.push(run);
  return { words, runs };
}

/** The words of a text, runs of single characters counted as one word. */
function wordsOf(s: string): string[] {
  const { words, runs } = wordsAndRuns(s);
  return [...words, ...runs];
}

/** Values too common to be a row's content (and that say nothing when they are). */
const STOP = new Set(["true", "false", "null", "none", "nan", "na", "yes", "no"]);

/** The fields of one sample line: JSON values (never keys: they are the released column names) or CSV cells. */
function fieldsOf(sample: string): string[] {
  const t = sample.trim();
  if (t.startsWith("{")) {
    const leaves = (v: unknown): string[] =>
      typeof v === "string" || typeof v === "number"
        ? [String(v)]
        : typeof v === "object" && v !== null
          ? Object.values(v).flatMap(leaves)
          : [];
    try {
      return leaves(JSON.parse(t));
    } catch {
      // a sample cut at its length limit: every quoted string that is not a key
      return [...t.matchAll(/"((?:[^"\\]|\\.)*)(?:"|$)(\s*:)?/g)].flatMap((m) => (m[2] ? [] : [m[1]!]));
    }
  }
  return t.split(",").map((f) => f.trim().replace(/^"|"$/g, ""));
}

/** The names the facts release (columns, profiled columns): never a relay. */
function releasedNames(facts: Readonly<Record<string, unknown>>): Set<string> {
  const names = new Set<string>();
  const columns = facts.columns;
  if (Array.isArray(columns)) for (const c of columns) if (typeof c === "string") names.add(compact(c));
  const profile = (facts.checks as { profile?: { columns?: { name?: unknown }[] } } | undefined)?.profile;
  for (const c of profile?.columns ?? []) if (typeof c.name === "string") names.add(compact(c.name));
  return names;
}

/** What of the data the agents saw that the policy does not release: the sample rows' fields. */
export function unreleasedData(facts: Readonly<Record<string, unknown>>): UnreleasedData {
  const samples = Array.isArray(facts.samples) ? facts.samples.filter((s) => typeof s === "string") : [];
  const released = releasedNames(facts);
  const long = new Set<string>();
  const short = new Set<string>();
  for (const field of samples.flatMap(fieldsOf)) {
    const c = compact(field);
    if (!/\p{L}/u.test(c) || STOP.has(c) || released.has(c)) continue; // numbers: the message rule's
    if (c.length >= 4) long.add(c);
    else if (c.length >= 2) short.add(c);
    // a multi-word value (a name, a free-text note): any two words in a row, and each long word
    const words = wordsOf(field);
    if (words.length < 2) continue;
    for (let i = 0; i + 2 <= words.length; i++) {
      const pair = words[i]! + words[i + 1]!;
      if (pair.length >= 6 && /\p{L}/u.test(pair)) long.add(pair);
    }
    for (const w of words) if (w.length >= 8 && /\p{L}/u.test(w)) long.add(w);
  }
  return { long: [...long], short: [...short] };
}

/**
 * True when `texts` — one agent's messages, in order, read as one text so that a value split
 * across them still shows — carry a value of `data`. Never says which.
 */
export function carriesData(texts: readonly string[], data: UnreleasedData): boolean {
  if (data.long.length === 0 && data.short.length === 0) return false;
  const all = compact(texts.join(" "));
  if (data.long.some((v) => all.includes(v))) return true;
  return texts.some((t) => {
    const { words, runs } = wordsAndRuns(t);
    // a short value as a word, or spelled out inside a run of single letters ("a c a t")
    return data.short.some((v) => words.includes(v) || runs.some((r) => r.includes(v)));
  });
}

/** The facts as a message writer may see them: without the sample rows no policy releases. */
export function releasedFacts(facts: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (!("samples" in facts)) return facts;
  return Object.fromEntries(Object.entries(facts).filter(([k]) => k !== "samples"));
}
