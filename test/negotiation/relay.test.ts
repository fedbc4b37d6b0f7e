/**
 * No relay of the seller's rows (DESIGN §10, issue 23): an agent that saw the sample rows and its
 * query results while judging tries to carry them to the other side through its messages — whole
 * rows, field values in other case, spacing, accents, full-width or zero-width characters, letters
 * spelled out, names split into words, values split across its messages, numbers in digits and
 * words, a query's result, a walk-away reason — and every attempt is replaced by a built-in line,
 * so the transcript the buyer sees holds none of them. The replacement does not depend on the
 * data: two deals whose rows differ give the same transcript. The same through ClaudeAgent and
 * the fake Messages API, whose message writer never even sees a row.
 */
import { expect } from "chai";
import { LINES, StrategyAgent } from "../../oracle/negotiation/strategy-agent.ts";
import { carriesData, unreleasedData } from "../../oracle/negotiation/data-text-guard.ts";
import type { PublicView, WriteView } from "../../oracle/negotiation/types.ts";
import type { Reply, Script } from "../../scripts/lib/fake-anthropic.ts";
import { checkedDeal, claudeDeal, run, ScriptedAgent, TERMS } from "./helpers.ts";

const COLUMNS = ["id", "diagnosis", "note", "ward", "score"];
/** Two datasets' sample rows (as the verified fetch reports them in `facts.samples`). */
const ROWS_A = [
  "1,pneumonia,Zoë Hartley-Smith reported mild fever,ICU,17.25",
  '2,bronchiectasis,"seen at St Mary\'s, ward B",OPD,23.5',
];
const ROWS_B = [
  "1,sarcoidosis,Omar Quintero-Vance reported dry cough,ENT,31.75",
  '2,pleurisy,"seen at Royal Free, bay C",GYN,44.5',
];
const factsOf = (rows: string[]) => ({
  sizeBytes: 4096,
  format: "csv",
  records: 2,
  columns: COLUMNS,
  samples: rows,
});

/** Row 1's fields as an agent reads them from its judging view. */
function fieldsSeen(v: PublicView) {
  const row = (v.facts.samples as string[])[0]!;
  const [, diagnosis, note, ward, score] = row.split(",") as [string, string, string, string, string];
  const name = note.split(" ").slice(0, 2).join(" "); // "Zoë Hartley-Smith"
  return { row, diagnosis, name, ward, score };
}
type Seen = ReturnType<typeof fieldsSeen>;

const spaced = (s: string) => s.toUpperCase().split("").join(" ");
const zeroWidth = (s: string) => s.split("").join("\u200b");
const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const altCase = (s: string) =>
  s
    .split("")
    .map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase()))
    .join("");
const accented = (s: string) => s.replace(/a/g, "á").replace(/o/g, "ö").replace(/e/g, "é");

/** Relay attempts: each a list of messages for the agent's own rounds, in order. */
const ATTEMPTS: [string, (s: Seen) => string[]][] = [
  ["the whole row", (s) => [`Row one reads: ${s.row}`]],
  ["a field value", (s) => [`The first case is ${s.diagnosis}, as you hoped.`]],
  ["upper case, spaced out", (s) => [`Label: ${spaced(s.diagnosis)}`]],
  [
    "alternating case, hyphenated",
    (s) => [`It says ${altCase(s.diagnosis.slice(0, 4))}-${altCase(s.diagnosis.slice(4))}.`],
  ],
  ["zero-width characters inside", (s) => [`Noted: ${zeroWidth(s.diagnosis)}.`]],
  ["full-width letters", (s) => [`Noted: ${fullWidth(s.diagnosis)}.`]],
  ["accents added", (s) => [`Noted: ${accented(s.diagnosis)}.`]],
  [
    "a name from a free-text field, without its accent",
    (s) => [`Ask ${s.name.normalize("NFKD").replace(/\p{M}/gu, "")} about it.`],
  ],
  ["a short code as spelled letters", (s) => [`Held in the ${s.ward.split("").join(". ")}. wing.`]],
  [
    "split across two messages",
    (s) => [`Label ${s.diagnosis.slice(0, 5)}`, `${s.diagnosis.slice(5)} confirmed.`],
  ],
  ["a number in digits", (s) => [`The score is ${s.score}.`]],
  ["a number in words", () => ["The score is seventeen point two five."]],
  ["a number split across messages", () => ["The score is seventeen point", "two five, to be exact."]],
];

