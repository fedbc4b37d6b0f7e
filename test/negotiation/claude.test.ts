/**
 * ClaudeAgent through the real @anthropic-ai/sdk against a local Messages API stand-in: the
 * request it sends (strict schema within the documented keywords, no private value of the other
 * side), and every model fault — network error, timeout, 5xx, 529, 429, 401, 400, max_tokens,
 * refusal, no tool call — retried and never recorded as a move; a spent budget or a near
 * deadline ends in AgentUnavailableError (`agent-unavailable`), never a refusal.
 */
import { expect } from "chai";
import { formatEther } from "ethers";
import { ClaudeAgent, DEFAULT_MODEL } from "../../oracle/negotiation/claude-agent.ts";
import { createAgents } from "../../oracle/negotiation/index.ts";
import { MAKE_MOVE_TOOL } from "../../oracle/negotiation/prompts.ts";
import { AgentUnavailableError } from "../../oracle/negotiation/types.ts";
import { startFakeAnthropic, type Reply, type Script } from "./fake-anthropic.ts";
import { run, TERMS, BUDGET, FLOOR } from "./helpers.ts";

const agents = (baseURL: string, opts: { timeoutMs?: number; maxAttempts?: number } = {}) => {
  const o = {
    apiKey: "sk-test-local",
    baseURL,
    timeoutMs: opts.timeoutMs ?? 5000,
    maxAttempts: opts.maxAttempts ?? 4,
    backoffMs: 5,
    maxBackoffMs: 20,
  };
  return { buyer: new ClaudeAgent(o), seller: new ClaudeAgent(o) };
};

const secretForms = (wei: bigint) => [wei.toString(), formatEther(wei)];
const sellerOffer: Reply = {
  kind: "tool",
  input: { action: "offer", price: "0.9", terms: TERMS, message: "Premium curated data." },
};
const buyerAccept: Reply = { kind: "tool", input: { action: "accept", message: "Deal." } };
const normal: Script = (req) => (req.role === "seller" ? sellerOffer : buyerAccept);

/** Keywords strict tool use documents as supported (see the comment on MAKE_MOVE_TOOL). */
const ALLOWED = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "enum",
  "const",
  "anyOf",
  "allOf",
  "$ref",
  "$defs",
  "description",
  "format",
  "items",
  "minItems",
  "default",
]);
function badKeywords(schema: unknown, path = "$"): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const bad: string[] = [];
  for (const [k, v] of Object.entries(s)) {
    if (!ALLOWED.has(k)) bad.push(`${path}.${k}`);
    if (k === "additionalProperties" && v !== false) bad.push(`${path}.additionalProperties≠false`);
    if (k === "minItems" && v !== 0 && v !== 1) bad.push(`${path}.minItems`);
  }
  if (s.type === "object" && s.additionalProperties !== false) bad.push(`${path} is not closed`);
  for (const [name, sub] of Object.entries((s.properties ?? {}) as Record<string, unknown>))
    bad.push(...badKeywords(sub, `${path}.${name}`));
  if (s.items !== undefined) bad.push(...badKeywords(s.items, `${path}[]`));
  return bad;
}

