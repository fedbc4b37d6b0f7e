/**
 * An agent backed by Claude through @anthropic-ai/sdk: two forced tool calls with strict schemas
 * per deal (prompts.ts) — `judge` (fit and terms) and `write_messages` (its messages for the
 * transcript the enclave rendered from the outcome). In a deal whose data was checked, the buyer's
 * agent may first call `query_data` (one check in the SDK's format, run by the pipeline's injected
 * runner under the seller's policy and check budget) up to MAX_QUERIES_PER_JUDGEMENT times; the
 * answers stay in that judgement's conversation and the write request never sees them. It never
 * sees a limit and never sets a price; whatever it returns still passes the engine's checks.
 *
 * Model faults are never moves (DESIGN §9): a network error, timeout, 5xx, 529 overloaded, 429,
 * 401, 400 or any other API error, and an answer that is not a complete tool call (stop_reason
 * `max_tokens` or `refusal`, or no tool call at all) is retried here with exponential backoff
 * (honouring `retry-after`), within a bounded budget of attempts and before the deadline the
 * engine passes (`view.notAfterMs`, minus the time one more request may take). When the budget
 * or the time runs out the agent throws AgentUnavailableError (code `agent-unavailable`), which
 * the engine and pipeline turn into "no deal" with that reason code — never a refusal.
 *
 * No prompt caching: the stable prefix (tool + system prompt) is a few hundred tokens, below the
 * minimum cacheable prompt length (1,024 tokens for Sonnet/Opus 4-class models, 2,048–4,096 for
 * others), so a cache_control marker would cache nothing. Usage (including
 * cache_read_input_tokens, which should stay 0) is still recorded per deal.
 */
import Anthropic from "@anthropic-ai/sdk";
import { DealProofError } from "../../sdk/src/errors.ts";
import {
  JUDGE_TOOL,
  QUERY_TOOL,
  SYSTEM_PROMPTS,
  WRITE_TOOL,
  renderJudgeContext,
  renderWriteContext,
  toolInputToCheck,
  toolInputToJudgement,
  toolInputToMessages,
} from "./prompts.ts";
import {
  AgentUnavailableError,
  emptyUsage,
  MAX_QUERIES_PER_JUDGEMENT,
  type Agent,
  type Judgement,
  type PublicView,
  type QueryData,
  type Role,
  type Usage,
  type WriteView,
} from "./types.ts";

type Tool = typeof JUDGE_TOOL | typeof WRITE_TOOL | typeof QUERY_TOOL;
type Message = Anthropic.MessageParam;
type ToolUse = Anthropic.ToolUseBlock;

export const DEFAULT_MODEL = "claude-sonnet-5-5";

export interface ClaudeAgentOptions {
  apiKey: string;
  model?: string;
  baseURL?: string;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Attempts per move before the agent is declared unavailable (default 6). */
  maxAttempts?: number;
  /** First backoff (ms), doubled per attempt with full jitter, capped by maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  maxTokens?: number;
}

/** Why an attempt failed, without any private value (request bodies are never quoted). */
function describe(e: unknown): string {
  if (e instanceof Anthropic.APIConnectionTimeoutError) return "request timed out";
  if (e instanceof Anthropic.APIConnectionError) return "network error";
  if (e instanceof Anthropic.APIError) {
    const type = (e.error as { error?: { type?: string } } | undefined)?.error?.type;
    return `HTTP ${e.status ?? "?"}${type ? ` ${type}` : ""}`;
  }
  return (e as Error).message;
}

function retryAfterMs(e: unknown): number | undefined {
  if (!(e instanceof Anthropic.APIError) || e.headers === undefined) return undefined;
  const ms = Number(e.headers.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const s = Number(e.headers.get("retry-after"));
  return Number.isFinite(s) && s > 0 ? s * 1000 : undefined;
}

/** A complete answer that is still not a move: retried like an API fault. */
class ModelFault extends DealProofError<"agent.model_fault"> {
  override name = "ModelFault";
  constructor(message: string) {
    super("agent.model_fault", message);
  }
}

export class ClaudeAgent implements Agent {
  readonly kind = "claude" as const;
  readonly name: string;
  readonly model: string;
  readonly #client: Anthropic;
  readonly #maxTokens: number;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  #usage: Usage = emptyUsage();

  constructor(opts: ClaudeAgentOptions) {
    this.model = opts.model ?? DEFAULT_MODEL;
    this.name = `claude:${this.model}`;
    this.#maxTokens = opts.maxTokens ?? 1024;
    this.#timeoutMs = opts.timeoutMs ?? 60_000;
    this.#maxAttempts = opts.maxAttempts ?? 6;
    this.#backoffMs = opts.backoffMs ?? 1000;
    this.#maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.#client = new Anthropic({
      apiKey: opts.apiKey,
      ...(opts.baseURL === undefined ? {} : { baseURL: opts.baseURL }),
      timeout: this.#timeoutMs,
      maxRetries: 0, // every retry is decided below, where the deadline is known
    });
  }