const good = { walkAway: false, valueFactor: 1, terms: TERMS, message: "" };
const allLines = Object.values(LINES).flatMap((byRole) => Object.values(byRole).flat());
const isBuiltIn = (note: string) =>
  allLines.some((l) => l.split("{price}").every((part) => note.includes(part)));
const compact = (s: string) =>
  s
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .normalize("NFKC")
    .replace(/\p{Cf}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "");

/** A scripted agent that remembers what it saw while judging and relays it in its messages. */
function relaying(messages: (s: Seen) => string[], judgement: unknown = good) {
  let seen: Seen | undefined;
  return new ScriptedAgent(
    "relay",
    (v: PublicView) => {
      seen = fieldsSeen(v);
      return typeof judgement === "function" ? (judgement as (s: Seen) => unknown)(seen) : judgement;
    },
    (v: WriteView) => {
      const own = v.entries.filter((e) => e.role === v.role && e.note === undefined);
      const texts = messages(seen!);
      return Object.fromEntries(own.map((e, i) => [String(e.round), texts[i % texts.length]!]));
    },
  );
}

function expectNoneOf(transcriptJson: string, s: Seen) {
  const shown = compact(transcriptJson);
  for (const v of [s.diagnosis, s.name, "hartleysmith", "17.25", "seventeen", "icu", "twofive"])
    expect(shown, `the transcript carries ${v}`).to.not.include(compact(v));
}