describe("ClaudeAgent through the real SDK against a local Messages API", () => {
  it("happy path: a forced strict tool call, usage recorded, and each side's limit stays on its side", async () => {
    const fake = await startFakeAnthropic(normal);
    try {
      const a = agents(fake.baseURL);
      const r = await run(a.buyer, a.seller);
      expect(r.agreed, r.reason).to.equal(true);
      expect(r.priceWei).to.equal(900000000000000000n);
      expect(fake.requests).to.have.length(2);
      for (const req of fake.requests) {
        expect(req.body.model).to.equal(DEFAULT_MODEL);
        expect(req.body.tool_choice).to.deep.equal({ type: "tool", name: "make_move" });
        expect(req.body.tools[0]).to.deep.include({ name: "make_move", strict: true });
        // caching removed: the prefix is below the minimum cacheable length
        expect(req.raw).to.not.include("cache_control");
        const forbidden = req.role === "seller" ? secretForms(BUDGET) : secretForms(FLOOR);
        for (const f of forbidden)
          expect(req.raw, `${req.role} request leaks the other side's limit`).to.not.include(f);
      }
      expect(fake.requests.find((q) => q.role === "buyer")!.raw).to.include(formatEther(BUDGET));
      expect(fake.requests.find((q) => q.role === "seller")!.raw).to.include(formatEther(FLOOR));
      expect(r.usage.seller).to.deep.include({ calls: 1, inputTokens: 100, outputTokens: 20 });
      expect(JSON.parse(r.termsJson).agents.buyer).to.deep.equal({
        kind: "claude",
        name: `claude:${DEFAULT_MODEL}`,
        model: DEFAULT_MODEL,
      });
    } finally {
      await fake.close();
    }
  });

  it("the strict tool schema uses only documented keywords (no minimum/maximum, every object closed)", () => {
    expect(badKeywords(MAKE_MOVE_TOOL.input_schema)).to.deep.equal([]);
    // and the check itself catches what the real API refuses
    expect(badKeywords({ type: "integer", minimum: 1 })).to.deep.equal(["$.minimum"]);
    expect(
      badKeywords({ type: "object", properties: {}, additionalProperties: { type: "string" } }),
    ).to.include("$.additionalProperties≠false");
  });

  it("the suggested terms' extras are carried into the model's offer (the schema does not let it choose them)", async () => {
    const fake = await startFakeAnthropic(normal);
    try {
      const a = agents(fake.baseURL);
      const base = { ...TERMS, extras: { commercialUse: true } };
      const r = await run(a.buyer, a.seller, { baseTerms: base });
      expect(r.agreed, r.reason).to.equal(true);
      expect(r.terms).to.deep.equal(base);
    } finally {
      await fake.close();
    }
  });

  it("malformed tool input is a move the guard refuses: retried with the reason, then accepted when valid", async () => {
    let sellerCalls = 0;
    const fake = await startFakeAnthropic((req) => {
      if (req.role === "buyer") return buyerAccept;
      sellerCalls++;
      return sellerCalls === 1
        ? { kind: "tool", input: { action: "offer", price: "lots", terms: TERMS, message: "x" } }
        : sellerOffer;
    });
    try {
      const a = agents(fake.baseURL);
      const r = await run(a.buyer, a.seller);
      expect(r.agreed).to.equal(true);
      expect(r.transcript[0]!.refused!.reason).to.match(/plain decimal number of ETH/);
      const retry = fake.requests.filter((q) => q.role === "seller")[1]!;
      expect(retry.body.messages[0]!.content).to.match(
        /Your previous move was refused: the price must be a plain decimal/,
      );
    } finally {
      await fake.close();
    }
  });

  const faults: [string, Reply, { timeoutMs?: number }?][] = [
    ["a network error (connection cut)", { kind: "drop" }],
    ["a timeout (no answer)", { kind: "hang" }, { timeoutMs: 300 }],
    ["HTTP 500", { kind: "status", status: 500 }],
    ["HTTP 529 overloaded", { kind: "status", status: 529 }],
    ["HTTP 429 with retry-after", { kind: "status", status: 429, retryAfterMs: 10 }],
    ["HTTP 401 invalid key", { kind: "status", status: 401 }],
    ["HTTP 400", { kind: "status", status: 400 }],
    [
      "stop_reason max_tokens (a cut-off tool call)",
      { kind: "tool", input: { action: "offer" }, stopReason: "max_tokens" },
    ],
    ["stop_reason refusal", { kind: "text", text: "I can't help with that.", stopReason: "refusal" }],
    ["text instead of a tool call", { kind: "text", text: "I think 0.9 ETH is fair." }],
  ];
  for (const [name, fault, opts] of faults) {
    it(`${name} is retried with backoff and never recorded as a move`, async () => {
      const fake = await startFakeAnthropic((req, n) => (n === 1 ? fault : normal(req, n)));
      try {
        const a = agents(fake.baseURL, opts);
        const r = await run(a.buyer, a.seller);
        expect(r.agreed, r.reason).to.equal(true);
        expect(r.priceWei).to.equal(900000000000000000n);
        expect(r.transcript.filter((e) => e.refused)).to.deep.equal([]);
        expect(r.transcript.map((e) => `${e.role}:${e.action}`)).to.deep.equal([
          "seller:offer",
          "buyer:accept",
        ]);
        expect(fake.requests).to.have.length(3); // the fault, the seller's retry, the buyer
      } finally {
        await fake.close();
      }
    });
  }

  it("after its bounded budget the agent is unavailable: AgentUnavailableError with code agent-unavailable, no refusal", async () => {
    const fake = await startFakeAnthropic(() => ({ kind: "status", status: 529 }));
    try {
      const a = agents(fake.baseURL, { maxAttempts: 3 });
      const moves: string[] = [];
      const err = await run(a.buyer, a.seller, { onMove: (e) => moves.push(e.action) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(AgentUnavailableError);
      expect((err as AgentUnavailableError).code).to.equal("agent.unavailable");
      expect((err as AgentUnavailableError).role).to.equal("seller");
      expect((err as Error).message).to.match(/failed 3 times \(HTTP 529 overloaded_error/);
      expect(fake.requests).to.have.length(3);
      expect(moves, "nothing was recorded as a move").to.deep.equal([]);
    } finally {
      await fake.close();
    }
  });

  it("near the deadline it stops retrying at once (agent-unavailable), instead of sleeping past it", async () => {
    const fake = await startFakeAnthropic(() => ({ kind: "status", status: 500 }));
    try {
      const a = agents(fake.baseURL, { timeoutMs: 2000, maxAttempts: 50 });
      const err = await run(a.buyer, a.seller, { notAfterMs: Date.now() + 1000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(AgentUnavailableError);
      expect((err as Error).message).to.match(/no time is left before the deadline/);
      expect(fake.requests).to.have.length(1);
    } finally {
      await fake.close();
    }
  });

  it("a message stating the agent's own limit is refused once, and dropped if it is sent again", async () => {
    let sellerCalls = 0;
    const floorText = formatEther(FLOOR); // "0.612345"
    const fake = await startFakeAnthropic((req) => {
      if (req.role === "buyer") return buyerAccept;
      sellerCalls++;
      return {
        kind: "tool",
        input: {
          action: "offer",
          price: "0.9",
          terms: TERMS,
          message: `I cannot go below ${floorText} ETH.`,
        },
      };
    });
    try {
      const a = agents(fake.baseURL);
      const r = await run(a.buyer, a.seller);
      expect(r.agreed, r.reason).to.equal(true);
      expect(sellerCalls).to.equal(2);
      expect(r.transcript[0]!.refused!.reason).to.match(/states your own limit \(as a number in eth\)/);
      expect(r.transcript[1]!.note, "the repeated message is dropped").to.equal(undefined);
      expect(JSON.stringify(r.transcript)).to.not.include(floorText);
      const buyerReq = fake.requests.find((q) => q.role === "buyer")!;
      expect(buyerReq.raw).to.not.include(floorText);
    } finally {
      await fake.close();
    }
  });

  it("createAgents picks Claude when an API key is configured", () => {
    const a = createAgents({ anthropicApiKey: "sk-x", model: "claude-sonnet-4-6" });
    expect([a.buyer.kind, a.buyer.model]).to.deep.equal(["claude", "claude-sonnet-4-6"]);
  });
});
