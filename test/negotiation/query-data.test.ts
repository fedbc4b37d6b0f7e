/**
 * The ClaudeAgent's `query_data` tool through the real @anthropic-ai/sdk against the local fake
 * Messages API, on a real check engine (oracle/checks via runCheckStage's runner, injected as the
 * negotiation's `queryData`): the buyer's model calls query_data, gets the result in its context
 * only, then judges from it; a query outside the seller's policy gets a refusal; the budget is the
 * one the sealed checks already used; the turn budget is bounded (MAX_QUERIES_PER_JUDGEMENT, then
 * judge is forced); the tool's fields are the SDK's check format.
 */
import { expect } from "chai";
import { checkSchema } from "../../sdk/src/checks.ts";
import { QUERY_TOOL } from "../../oracle/negotiation/prompts.ts";
import { MAX_QUERIES_PER_JUDGEMENT, type QueryAnswer } from "../../oracle/negotiation/types.ts";
import type { Reply, Script } from "../../scripts/lib/fake-anthropic.ts";
import { checkedDeal, claudeDeal } from "./helpers.ts";

const judge = (fit: string, message = ""): Reply => ({
  kind: "tool",
  name: "judge",
  input: { fit, accessScope: "full", durationDays: 365, message },
});
const query = (check: Record<string, unknown>): Reply => ({
  kind: "tool",
  name: "query_data",
  input: { check },
});
const note = "Verified data, fairly described; noted.";
const writeAll = (req: Parameters<Script>[0]): Reply => {
  const rounds = (/each of your rounds: ([\d, ]+)\./.exec(req.body.messages[0]!.content)?.[1] ?? "")
    .split(", ")
    .filter(Boolean)
    .map(Number);
  return { kind: "tool", input: { messages: rounds.map((round) => ({ round, text: note })) } };
};

/** The tool results the model was sent back in a request (its own context only). */
const toolResults = (req: Parameters<Script>[0]) =>
  (req.body.messages as unknown as { role: string; content: unknown }[])
    .flatMap((m) => (Array.isArray(m.content) ? (m.content as { type: string; content?: string }[]) : []))
    .filter((b) => b.type === "tool_result")
    .map((b) => JSON.parse(b.content!) as QueryAnswer);