  policy(): Record<string, unknown> {
    return {
      agent: "ClaudeAgent/4",
      model: this.model,
      system: SYSTEM_PROMPTS,
      tools: [JUDGE_TOOL, WRITE_TOOL, QUERY_TOOL],
      maxQueriesPerJudgement: MAX_QUERIES_PER_JUDGEMENT,
      maxTokens: this.#maxTokens,
    };
  }

  usage(): Usage {
    return { ...this.#usage };
  }

  /**
   * Fit and terms: the judge tool, from public inputs only — and, for the buyer in a checked deal,
   * up to MAX_QUERIES_PER_JUDGEMENT query_data calls first, each answered in the model's context
   * only (the conversation of this one judgement; never the transcript). Each turn is one request,
   * retried on its own; the turn after the last query forces judge.
   */
  async judge(view: PublicView): Promise<Judgement | undefined> {
    const q = view.queryData;
    if (q === undefined) {
      const messages: Message[] = [{ role: "user", content: renderJudgeContext(view) }];
      const [call] = await this.#withRetries(view, [JUDGE_TOOL], JUDGE_TOOL.name, messages);
      return toolInputToJudgement(call!.input);
    }
    return toolInputToJudgement(await this.#judgeWithQueries(view, q));
  }

  async #judgeWithQueries(view: PublicView, queryData: QueryData): Promise<unknown> {
    const messages: Message[] = [{ role: "user", content: renderJudgeContext(view) }];
    for (let queries = 0; ;) {
      const force = queries >= MAX_QUERIES_PER_JUDGEMENT ? JUDGE_TOOL.name : undefined;
      const calls = await this.#withRetries(view, [QUERY_TOOL, JUDGE_TOOL], force, messages);
      const judged = calls.find((c) => c.name === JUDGE_TOOL.name);
      if (judged !== undefined) return judged.input;
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const c of calls) {
        queries += 1;
        const answer =
          queries > MAX_QUERIES_PER_JUDGEMENT
            ? { refused: "query.turn_budget_spent" }
            : await queryData(toolInputToCheck(c.input));
        results.push({ type: "tool_result", tool_use_id: c.id, content: JSON.stringify(answer) });
      }
      const asked = calls.map((c) => ({ type: "tool_use" as const, id: c.id, name: c.name, input: c.input }));
      messages.push({ role: "assistant", content: asked }, { role: "user", content: results });
    }
  }

  /** The messages for this side's rendered entries: the write_messages tool. */
  async write(view: WriteView): Promise<Record<string, string>> {
    const messages: Message[] = [{ role: "user", content: renderWriteContext(view) }];
    const [call] = await this.#withRetries(view, [WRITE_TOOL], WRITE_TOOL.name, messages);
    return toolInputToMessages(call!.input);
  }

  /** One turn, retried: the tool calls it made (at least one, each of an offered tool). */
  async #withRetries(
    view: PublicView,
    tools: readonly Tool[],
    force: string | undefined,
    messages: readonly Message[],
  ): Promise<ToolUse[]> {
    const failures: string[] = [];
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      try {
        return await this.#once(view.role, tools, force, messages);
      } catch (e) {
        // any SDK error (HTTP status, network, timeout, unreadable answer) or incomplete answer
        if (!(e instanceof Anthropic.AnthropicError) && !(e instanceof ModelFault)) throw e;
        failures.push(describe(e));
        if (attempt === this.#maxAttempts) break;
        const cap = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** (attempt - 1));
        const wait = Math.max(retryAfterMs(e) ?? 0, Math.random() * cap);
        if (view.notAfterMs !== undefined && Date.now() + wait + this.#timeoutMs > view.notAfterMs)
          throw new AgentUnavailableError(
            `the model API failed (${failures.join(", ")}) and no time is left before the deadline`,
          );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    throw new AgentUnavailableError(`the model API failed ${failures.length} times (${failures.join(", ")})`);
  }

  async #once(
    role: Role,
    tools: readonly Tool[],
    force: string | undefined,
    messages: readonly Message[],
  ): Promise<ToolUse[]> {
    const res = await this.#client.messages.create({
      model: this.model,
      max_tokens: this.#maxTokens,
      system: [{ type: "text", text: SYSTEM_PROMPTS[role] }],
      tools: tools.map((t) => ({ ...t, strict: true })),
      tool_choice:
        force !== undefined
          ? { type: "tool", name: force }
          : { type: "any", disable_parallel_tool_use: true },
      messages: [...messages],
    });
    const u = res.usage;
    this.#usage.calls += 1;
    this.#usage.inputTokens += u.input_tokens;
    this.#usage.outputTokens += u.output_tokens;
    this.#usage.cacheReadTokens += u.cache_read_input_tokens ?? 0;
    this.#usage.cacheWriteTokens += u.cache_creation_input_tokens ?? 0;
    if (res.stop_reason === "max_tokens") throw new ModelFault("stop_reason max_tokens");
    if (res.stop_reason === "refusal") throw new ModelFault("stop_reason refusal");
    const wanted = force === undefined ? tools.map((t) => t.name) : [force];
    const calls = res.content.filter((b): b is ToolUse => b.type === "tool_use" && wanted.includes(b.name));
    if (calls.length === 0)
      throw new ModelFault(`no ${wanted.join(" or ")} call (stop_reason ${res.stop_reason ?? "null"})`);
    return calls;
  }
}
