/**
 * Assembles a running oracle from its configuration and a TEE backend: provider, sender, identity,
 * store, daemon and HTTP API. The backend is given, never chosen here: the production entry
 * (main.ts) passes dstack's, and only the local entry (oracle/simulator/) can pass the simulator,
 * so nothing reachable from main.ts knows the simulator exists (test/structure/layers.test.ts).
 */
import { DealProofError, isDealProofError, type DealProofErrorCode } from "../../sdk/src/errors.ts";
import { Wallet } from "ethers";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { RetryingJsonRpcProvider } from "../chain/provider.ts";
import { viemClientFor } from "../chain/viem-client.ts";
import { PRODUCTION_POLICY, type LocationPolicy } from "../data/location-policy.ts";
import pino, { type Logger } from "pino";
import { readDeployment } from "../chain/deployment.ts";
import type { TeeBackend } from "../tee/backend.ts";
import { loadOracleIdentity } from "../tee/identity.ts";
import { createDnsResolver, type DnsResolver } from "../dkim/resolver.ts";
import { createAgents } from "../negotiation/index.ts";
import type { TranscriptEntry } from "../negotiation/types.ts";
import { openStore } from "../daemon/store-open.ts";
import { configDigest } from "../daemon/config-digest.ts";
import { waitForQuietSender } from "./quiet-sender.ts";
import { OracleDaemon } from "../daemon/daemon.ts";
import { sweepPlaintextRoot } from "../checks/stage.ts";
import { ListingCache } from "../listings/cache.ts";
import type { ListingOptions } from "../daemon/listing-verification.ts";
import { createApi } from "../api/server.ts";
import { SESSION_KEY_PATH, SessionKeys } from "../api/session.ts";
import { PeerDirectory } from "../api/peers.ts";
import { ReplicaLocator } from "../api/locate.ts";
import type { OracleConfig } from "../daemon/config.ts";
import type { Step } from "../daemon/pipeline.ts";
import type { DealId } from "../daemon/store.ts";

/**
 * Where the per-deal plaintext dirs live: DEALPROOF_CHECK_TMP_DIR, else plaintext/ beside the
 * database (the CVM's encrypted volume); an in-memory database (tests) gets its own per-process dir.
 */
function plaintextRootOf(cfg: OracleConfig): string {
  if (cfg.DEALPROOF_CHECK_TMP_DIR !== undefined) return cfg.DEALPROOF_CHECK_TMP_DIR;
  if (cfg.DEALPROOF_DB === ":memory:") return join(tmpdir(), `dealproof-plaintext-${process.pid}`);
  return join(dirname(cfg.DEALPROOF_DB), "plaintext");
}

/** The listings' verified-plaintext cache: listing-cache/ beside the database (the CVM's encrypted volume). */
function listingCacheDirOf(cfg: OracleConfig): string {
  if (cfg.DEALPROOF_DB === ":memory:") return join(tmpdir(), `dealproof-listing-cache-${process.pid}`);
  return join(dirname(cfg.DEALPROOF_DB), "listing-cache");
}

/**
 * Runs a start-up step; a failure that is not already explained becomes a DealProofError with
 * `code`, `message` (plus the cause's own text) and `hint`, so the entry prints it without a stack.
 */
async function expected<T>(
  step: () => Promise<T>,
  code: DealProofErrorCode,
  message: string,
  hint: string,
): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (isDealProofError(e)) throw e;
    throw new DealProofError(code, `${message}: ${e instanceof Error ? e.message : String(e)}`, {
      hint,
      cause: e,
    });
  }
}

/** What the entry point decides: the TEE, and what goes with a simulated one. */
export interface OracleParts {
  tee: TeeBackend;
  /** Which dataset locations may be fetched (default: public https only). */
  fetchPolicy?: LocationPolicy;
  /** Served at /simulated-dcap so a dapp can verify a simulated quote (simulator only). */
  simulatedDcap?: () => { rootCaDer: Uint8Array; collateral: unknown };
}