describe("ClaudeAgent's query_data: further checks under the seller's policy, seen only by the model", function () {
  this.timeout(60_000);

  it("the model calls query_data, gets the result in its context, then judges from it; nothing reaches the transcript", async () => {
    const deal = await checkedDeal();
    const script: Script = (req) => {
      if (req.role === "seller") return req.body.tool_choice.name === "judge" ? judge("good") : writeAll(req);
      if (req.body.tool_choice.name === "write_messages") return writeAll(req);
      const results = toolResults(req);
      if (results.length === 0)
        return query({ kind: "valuesIn", column: "label", values: ["cat"], minShare: 0.8 });
      const seen = results[0]!;
      return "result" in seen && seen.result.status === "fail"
        ? judge("poor", "Too few of the labels we need, so we walk away.")
        : judge("good");
    };
    const { r, requests } = await claudeDeal(script, deal);
    expect(
      requests.map((q) => `${q.role}:${q.body.tool_choice.name ?? q.body.tool_choice.type}`),
    ).to.deep.equal([
      "seller:judge",
      "buyer:any",
      "buyer:any",
      "seller:write_messages",
      "buyer:write_messages",
    ]);
    const first = requests[1]!;
    expect(first.body.tools.map((t) => [t.name, t.strict])).to.deep.equal([
      ["query_data", true],
      ["judge", true],
    ]);
    expect(first.body.messages[0]!.content).to.include("You may first call query_data, at most 4 times");
    // the answer the model got: the policy's rendering (rounded to 2 digits), as an informative check
    expect(deal.answers).to.deep.equal([
      { result: { id: "query-1", kind: "valuesIn", required: false, status: "fail", value: 0.7 } },
    ]);
    expect(toolResults(requests[2]!)).to.deep.equal(deal.answers);
    // ... and it judged from it: the buyer walked away with its (number-free) reason
    expect(r.agreed).to.equal(false);
    expect(r.reason).to.equal("the buyer walked away: Too few of the labels we need, so we walk away.");
    // the result is in neither the transcript nor the terms nor any later request
    for (const text of [r.transcriptJson, r.termsJson, requests[3]!.raw, requests[4]!.raw]) {
      expect(text).to.not.include("query-1");
      expect(text).to.not.include("0.7");
    }
    expect(requests[0]!.raw, "the seller's agent is not offered the tool").to.not.include("query_data");
  });

  it("a query outside the seller's policy gets a refusal reason, and the deal goes on (no error, nothing shown)", async () => {
    const deal = await checkedDeal({ profileColumns: ["id", "label"] });
    const script: Script = (req) => {
      if (req.body.tool_choice.name === "judge") return judge("good");
      if (req.body.tool_choice.name === "write_messages") return writeAll(req);
      return toolResults(req).length === 0
        ? query({ kind: "stat", column: "score", stat: "mean", min: 0.1 })
        : judge("good");
    };
    const { r, requests } = await claudeDeal(script, deal);
    expect(deal.answers).to.deep.equal([{ refused: "policy.column_not_profiled" }]);
    expect(toolResults(requests[2]!)).to.deep.equal([{ refused: "policy.column_not_profiled" }]);
    expect(r.agreed, r.reason).to.equal(true);
    expect(r.transcriptJson).to.not.match(/refus|policy\./);
    expect(r.transcript.every((e) => e.note === note)).to.equal(true);
  });

  it("the budget is the deal's: 2 sealed checks + 2 queries > maxChecks 3 refuses the second query", async () => {
    const deal = await checkedDeal({ maxChecks: 3 });
    const script: Script = (req) => {
      if (req.body.tool_choice.name === "judge") return judge("good");
      if (req.body.tool_choice.name === "write_messages") return writeAll(req);
      return toolResults(req).length < 2
        ? query({ kind: "distinctCount", column: "label", min: 2 })
        : judge("good");
    };
    const { r } = await claudeDeal(script, deal);
    expect(deal.answers.map((a) => ("result" in a ? a.result.status : a.refused))).to.deep.equal([
      "pass",
      "policy.too_many_checks",
    ]);
    expect(r.agreed, r.reason).to.equal(true);
  });

  it(`the queries count toward the model's turns: after ${MAX_QUERIES_PER_JUDGEMENT} the judge call is forced`, async () => {
    const deal = await checkedDeal({ maxChecks: 64 });
    const script: Script = (req) => {
      if (req.body.tool_choice.name === "judge") return judge("good");
      if (req.body.tool_choice.name === "write_messages") return writeAll(req);
      return query({ kind: "rowCount", min: 1 }); // a model that would query for ever
    };
    const { r, requests } = await claudeDeal(script, deal);
    const buyerJudging = requests.filter(
      (q) => q.role === "buyer" && q.body.tool_choice.name !== "write_messages",
    );
    expect(buyerJudging.map((q) => q.body.tool_choice.type)).to.deep.equal([
      "any",
      "any",
      "any",
      "any",
      "tool",
    ]);
    expect(buyerJudging.at(-1)!.body.tool_choice.name).to.equal("judge");
    expect(deal.asked).to.have.length(MAX_QUERIES_PER_JUDGEMENT);
    expect(r.agreed, r.reason).to.equal(true);
  });

  it("a model that needs no further check judges at once: one request, no query run", async () => {
    const deal = await checkedDeal();
    const script: Script = (req) =>
      req.body.tool_choice.name === "write_messages" ? writeAll(req) : judge("good");
    const { r, requests } = await claudeDeal(script, deal);
    expect(requests.filter((q) => q.role === "buyer").map((q) => q.body.tool_choice.type)).to.deep.equal([
      "any",
      "tool",
    ]);
    expect(deal.asked).to.deep.equal([]);
    expect(r.agreed, r.reason).to.equal(true);
  });

  it("the tool's input is one check in the SDK's format: each kind's fields and required fields are the zod schema's", () => {
    const anyOf = (QUERY_TOOL.input_schema.properties.check as { anyOf: Record<string, unknown>[] }).anyOf;
    const tool = Object.fromEntries(
      anyOf.map((o) => {
        const props = o.properties as Record<string, { const?: string }>;
        return [
          props.kind!.const!,
          { fields: Object.keys(props).sort(), required: [...(o.required as string[])].sort() },
        ];
      }),
    );
    const sdk = Object.fromEntries(
      checkSchema.options.map((opt) => {
        const shape = opt.shape as Record<string, { safeParse: (v: unknown) => { success: boolean } }>;
        const fields = Object.keys(shape).filter((k) => k !== "id" && k !== "required");
        const kind = (opt.shape.kind as unknown as { value: string }).value;
        return [
          kind,
          {
            fields: fields.sort(),
            required: fields.filter((k) => !shape[k]!.safeParse(undefined).success).sort(),
          },
        ];
      }),
    );
    expect(tool).to.deep.equal(sdk);
    expect(Object.keys(tool)).to.have.length(11);
  });
});
