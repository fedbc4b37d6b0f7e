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

export {
  negotiate,
  DEFAULT_MAX_ROUNDS,
  DEFAULT_TERMS,
  type NegotiationInput,
  type NegotiationResult,
} from "./engine.ts";
export { noDealTerms, canonicalJson, hashJson } from "./canonical.ts";
export { StrategyAgent } from "./strategy-agent.ts";
export { ClaudeAgent, DEFAULT_MODEL } from "./claude-agent.ts";
export { SCENARIOS, scenarioByName, type Scenario } from "./scenarios.ts";
export { AgentUnavailableError } from "./types.ts";
export type { Agent, AgentView, RawMove, Terms, TranscriptEntry, Usage } from "./types.ts";
export { findDisclosure } from "./disclosure.ts";
export { dealSeed, freshSeed } from "./random.ts";
