/**
 * An agent backed by Claude through @anthropic-ai/sdk: each move is a forced `make_move` tool call
 * with a strict schema; the stable system prompt is cached; the SDK retries 429/5xx with backoff
 * within a per-request timeout; token usage is recorded. Whatever it returns still passes the
 * engine's guard.
 */
import Anthropic from "@anthropic-ai/sdk";
import { MAKE_MOVE_TOOL, SYSTEM_PROMPTS, renderContext } from "./prompts.ts";
import { emptyUsage, type Agent, type AgentView, type RawMove, type Role, type Usage } from "./types.ts";

export const DEFAULT_MODEL = "claude-sonnet-5-5";

export interface ClaudeAgentOptions {
  apiKey: string;
  model?: string;
  baseURL?: string;
  timeoutMs?: number;
  maxRetries?: number;
  maxTokens?: number;
}

export class ClaudeAgent implements Agent {
  readonly kind = "claude" as const;
  readonly name: string;
  readonly model: string;
  readonly #client: Anthropic;
  readonly #maxTokens: number;
  #usage: Usage = emptyUsage();

  constructor(opts: ClaudeAgentOptions) {
    this.model = opts.model ?? DEFAULT_MODEL;
    this.name = `claude:${this.model}`;
    this.#maxTokens = opts.maxTokens ?? 512;
    this.#client = new Anthropic({
      apiKey: opts.apiKey,
      ...(opts.baseURL === undefined ? {} : { baseURL: opts.baseURL }),
      timeout: opts.timeoutMs ?? 60_000,
      maxRetries: opts.maxRetries ?? 3,
    });
  }

  policy(): Record<string, unknown> {
    return {
      agent: "ClaudeAgent/1",
      model: this.model,
      system: SYSTEM_PROMPTS,
      tool: MAKE_MOVE_TOOL,
      maxTokens: this.#maxTokens,
    };
  }

  usage(): Usage {
    return { ...this.#usage };
  }

  async move(view: AgentView): Promise<RawMove> {
    const role: Role = view.role;
    const res = await this.#client.messages.create({
      model: this.model,
      max_tokens: this.#maxTokens,
      system: [{ type: "text", text: SYSTEM_PROMPTS[role], cache_control: { type: "ephemeral" } }],
      tools: [{ ...MAKE_MOVE_TOOL, strict: true }],
      tool_choice: { type: "tool", name: MAKE_MOVE_TOOL.name },
      messages: [{ role: "user", content: renderContext(view) }],
    });
    const u = res.usage;
    this.#usage.calls += 1;
    this.#usage.inputTokens += u.input_tokens;
    this.#usage.outputTokens += u.output_tokens;
    this.#usage.cacheReadTokens += u.cache_read_input_tokens ?? 0;
    this.#usage.cacheWriteTokens += u.cache_creation_input_tokens ?? 0;
    const call = res.content.find((b) => b.type === "tool_use" && b.name === MAKE_MOVE_TOOL.name);
    if (call === undefined || call.type !== "tool_use")
      throw new Error("the model answered without calling make_move");
    return call.input as RawMove;
  }
}
