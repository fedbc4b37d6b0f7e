/**
 * The oracle's configuration, from the environment (documented in .env.example), validated with
 * zod. Errors name the variable and what to fix; secret values are never echoed.
 */
import { z } from "zod";
import { DealProofError } from "../../sdk/src/errors.ts";
import { validEpochs } from "../tee/keyring.ts";

const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const configSchema = z.object({
  DEALPROOF_RPC_URL: z.string().url("must be an http(s) JSON-RPC URL"),
  DEALPROOF_DEPLOYMENT: z.string().min(1, "must be the path of deployments/<network>.json"),
  DEALPROOF_SENDER_KEY: z
    .string()
    .regex(
      /^0x[0-9a-fA-F]{64}$/,
      "must be a 0x-prefixed 32-byte private key (the account that pays for settlement transactions)",
    ),
  DEALPROOF_TEE_MODE: z.enum(["simulator", "dstack"]).default("simulator"),
  DEALPROOF_SIMULATOR_SEED_FILE: z.string().default(".dealproof/simulator-seed"),
  /** Create the simulator seed when it is missing (else a missing seed is an error, never a new identity). */
  DEALPROOF_CREATE_SEED: bool.default(false),
  DSTACK_ENDPOINT: z.string().optional(),
  /** The simulator's instance id (one per replica; dstack reports its own and this is ignored). */
  DEALPROOF_INSTANCE_ID: z
    .string()
    .regex(/^[0-9a-f]{40}$/, "must be 20 bytes of lowercase hex (no 0x), one value per replica")
    .optional(),
  /**
   * The simulator's compose hash (32 bytes of lowercase hex, no 0x; default: the built-in image's):
   * another value is another measurement of the same app (same keys), as a rolling upgrade makes.
   */
  DEALPROOF_SIMULATOR_COMPOSE_HASH: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "must be 32 bytes of lowercase hex (no 0x): the simulated compose's sha256")
    .optional(),
  /** HPKE key epochs held, current first (e.g. "2,1"): inputs sealed to any of them open. */
  DEALPROOF_KEY_EPOCHS: z
    .string()
    .default("1")
    .transform((v) => v.split(",").map((e) => Number(e.trim())))
    .refine(validEpochs, {
      message: 'must be distinct positive integers, the current epoch first, e.g. "2,1"',
    }),
  /** Replica k of a deal's ranking takes it over this many seconds × k after it was accepted (chain time). */
  DEALPROOF_TAKEOVER_AFTER_S: int(1, 86_400).default(120),
  DEALPROOF_SETTLE_MODE: z.enum(["quote", "signature"]).default("quote"),
  DEALPROOF_CONFIRMATIONS: int(0, 64).default(2),
  DEALPROOF_START_BLOCK: int(0).optional(),
  DEALPROOF_POLL_MS: int(10, 600_000).default(2000),
  /** How often ethers polls for receipts and blocks while waiting on a transaction. */
  DEALPROOF_RPC_POLL_MS: int(10, 60_000).default(1000),
  DEALPROOF_CONCURRENCY: int(1, 256).default(4),
  DEALPROOF_DB: z.string().default(".dealproof/oracle.sqlite"),
  DEALPROOF_HTTP_HOST: z.string().default("0.0.0.0"),
  DEALPROOF_HTTP_PORT: int(0, 65535).default(8080),
  DEALPROOF_MAX_ROUNDS: int(1, 50).default(8),
  DEALPROOF_DNS_TIMEOUT_MS: int(100, 60_000).default(5000),
  DEALPROOF_MAX_DATASET_BYTES: int(1).default(8 * 1024 ** 3),
  DEALPROOF_REGISTER: bool.default(true),
  /** Per-request RPC timeout and attempts (transport failures only are retried). */
  DEALPROOF_RPC_TIMEOUT_MS: int(100, 120_000).default(5000),
  DEALPROOF_RPC_ATTEMPTS: int(1, 20).default(4),
  /** The API's public base URL: the domain and URI of its EIP-4361 sign-in messages. */
  DEALPROOF_PUBLIC_URL: z
    .string()
    .url("must be the API's public base URL, e.g. https://oracle.example.com")
    .regex(/^https?:\/\//, "must be an http(s) URL")
    .default("http://localhost:8080"),
  /** Comma-separated origins (scheme://host[:port]) of dapps that may call the API from a browser. */
  DEALPROOF_CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((o) => o.trim())
        .filter((o) => o !== ""),
    )
    .refine((list) => list.every((o) => URL.canParse(o) && new URL(o).origin === o), {
      message: "must be comma-separated origins like https://dapp.example (scheme://host[:port], no path)",
    }),
  /** The other replicas' public base URLs, comma-separated (may include this one): the API redirects to them. */
  DEALPROOF_PEERS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((u) => u.trim())
        .filter((u) => u !== ""),
    )
    .refine((list) => list.length <= 64 && list.every((u) => URL.canParse(u) && /^https?:\/\//.test(u)), {
      message: "must be at most 64 comma-separated http(s) base URLs of this app's replicas",
    }),
  /** A peer's /health must answer within this; the whole search for a deal's replica within 3×. */
  DEALPROOF_PEER_TIMEOUT_MS: int(100, 60_000).default(2000),
  /** A sign-in session (valid at every replica of the app) lasts this long. */
  DEALPROOF_SESSION_TTL_S: int(60, 86_400).default(3600),
  /** /health says degraded when the listener is more than this many seconds behind the chain head. */
  DEALPROOF_MAX_LAG_S: int(1, 86_400).default(120),
  DEALPROOF_API_RATE: int(1, 100_000).default(20),
  DEALPROOF_API_BURST: int(1, 100_000).default(40),
  DEALPROOF_MAX_CHALLENGES: int(1, 1_000_000).default(10_000),
  DEALPROOF_CHALLENGE_TTL_S: int(10, 3600).default(300),
  /** Open API connections per client address and in total (a full server evicts its oldest idle one). */
  DEALPROOF_API_CONNECTIONS_PER_IP: int(1, 100_000).default(64),
  DEALPROOF_API_MAX_CONNECTIONS: int(1, 1_000_000).default(4096),
  /** Per-deal dataset fetch budget: idle timeout, time before the size is known, minimum rate. */
  DEALPROOF_FETCH_IDLE_MS: int(100, 600_000).default(15_000),
  DEALPROOF_FETCH_BUDGET_MS: int(100, 3_600_000).default(60_000),
  DEALPROOF_FETCH_MIN_BPS: int(1).default(256 * 1024),
  /** The check engine (DESIGN §10), per deal: DuckDB memory and threads, per-query time limit, tmp dir parent. */
  DEALPROOF_CHECK_MEMORY_MB: int(16, 1 << 20).default(448),
  DEALPROOF_CHECK_THREADS: int(1, 256).default(2),
  DEALPROOF_CHECK_QUERY_MS: int(100, 3_600_000).default(60_000),
  DEALPROOF_CHECK_TMP_DIR: z.string().optional(),
  /** Disk budget of the listings' verified-plaintext cache (listing-cache/ beside DEALPROOF_DB); 0: no cache. */
  DEALPROOF_LISTING_CACHE_MB: int(0, 1 << 24).default(4096),
  /** Fetch attempts per deal before it closes as no deal (dataset_unavailable). */
  DEALPROOF_DEAL_ATTEMPTS: int(1, 100).default(6),
  /** A deal still unfinished this many seconds before its deadline closes as no deal. */
  DEALPROOF_DEADLINE_MARGIN_S: int(0, 86_400).default(300),
  DEALPROOF_RETRY_BASE_MS: int(0, 600_000).default(1000),
  DEALPROOF_RETRY_MAX_MS: int(0, 3_600_000).default(30_000),
  /** A settlement pending this long is replaced (same nonce) with higher fees. */
  DEALPROOF_BUMP_AFTER_MS: int(1000, 3_600_000).default(60_000),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  DEALPROOF_MODEL: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type OracleConfig = z.infer<typeof configSchema>;

/** Every variable the configuration reads (each is classified in config-digest.ts). */
export const CONFIG_VARIABLES = Object.keys(configSchema.shape) as (keyof OracleConfig)[];

export function loadConfig(env: Record<string, string | undefined> = process.env): OracleConfig {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = configSchema.safeParse(clean);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new DealProofError("config.invalid", `invalid oracle configuration:\n${lines.join("\n")}`, {
      hint: "fix these environment variables (.env.example describes each)",
    });
  }
  return parsed.data;
}
