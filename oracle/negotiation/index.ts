/** The negotiation engine's public surface. */
import { ClaudeAgent, DEFAULT_MODEL } from "./claude-agent.ts";
import { StrategyAgent } from "./strategy-agent.ts";
import type { Agent } from "./types.ts";

export interface AgentConfig {
  anthropicApiKey?: string;
  model?: string;
  baseURL?: string;
  timeoutMs?: number;
}

/** Claude agents when an API key is configured; built-in StrategyAgents otherwise. */
export function createAgents(config: AgentConfig = {}): { buyer: Agent; seller: Agent } {
  if (config.anthropicApiKey !== undefined && config.anthropicApiKey !== "") {
    const opts = {
      apiKey: config.anthropicApiKey,
      model: config.model ?? DEFAULT_MODEL,
      baseURL: config.baseURL,
      timeoutMs: config.timeoutMs,
    };
    return { buyer: new ClaudeAgent(opts), seller: new ClaudeAgent(opts) };
  }
  return { buyer: new StrategyAgent(), seller: new StrategyAgent() };
}

export { negotiate } from "./engine.ts";
export { noDealTerms } from "./canonical.ts";
export type { Agent, TranscriptEntry } from "./types.ts";
