import { expect } from "chai";
import { formatEther } from "ethers";
import { ClaudeAgent, DEFAULT_MODEL } from "../../oracle/negotiation/claude-agent.ts";
import { createAgents } from "../../oracle/negotiation/index.ts";
import { startFakeAnthropic, type Script } from "./fake-anthropic.ts";
import { run, TERMS, BUDGET, FLOOR } from "./helpers.ts";

const agents = (baseURL: string, opts: { timeoutMs?: number; maxRetries?: number } = {}) => {
  const o = {
    apiKey: "sk-test-local",
    baseURL,
    timeoutMs: opts.timeoutMs ?? 5000,
    maxRetries: opts.maxRetries ?? 2,
  };
  return { buyer: new ClaudeAgent(o), seller: new ClaudeAgent(o) };
};

const secretForms = (wei: bigint) => [wei.toString(), formatEther(wei)];

describe("ClaudeAgent through the real SDK against a local Messages API", () => {
  it("happy path: forced tool calls, cached system prompt, usage recorded, and each side's limit stays on its side", async () => {
    const script: Script = (req) =>
      req.role === "seller"
        ? {
            kind: "tool",
            input: { action: "offer", price: "0.9", terms: TERMS, message: "Premium curated data." },
          }
        : { kind: "tool", input: { action: "accept", message: "Deal." } };
    const fake = await startFakeAnthropic(script);
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
        expect(req.body.system[0]!.cache_control).to.deep.equal({ type: "ephemeral" });
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

  it("malformed tool input is refused, retried with the reason, then accepted when valid", async () => {
    let sellerCalls = 0;
    const fake = await startFakeAnthropic((req) => {
      if (req.role === "buyer") return { kind: "tool", input: { action: "accept", message: "ok" } };
      sellerCalls++;
      return sellerCalls === 1
        ? { kind: "tool", input: { action: "offer", price: "lots", terms: TERMS, message: "x" } }
        : { kind: "tool", input: { action: "offer", price: "0.8", terms: TERMS, message: "x" } };
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

  it("text instead of a tool call counts as a failed move, recorded", async () => {
    const fake = await startFakeAnthropic(() => ({ kind: "text", text: "I think 0.9 ETH is fair." }));
    try {
      const a = agents(fake.baseURL);
      const r = await run(a.buyer, a.seller);
      expect(r.agreed).to.equal(false);
      expect(r.transcript.map((e) => e.refused?.reason)).to.deep.equal([
        "the agent failed: the model answered without calling make_move",
        "the agent failed: the model answered without calling make_move",
      ]);
    } finally {
      await fake.close();
    }
  });

  it("429 then success: the SDK backs off and retries", async () => {
    const fake = await startFakeAnthropic((req, n) =>
      n === 1
        ? { kind: "status", status: 429, retryAfterMs: 10 }
        : req.role === "seller"
          ? { kind: "tool", input: { action: "offer", price: "0.9", terms: TERMS, message: "x" } }
          : { kind: "tool", input: { action: "accept", message: "ok" } },
    );
    try {
      const a = agents(fake.baseURL);
      const r = await run(a.buyer, a.seller);
      expect(r.agreed, r.reason).to.equal(true);
      expect(fake.requests).to.have.length(3);
      expect(r.transcript.some((e) => e.refused)).to.equal(false);
    } finally {
      await fake.close();
    }
  });

  it("500s until the retries run out, and a hung request times out: the deal ends with the reason recorded", async () => {
    const fake = await startFakeAnthropic((_req, n) =>
      n % 2 === 0 ? { kind: "hang" } : { kind: "status", status: 500, retryAfterMs: 5 },
    );
    try {
      const a = agents(fake.baseURL, { timeoutMs: 300, maxRetries: 1 });
      const r = await run(a.buyer, a.seller);
      expect(r.agreed).to.equal(false);
      expect(r.reason).to.match(/seller's move was refused twice: the agent failed/);
      expect(r.transcript).to.have.length(2);
      expect(fake.requests.length).to.equal(4); // 2 attempts × (1 try + 1 SDK retry)
    } finally {
      await fake.close();
    }
  });

  it("createAgents picks Claude when an API key is configured", () => {
    const a = createAgents({ anthropicApiKey: "sk-x", model: "claude-sonnet-4-6" });
    expect([a.buyer.kind, a.buyer.model]).to.deep.equal(["claude", "claude-sonnet-4-6"]);
  });
});