export interface OracleOverrides {
  resolver?: DnsResolver;
  logger?: Logger;
  onStep?: (step: Step, dealId: DealId) => void | Promise<void>;
  onMove?: (dealId: DealId, entry: TranscriptEntry) => void;
  onDone?: (dealId: DealId, status: "settled" | "closed") => void;
  /** Test hook: the live signer set as this replica sees it (replicas' fault tests). */
  liveSigners?: (live: readonly string[]) => readonly string[];
  /** Listing verification's bounds and test hooks (the cache is the oracle's own). */
  listings?: Omit<ListingOptions, "cache">;
}

export async function startOracle(cfg: OracleConfig, parts: OracleParts, o: OracleOverrides = {}) {
  const logger =
    o.logger ??
    pino({
      level: cfg.LOG_LEVEL,
      // belt and braces: these never get logged, but if one ever did it would be masked
      redact: [
        "*.budgetWei",
        "*.floorWei",
        "*.key",
        "*.email",
        "*.privateKey",
        "*.requirements",
        "*.description",
      ],
    });
  const deployment = readDeployment(cfg.DEALPROOF_DEPLOYMENT);
  const config = configDigest(cfg);
  logger.info(
    { configDigest: config.digest, settings: config.settings },
    "configuration digest: bound into every settlement's terms (docs/operations.md)",
  );
  const provider = new RetryingJsonRpcProvider(cfg.DEALPROOF_RPC_URL, {
    pollingIntervalMs: cfg.DEALPROOF_RPC_POLL_MS,
    timeoutMs: cfg.DEALPROOF_RPC_TIMEOUT_MS,
    attempts: cfg.DEALPROOF_RPC_ATTEMPTS,
  });
  // viem (sign-in checks) talks through the same transport: one timeout and retry policy
  const chainClient = viemClientFor(provider);
  const { tee } = parts;
  // the session MAC key is app-scoped (DESIGN §12): every replica of the app derives the same one
  const [identity, info, sessionKey] = await expected(
    async () =>
      [
        await loadOracleIdentity(tee, { keyEpochs: cfg.DEALPROOF_KEY_EPOCHS }),
        await tee.info(),
        await tee.deriveKey(SESSION_KEY_PATH),
      ] as const,
    "tee.unavailable",
    `the ${tee.mode} TEE does not answer`,
    tee.mode === "dstack"
      ? "run inside a dstack CVM with /var/run/dstack.sock mounted, or set DSTACK_ENDPOINT"
      : "check DEALPROOF_SIMULATOR_SEED_FILE",
  );
  // a corrupt file is quarantined and the state rebuilt from the chain (store-open.ts); any other
  // failure (permissions, a busy file, a directory) refuses to start with this hint
  const opened = await expected(
    async () => openStore(cfg.DEALPROOF_DB, logger),
    "store.open_failed",
    `cannot open the oracle's database ${cfg.DEALPROOF_DB}`,
    "point DEALPROOF_DB at a writable path (the image's volume is /data)",
  );
  const { store } = opened;
  const sender = new Wallet(cfg.DEALPROOF_SENDER_KEY);
  if (opened.rebuilt) {
    try {
      await waitForQuietSender(provider, sender.address, logger, {
        maxWaitMs: cfg.DEALPROOF_BUMP_AFTER_MS,
        pollMs: cfg.DEALPROOF_RPC_POLL_MS,
      });
    } catch (e) {
      provider.destroy();
      store.close();
      throw e;
    }
  }
  // DESIGN §10: the verified plaintext lives only in per-deal dirs under one root this process
  // owns (mode 0700); whatever a crash left there is removed before any deal is served
  const plaintextRoot = plaintextRootOf(cfg);
  const swept = await expected(
    async () => sweepPlaintextRoot(plaintextRoot),
    "checks.plaintext_dir",
    `cannot prepare the plaintext directory ${plaintextRoot}`,
    "point DEALPROOF_CHECK_TMP_DIR at a directory this process owns (default: plaintext/ beside DEALPROOF_DB)",
  ).catch((e: unknown) => {
    provider.destroy();
    store.close();
    throw e;
  });
  logger.info({ swept, dir: plaintextRoot }, "plaintext left by an earlier run swept");
  // DESIGN §11: half-written fills a crash left are removed before any entry is trusted
  const listingCache = new ListingCache({
    dir: listingCacheDirOf(cfg),
    budgetBytes: cfg.DEALPROOF_LISTING_CACHE_MB * 1024 * 1024,
  });
  await expected(
    () => listingCache.open(),
    "listings.cache_dir",
    "cannot prepare the listings' cache directory",
    "make the directory beside DEALPROOF_DB writable by this process",
  ).catch((e: unknown) => {
    provider.destroy();
    store.close();
    throw e;
  });
  const daemon = new OracleDaemon({
    deployment,
    provider,
    sender,
    tee,
    identity,
    store,
    logger,
    settleMode: cfg.DEALPROOF_SETTLE_MODE,
    confirmations: cfg.DEALPROOF_CONFIRMATIONS,
    pollMs: cfg.DEALPROOF_POLL_MS,
    concurrency: cfg.DEALPROOF_CONCURRENCY,
    startBlock: cfg.DEALPROOF_START_BLOCK,
    register: cfg.DEALPROOF_REGISTER,
    pipeline: {
      resolver: o.resolver ?? createDnsResolver({ timeoutMs: cfg.DEALPROOF_DNS_TIMEOUT_MS }),
      agents: () =>
        createAgents({
          anthropicApiKey: cfg.ANTHROPIC_API_KEY,
          model: cfg.DEALPROOF_MODEL,
          baseURL: cfg.ANTHROPIC_BASE_URL,
        }),
      maxRounds: cfg.DEALPROOF_MAX_ROUNDS,
      maxDatasetBytes: cfg.DEALPROOF_MAX_DATASET_BYTES,
      fetch: {
        policy: parts.fetchPolicy ?? PRODUCTION_POLICY,
        idleTimeoutMs: cfg.DEALPROOF_FETCH_IDLE_MS,
        budgetMs: cfg.DEALPROOF_FETCH_BUDGET_MS,
        minBytesPerSec: cfg.DEALPROOF_FETCH_MIN_BPS,
      },
      checks: {
        limits: {
          memoryLimitMB: cfg.DEALPROOF_CHECK_MEMORY_MB,
          threads: cfg.DEALPROOF_CHECK_THREADS,
          queryTimeoutMs: cfg.DEALPROOF_CHECK_QUERY_MS,
        },
        tmpParent: plaintextRoot,
      },
      onMove: o.onMove,
    },
    onStep: o.onStep,
    onDone: o.onDone,
    maxAttempts: cfg.DEALPROOF_DEAL_ATTEMPTS,
    deadlineMarginS: cfg.DEALPROOF_DEADLINE_MARGIN_S,
    retryBaseMs: cfg.DEALPROOF_RETRY_BASE_MS,
    retryMaxMs: cfg.DEALPROOF_RETRY_MAX_MS,
    bumpAfterMs: cfg.DEALPROOF_BUMP_AFTER_MS,
    rpcUrl: cfg.DEALPROOF_RPC_URL,
    configDigest: config.digest,
    takeoverAfterS: cfg.DEALPROOF_TAKEOVER_AFTER_S,
    liveSigners: o.liveSigners,
    listings: { ...o.listings, cache: listingCache },
  });
  try {
    await daemon.start();
  } catch (e) {
    await daemon.stop();
    provider.destroy();
    store.close();
    throw e;
  }
  // DESIGN §12: sessions hold at every replica; the peers are found through their signed /health cards
  const sessions = new SessionKeys({
    key: sessionKey,
    chainId: deployment.chainId,
    contract: deployment.dealProof,
    instanceId: identity.instanceId,
    ttlMs: cfg.DEALPROOF_SESSION_TTL_S * 1000,
  });
  const locator =
    cfg.DEALPROOF_PEERS.length === 0
      ? undefined
      : new ReplicaLocator({
          provider,
          chainId: deployment.chainId,
          dealProof: deployment.dealProof,
          peers: new PeerDirectory({
            peers: cfg.DEALPROOF_PEERS,
            chainId: deployment.chainId,
            dealProof: deployment.dealProof,
            timeoutMs: cfg.DEALPROOF_PEER_TIMEOUT_MS,
          }),
          self: { signer: identity.address, sender: sender.address },
          deadlineMs: 3 * cfg.DEALPROOF_PEER_TIMEOUT_MS,
        });
  const api = createApi({
    store,
    deployment,
    teeMode: tee.mode,
    settleMode: cfg.DEALPROOF_SETTLE_MODE,
    signer: identity.address,
    encryptionKey: identity.encryptionPublicKey,
    measurementId: info.measurementId,
    registrationExpiresAt: () => daemon.registrationExpiresAt,
    publicUrl: cfg.DEALPROOF_PUBLIC_URL,
    corsOrigins: cfg.DEALPROOF_CORS_ORIGINS,
    chainClient,
    rpcHealth: () => provider.health,
    storeQuarantine: opened.quarantined,
    config,
    logger,
    limits: {
      ratePerSec: cfg.DEALPROOF_API_RATE,
      burst: cfg.DEALPROOF_API_BURST,
      maxChallenges: cfg.DEALPROOF_MAX_CHALLENGES,
      challengeTtlMs: cfg.DEALPROOF_CHALLENGE_TTL_S * 1000,
      connectionsPerAddress: cfg.DEALPROOF_API_CONNECTIONS_PER_IP,
      maxConnections: cfg.DEALPROOF_API_MAX_CONNECTIONS,
      maxLagS: cfg.DEALPROOF_MAX_LAG_S,
    },
    replica: {
      instanceId: identity.instanceId,
      sender: sender.address,
      keyEpochs: identity.keyring.map((k) => k.epoch),
      signDigest: (d) => identity.signDigest(d),
      holds: () => daemon.heldDeals(),
      chainView: () => daemon.chainView(),
      registering: cfg.DEALPROOF_REGISTER,
      sessions,
      ...(locator === undefined ? {} : { locator }),
    },
    quote: (rd) => tee.getQuote(rd),
    ...(parts.simulatedDcap === undefined ? {} : { simulatedDcap: parts.simulatedDcap }),
  });
  let url: string;
  try {
    url = await expected(
      () => api.listen(cfg.DEALPROOF_HTTP_PORT, cfg.DEALPROOF_HTTP_HOST),
      "api.listen_failed",
      `cannot listen on ${cfg.DEALPROOF_HTTP_HOST}:${cfg.DEALPROOF_HTTP_PORT}`,
      "choose a free DEALPROOF_HTTP_PORT (or stop what holds this one)",
    );
  } catch (e) {
    await daemon.stop();
    provider.destroy();
    store.close();
    throw e;
  }
  logger.info(
    {
      url,
      teeMode: tee.mode,
      settleMode: cfg.DEALPROOF_SETTLE_MODE,
      signer: identity.address,
      dealProof: deployment.dealProof,
      configDigest: config.digest,
    },
    "oracle started",
  );

  let stopped = false;
  return {
    daemon,
    store,
    tee,
    identity,
    url,
    logger,
    /** Graceful: stop taking work, finish in-flight deals, close the API and the store. */
    async stop() {
      if (stopped) return;
      stopped = true;
      await daemon.stop();
      const closed = new Promise<void>((r) => api.server.close(() => r()));
      api.server.closeAllConnections();
      await closed;
      provider.destroy();
      store.close();
    },
    /** Abrupt (crash tests): in-flight work is abandoned, nothing is awaited. */
    kill() {
      if (stopped) return;
      stopped = true;
      daemon.kill();
      api.server.close();
      api.server.closeAllConnections();
      provider.destroy();
      store.close();
    },
  };
}

export type RunningOracle = Awaited<ReturnType<typeof startOracle>>;
