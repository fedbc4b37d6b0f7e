/**
 * What the enclave's configuration is, as something a party can check: every variable the
 * oracle reads is classified (CONFIG_CLASSES, the table in docs/operations.md), and the settings
 * that change what the enclave does with a deal ("attested") are hashed into `configDigest` —
 * keccak256 of the RFC 8785 JSON of those settings — which goes into every settlement's terms
 * JSON (so the on-chain termsHash binds it), /health and the start-up log.
 * Invariants: a secret never enters the digest or its settings (the model API key counts only as
 * set / unset: it picks the agent); a setting outside "attested" cannot change the digest; the
 * terms keep termsHash = keccak256(termsJson) after binding.
 */
import canonicalizeModule from "canonicalize";
import { keccak256, toUtf8Bytes } from "ethers";
import type { Hex } from "../../sdk/src/eip712.ts";
import type { OracleConfig } from "./config.ts";
import type { StoredOutcome } from "./store.ts";

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string | undefined;

/**
 * measured: fixed by the measured compose or image (or absent there, so at its default) in a
 * dstack CVM; attested: may be set by the operator and changes outcomes, so it is in configDigest;
 * operational: may be set and changes only liveness, cost or capacity (docs/operations.md says why).
 */
export type ConfigClass = "measured" | "attested" | "operational";

export const CONFIG_CLASSES = {
  DEALPROOF_TEE_MODE: "measured",
  DEALPROOF_DEPLOYMENT: "measured",
  DSTACK_ENDPOINT: "measured",
  DEALPROOF_SIMULATOR_SEED_FILE: "measured",
  DEALPROOF_CREATE_SEED: "measured",
  DEALPROOF_INSTANCE_ID: "measured",
  DEALPROOF_SIMULATOR_COMPOSE_HASH: "measured",
  DEALPROOF_KEY_EPOCHS: "attested",
  DEALPROOF_TAKEOVER_AFTER_S: "operational",
  ANTHROPIC_BASE_URL: "measured",
  DEALPROOF_SETTLE_MODE: "attested",
  DEALPROOF_CONFIRMATIONS: "attested",
  DEALPROOF_MODEL: "attested",
  ANTHROPIC_API_KEY: "attested",
  DEALPROOF_PUBLIC_URL: "attested",
  DEALPROOF_CORS_ORIGINS: "attested",
  DEALPROOF_MAX_ROUNDS: "attested",
  DEALPROOF_MAX_DATASET_BYTES: "attested",
  DEALPROOF_DNS_TIMEOUT_MS: "attested",
  DEALPROOF_FETCH_IDLE_MS: "attested",
  DEALPROOF_FETCH_BUDGET_MS: "attested",
  DEALPROOF_FETCH_MIN_BPS: "attested",
  DEALPROOF_DEAL_ATTEMPTS: "attested",
  DEALPROOF_DEADLINE_MARGIN_S: "attested",
  DEALPROOF_CHECK_MEMORY_MB: "attested",
  DEALPROOF_CHECK_THREADS: "attested",
  DEALPROOF_CHECK_QUERY_MS: "attested",
  DEALPROOF_CHECK_TMP_DIR: "measured",
  DEALPROOF_LISTING_CACHE_MB: "operational",
  DEALPROOF_RPC_URL: "operational",
  DEALPROOF_SENDER_KEY: "operational",
  DEALPROOF_START_BLOCK: "operational",
  DEALPROOF_POLL_MS: "operational",
  DEALPROOF_RPC_POLL_MS: "operational",
  DEALPROOF_RPC_TIMEOUT_MS: "operational",
  DEALPROOF_RPC_ATTEMPTS: "operational",
  DEALPROOF_CONCURRENCY: "operational",
  DEALPROOF_DB: "operational",
  DEALPROOF_HTTP_HOST: "operational",
  DEALPROOF_HTTP_PORT: "operational",
  DEALPROOF_REGISTER: "operational",
  DEALPROOF_PEERS: "operational",
  DEALPROOF_PEER_TIMEOUT_MS: "operational",
  DEALPROOF_SESSION_TTL_S: "operational",
  DEALPROOF_MAX_LAG_S: "operational",
  DEALPROOF_API_RATE: "operational",
  DEALPROOF_API_BURST: "operational",
  DEALPROOF_MAX_CHALLENGES: "operational",
  DEALPROOF_CHALLENGE_TTL_S: "operational",
  DEALPROOF_API_CONNECTIONS_PER_IP: "operational",
  DEALPROOF_API_MAX_CONNECTIONS: "operational",
  DEALPROOF_RETRY_BASE_MS: "operational",
  DEALPROOF_RETRY_MAX_MS: "operational",
  DEALPROOF_BUMP_AFTER_MS: "operational",
  LOG_LEVEL: "operational",
} as const satisfies Record<keyof OracleConfig, ConfigClass>;

export interface ConfigDigest {
  digest: Hex;
  /** The attested settings as hashed (the API key only as "set" / "unset"). */
  settings: Record<string, unknown>;
}

function canonicalJson(value: unknown): string {
  const s = canonicalize(value);
  if (s === undefined) throw new Error("value cannot be canonicalised");
  return s;
}

/** The digest of `cfg`'s attested settings. */
export function configDigest(cfg: OracleConfig): ConfigDigest {
  const settings: Record<string, unknown> = { v: 1 };
  for (const [key, cls] of Object.entries(CONFIG_CLASSES)) {
    if (cls !== "attested") continue;
    const value = cfg[key as keyof OracleConfig];
    settings[key] = key === "ANTHROPIC_API_KEY" ? (value === undefined ? "unset" : "set") : (value ?? null);
  }
  return { digest: keccak256(toUtf8Bytes(canonicalJson(settings))) as Hex, settings };
}

/** `outcome` with `configDigest` in its terms JSON, and the termsHash of that JSON. */
export function bindConfigDigest(outcome: StoredOutcome, digest: Hex): StoredOutcome {
  return bindTermsFields(outcome, { configDigest: digest });
}

/**
 * `outcome` with `fields` added to its terms JSON (the enclave's facts about itself: configDigest,
 * and with replicas `oracle: {signer, instanceId}`, DESIGN.md §12), and the termsHash of that JSON.
 */
export function bindTermsFields(outcome: StoredOutcome, fields: Record<string, unknown>): StoredOutcome {
  const terms = JSON.parse(outcome.termsJson) as Record<string, unknown>;
  const termsJson = canonicalJson({ ...terms, ...fields });
  return {
    ...outcome,
    termsJson,
    settlement: { ...outcome.settlement, termsHash: keccak256(toUtf8Bytes(termsJson)) },
  };
}