describe("no relay: an agent's messages carry no row or field value of the data", () => {
  for (const [name, messages] of ATTEMPTS) {
    it(`${name}: replaced by a built-in line, and the same transcript whatever the rows were`, async () => {
      const a = await run(relaying(messages), new StrategyAgent(), { facts: factsOf(ROWS_A) });
      const b = await run(relaying(messages), new StrategyAgent(), { facts: factsOf(ROWS_B) });
      const own = a.transcript.filter((e) => e.role === "buyer");
      expect(own.length, "the buyer writes at least two messages").to.be.greaterThanOrEqual(2);
      for (const e of own) expect(isBuiltIn(e.note!), `"${e.note}" is a built-in line`).to.equal(true);
      expectNoneOf(a.transcriptJson, {
        row: "",
        diagnosis: "pneumonia",
        name: "Zoe Hartley",
        ward: "ICU",
        score: "17.25",
      });
      expect(a.transcriptJson, "the replacement does not depend on the rows").to.equal(b.transcriptJson);
    });
  }

  it("the guard reads JSON samples (values, never keys, also when cut short) and lets ordinary text pass", () => {
    const data = unreleasedData({
      columns: ["id", "label", "site"],
      samples: [
        '{"id":7,"label":"cat","site":"Grand Rapids clinic"}',
        '{"id":8,"label":"ICU","site":"Lake Tahoe annex","extra":{"tag":"zebra-crossing"}}',
        '{"id":9,"label":"dog","site":"Mount Shasta obser', // cut at the sample length limit
      ],
    });
    const says = (...texts: string[]) => carriesData(texts, data);
    for (const relay of [
      "It is a c a t.",
      "From Grand Rapids.",
      "the LAKE-tahoe annex",
      "Zebra crossing!",
      "Mount Shasta, as said.",
      "in the I.C.U.",
    ])
      expect(says(relay), relay).to.equal(true);
    expect(says("Grand", "Rapids is where")).to.equal(true); // split across two messages
    for (const ordinary of [
      "We can communicate about the picture.",
      "The label and site columns look complete.",
      "A dogged, fair offer from a grand team.",
      "Verified data, fairly described; noted.",
    ])
      expect(says(ordinary), ordinary).to.equal(false);
    expect(carriesData(["anything at all"], unreleasedData({ format: "binary" }))).to.equal(false);
  });

  it("a query's result relayed in digits or words is replaced too", async () => {
    const deal = await checkedDeal();
    try {
      let value = 0;
      const agent = new ScriptedAgent(
        "relay",
        async (v: PublicView) => {
          const a = await v.queryData!({ kind: "stat", column: "score", stat: "mean", min: 0 });
          value = "result" in a ? a.result.value! : NaN;
          return good;
        },
        (v: WriteView) =>
          Object.fromEntries(
            v.entries
              .filter((e) => e.role === "buyer")
              .map((e, i) => [
                String(e.round),
                [`The mean came back at ${value}.`, "Zero point five one, the mean."][i % 2]!,
              ]),
          ),
      );
      const r = await run(agent, new StrategyAgent(), { evidence: deal.evidence, queryData: deal.queryData });
      expect(value).to.equal(0.51);
      expect(r.transcript.filter((e) => e.role === "buyer").every((e) => isBuiltIn(e.note!))).to.equal(true);
      expect(r.transcriptJson).to.not.match(/0\.51|five one/i);
    } finally {
      await deal.close();
    }
  });

  it("a walk-away reason carrying a field value is replaced by the fixed reason", async () => {
    const r = await run(
      relaying(
        () => [],
        (s: Seen) => ({ ...good, walkAway: true, message: `Too much ${s.diagnosis}, we walk away.` }),
      ),
      new StrategyAgent(),
      { facts: factsOf(ROWS_A) },
    );
    expect(r.reason).to.equal(
      "the buyer walked away: The data does not fit our requirements, so we walk away.",
    );
    expect(r.transcriptJson + r.termsJson).to.not.include("pneumonia");
  });

  it("the seller's agent cannot relay its rows either, while column names and ordinary text pass", async () => {
    const r = await run(
      new ScriptedAgent("ok", good, (v: WriteView) =>
        Object.fromEntries(
          v.entries
            .filter((e) => e.role === "buyer")
            .map((e) => [String(e.round), "The diagnosis and ward columns look complete."]),
        ),
      ),
      relaying((s) => [`Our first row: ${s.row}`]),
      { facts: factsOf(ROWS_A) },
    );
    for (const e of r.transcript.filter((x) => x.role === "seller"))
      expect(isBuiltIn(e.note!)).to.equal(true);
    for (const e of r.transcript.filter((x) => x.role === "buyer"))
      expect(e.note).to.equal("The diagnosis and ward columns look complete.");
    expect(r.transcriptJson).to.not.include("pneumonia");
  });

  it("through ClaudeAgent: the writer never sees a row, and what the model remembers from judging is replaced", async () => {
    const deal = await checkedDeal();
    let remembered: string[] = [];
    const judge: Reply = {
      kind: "tool",
      name: "judge",
      input: { fit: "good", accessScope: "full", durationDays: 365, message: "" },
    };
    const script: Script = (req) => {
      const content = req.body.messages[0]!.content;
      if (req.body.tool_choice.name === "write_messages") {
        const rounds = (/each of your rounds: ([\d, ]+)\./.exec(content)?.[1] ?? "")
          .split(", ")
          .filter(Boolean)
          .map(Number);
        const texts = req.role === "buyer" ? remembered : ["Verified data, fairly described; noted."];
        return {
          kind: "tool",
          input: { messages: rounds.map((round, i) => ({ round, text: texts[i % texts.length]! })) },
        };
      }
      if (req.role === "seller") return judge;
      // the buyer's model reads the rows in its judging context, queries, and keeps what it saw
      const facts = JSON.parse(/TEE-verified facts about the data \(trusted\): (.*)/.exec(content)![1]!) as {
        samples: string[];
      };
      const tool = (req.body.messages as unknown as { content: unknown }[]).flatMap((m) =>
        Array.isArray(m.content) ? m.content : [],
      );
      const answer = tool.find((b: { type?: string }) => b.type === "tool_result") as
        { content: string } | undefined;
      if (answer === undefined)
        return {
          kind: "tool",
          name: "query_data",
          input: { check: { kind: "stat", column: "score", stat: "mean", min: 0 } },
        };
      const value = (JSON.parse(answer.content) as { result: { value: number } }).result.value;
      const diagnosis = facts.samples[0]!.split(",")[1]!;
      remembered = [`Row: ${facts.samples[0]}`, `It is ${spaced(diagnosis)}.`, `The mean score is ${value}.`];
      return judge;
    };
    const { r, requests } = await claudeDeal(script, deal, { facts: factsOf(ROWS_A) });
    expect(remembered, "the model saw the rows and its query's result while judging").to.have.length(3);
    expect(remembered[2]).to.equal("The mean score is 0.51.");
    const writes = requests.filter((q) => q.body.tool_choice.name === "write_messages");
    for (const w of writes)
      expect(w.raw, "the writer never sees a row").to.not.match(/pneumonia|Hartley|17\.25/);
    expect(r.agreed, r.reason).to.equal(true);
    for (const e of r.transcript.filter((x) => x.role === "buyer"))
      expect(isBuiltIn(e.note!), e.note).to.equal(true);
    expect(compact(r.transcriptJson)).to.not.match(/pneumonia|hartley|1725|051/);
  });
});
