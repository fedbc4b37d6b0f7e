/**
 * The oracle daemon's wiring: follows the chain, drives each accepted deal through the pipeline and
 * the submitter, and resumes from SQLite after any crash. Per deal:
 *   accepted → (build outcome, persisted) outcome_built → (signed tx stored, then broadcast)
 *   submitted → (our receipt, final) settled
 * This file composes the parts and runs the tick; each job lives in its own module:
 * - chain-clock.ts: chain time and the one deadline rule;
 * - registration.ts: registering and renewing the oracle's key;
 * - scheduling.ts: which deal runs next (slots, fairness) and the backoff after a failure;
 * - deal-attempt.ts: one attempt at a deal (outcome, submission, a failure recorded);
 * - reconciliation.ts: submitted deals caught up with the chain;
 * - assignment.ts, signer-set.ts, foreign-deals.ts: with replicas, which deals this one holds
 *   (rank over the live signers, takeover by chain time) and the others' deals watched until done;
 * - listing-verification.ts: each published listing version verified once, its record signed
 *   (DESIGN §11); a listing deal then runs the same attempt as any accepted deal;
 * - chain/retry.ts: the one answer to "retry?".
 * Reorganisations (DESIGN.md §9): facts count at the final block only (the listener's cursor,
 * `confirmations` deep, its hash checked every pass); when the listener finds a reorganisation it
 * rewinds the store, which reopens what rested on the replaced blocks: our transactions mined
 * there are reconciled again, deals settled or closed there are re-checked, and the registration
 * is read again. Infrastructure faults (RPC) are retried every tick and never turned into a
 * refusal. stop() aborts in-flight work and returns within `stopGraceMs`: everything is persisted
 * before each step, so abandoned work resumes after a restart.
 */
import type { Logger } from "pino";
import type { Provider, Wallet } from "ethers";
import { ChainListener } from "./listener.ts";
import type { PipelineDeps, Step } from "./pipeline.ts";
import { failureCode } from "./reason-codes.ts";
import { DealProofError } from "../../sdk/src/errors.ts";
import { Submitter } from "./submitter.ts";
import { Outbox } from "./outbox.ts";
import { isTransient } from "../chain/retry.ts";
import { rpcHost } from "../chain/errors.ts";
import type { DealId, Store } from "./store.ts";
import type { TeeBackend } from "../tee/backend.ts";
import type { OracleIdentity } from "../tee/identity.ts";
import type { Deployment } from "../chain/deployment.ts";
import type { Hex } from "../../sdk/src/eip712.ts";
import { ChainClock } from "./chain-clock.ts";
import { Registration } from "./registration.ts";
import { dealsToStartByClaim, type BackoffOptions, type Busy } from "./scheduling.ts";
import { attemptDeal, type AttemptDeps } from "./deal-attempt.ts";
import { reconcileSubmitted } from "./reconciliation.ts";
import { claimOf, type Claim } from "./assignment.ts";
import { SignerSet } from "./signer-set.ts";
import { checkForeignDeal } from "./foreign-deals.ts";
import { deadlinePassed } from "./chain-clock.ts";
import { ListingVerifier, type ListingOptions } from "./listing-verification.ts";

export interface DaemonDeps {
  deployment: Deployment;
  provider: Provider;
  sender: Wallet;
  tee: TeeBackend;
  identity: OracleIdentity;
  store: Store;
  logger: Logger;
  settleMode: "quote" | "signature";
  confirmations: number;
  pollMs: number;
  concurrency: number;
  startBlock?: number;
  register: boolean;
  pipeline: Omit<PipelineDeps, "chainId" | "contract" | "keyring" | "onStep" | "signal">;
  /** Test hook: called as each step starts; throwing simulates a crash at that step. */
  onStep?: (step: Step, dealId: DealId) => void | Promise<void>;
  /** Called when a deal reaches a terminal state in the store. */
  onDone?: (dealId: DealId, status: "settled" | "closed") => void;
  /** Attempts at fetching a deal's dataset before it closes as no deal (default 6). */
  maxAttempts?: number;
  /** A deal still unfinished this many seconds before its deadline closes as no deal (default 300). */
  deadlineMarginS?: number;
  /** Backoff between a deal's attempts: base and ceiling in ms (defaults 1000, 30000). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A pending settlement is fee-bumped after this long (default 60000). */
  bumpAfterMs?: number;
  /** stop() waits at most this long for in-flight work (default 3000). */
  stopGraceMs?: number;
  /** For messages: the RPC endpoint (only its host is ever shown). */
  rpcUrl?: string;
  /** The attested configuration's digest, written into every outcome's terms (config-digest.ts). */
  configDigest?: Hex;
  /** Replicas: rank k of a deal starts k × this many seconds after its acceptance (default 120). */
  takeoverAfterS?: number;
  /** Test hook: the live signer set as this replica sees it (a forced split view). */
  liveSigners?: (live: readonly string[]) => readonly string[];
  /** Listings (DESIGN §11): verification once per version, and the plaintext cache their deals read. */
  listings?: ListingOptions;
}

/** How often (ms) a deal another replica holds is checked on-chain. */
const FOREIGN_CHECK_MS = 5000;

export class OracleDaemon {
  readonly deps: DaemonDeps;
  readonly submitter: Submitter;
  readonly outbox: Outbox;
  readonly listener: ChainListener;
  readonly #registration: Registration;
  readonly #clock = new ChainClock();
  readonly #attempt: AttemptDeps;
  readonly listingVerifier: ListingVerifier | undefined;
  readonly #work = new Map<DealId, Busy & { p: Promise<void> }>();
  readonly #checks = new Map<DealId, Promise<void>>();
  /** Of #checks, the watches of deals other replicas hold (not this replica's: not in /health's holds). */
  readonly #watching = new Set<DealId>();
  readonly #signers: SignerSet;
  /** Accepted deals this replica may work now and how (assignment.ts), as of the last tick. */
  #held = new Map<DealId, Claim>();
  /** Deals another replica holds, and when each is next checked on-chain (wall ms). */
  readonly #foreign = new Map<DealId, number>();
  /** Deals whose store row cannot be read: logged once each, skipped. */
  readonly #unreadable = new Set<string>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #rpcDown = false;

  constructor(deps: DaemonDeps) {
    this.deps = deps;
    this.outbox = new Outbox({
      provider: deps.provider,
      wallet: deps.sender,
      store: deps.store,
      chainId: BigInt(deps.deployment.chainId),
      logger: deps.logger,
      bumpAfterMs: deps.bumpAfterMs,
      finalBlock: () => deps.store.cursor(),
    });
    this.submitter = new Submitter({
      provider: deps.provider,
      outbox: this.outbox,
      address: deps.deployment.dealProof,
      chainId: BigInt(deps.deployment.chainId),
      mode: deps.settleMode,
      tee: deps.tee,
      identity: deps.identity,
      finalBlock: () => deps.store.cursor(),
    });
    this.#registration = new Registration({
      outbox: this.outbox,
      submitter: this.submitter,
      tee: deps.tee,
      identity: deps.identity,
      logger: deps.logger,
    });
    this.listener = new ChainListener(deps.provider, deps.store, {
      address: deps.deployment.dealProof,
      startBlock: deps.startBlock ?? deps.deployment.deployBlock,
      confirmations: deps.confirmations,
      logger: deps.logger,
      // a registration in the replaced blocks may be gone: read it again on the next tick
      onReorg: () => this.#registration.forget(),
    });
    this.#signers = new SignerSet(
      deps.provider,
      deps.deployment.dealProof,
      deps.startBlock ?? deps.deployment.deployBlock,
    );
    const backoff: BackoffOptions = {
      pollMs: deps.pollMs,
      retryBaseMs: deps.retryBaseMs,
      retryMaxMs: deps.retryMaxMs,
    };
    this.#attempt = {
      store: deps.store,
      logger: deps.logger,
      submitter: this.submitter,
      clock: this.#clock,
      pipeline: {
        ...deps.pipeline,
        chainId: BigInt(deps.deployment.chainId),
        contract: deps.deployment.dealProof,
        keyring: deps.identity.keyring,
        onStep: deps.onStep,
        signal: this.#abort.signal,
        ...(deps.listings === undefined
          ? {}
          : {
              listings: {
                get: (id: bigint, version: number) => deps.store.listings.get(id, version),
                cache: deps.listings.cache,
              },
            }),
      },
      maxAttempts: deps.maxAttempts ?? 6,
      marginS: deps.deadlineMarginS ?? 300,
      backoff,
      running: () => this.#running,
      configDigest: deps.configDigest,
      oracle: { signer: deps.identity.address, instanceId: deps.identity.instanceId },
      onStep: deps.onStep,
      onDone: deps.onDone,
    };
    this.listingVerifier =
      deps.listings === undefined
        ? undefined
        : new ListingVerifier(
            {
              store: deps.store,
              logger: deps.logger,
              identity: deps.identity,
              chainId: BigInt(deps.deployment.chainId),
              contract: deps.deployment.dealProof,
              now: () => Number(this.#clock.now()),
              verify: {
                fetch: {
                  maxBytes: deps.pipeline.maxDatasetBytes,
                  policy: deps.pipeline.fetch.policy,
                  timeoutMs: deps.pipeline.fetch.idleTimeoutMs,
                  budgetMs: deps.pipeline.fetch.budgetMs,
                  minBytesPerSec: deps.pipeline.fetch.minBytesPerSec,
                },
                resolver: deps.pipeline.resolver,
                ...(deps.pipeline.checks?.limits === undefined
                  ? {}
                  : { limits: deps.pipeline.checks.limits }),
                ...(deps.pipeline.checks?.tmpParent === undefined
                  ? {}
                  : { tmpParent: deps.pipeline.checks.tmpParent }),
              },
              signal: this.#abort.signal,
              running: () => this.#running,
            },
            deps.listings,
          );
  }

  /** Until when the oracle's registration holds (chain time), undefined when unknown or absent. */
  get registrationExpiresAt(): bigint | undefined {
    return this.#registration.expiresAt;
  }

  /** Checks the RPC serves the deployment's chain, re-broadcasts stored transactions, registers. */
  async start(): Promise<void> {
    const host = rpcHost(this.deps.rpcUrl ?? "");
    let chainId: bigint;
    try {
      chainId = BigInt(
        (await (this.deps.provider as unknown as { send(m: string, p: unknown[]): Promise<string> }).send(
          "eth_chainId",
          [],
        )) as string,
      );
    } catch (e) {
      throw new DealProofError("rpc.unreachable", `the RPC at ${host} does not answer (${failureCode(e)})`, {
        hint: "check DEALPROOF_RPC_URL",
        cause: e,
      });
    }
    if (chainId !== BigInt(this.deps.deployment.chainId)) {
      throw new DealProofError(
        "config.chain_mismatch",
        `the RPC serves chain ${chainId}, but the deployment file is for chain ${this.deps.deployment.chainId}`,
        {
          hint: "point DEALPROOF_RPC_URL at the deployment's chain, or DEALPROOF_DEPLOYMENT at this chain's file",
        },
      );
    }
    this.#running = true;
    const resent = await this.outbox.resume();
    if (resent > 0) this.deps.logger.info({ transactions: resent }, "re-broadcast stored transactions");
    if (this.deps.register) {
      const until = Date.now() + 60_000;
      for (;;) {
        // the registration counts once final: the listener's cursor must reach its receipt
        await this.listener
          .poll()
          .catch((e: unknown) =>
            this.deps.logger.warn({ code: failureCode(e) }, "chain poll failed; retrying"),
          );
        await this.#registration.pass();
        if (this.#registration.resolved) break;
        if (Date.now() > until || !this.#running) break;
        await new Promise((r) => setTimeout(r, Math.min(this.deps.pollMs, 1000)));
      }
    }
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#loop = this.tick()
        .catch((e: unknown) => this.deps.logger.error({ err: (e as Error).message }, "tick failed; retrying"))
        .finally(() => this.#schedule(this.deps.pollMs));
    }, ms);
  }

  /**
   * One pass: start work on what the store holds, catch up with the chain, start work on what it
   * brought. Registration renewal runs beside it, so no single request blocks the pass (each
   * request is bounded by the transport's timeout and attempts).
   */
  async tick(): Promise<void> {
    if (this.deps.register) this.#registration.renewIfDue(this.#clock.now(), this.#signers.trusted);
    this.#dispatch();
    try {
      const head = (await this.deps.provider.getBlock("latest"))!;
      this.#clock.observe(head);
      await this.listener.poll(head.number);
      await this.#signers.refresh(head);
      await this.#assign();
      if (this.#rpcDown) this.deps.logger.info("the RPC answers again");
      this.#rpcDown = false;
    } catch (e) {
      if (!this.#rpcDown || !isTransient(e))
        this.deps.logger.warn(
          { code: failureCode(e), rpc: rpcHost(this.deps.rpcUrl ?? "") },
          "chain poll failed; retrying every tick",
        );
      this.#rpcDown = isTransient(e);
    }
    this.#dispatch();
  }

  /**
   * Which accepted deals this replica holds now (assignment.ts over the live signers, by chain
   * time). A deal past its deadline is everyone's (closing it sends nothing); one with an outcome
   * already built is ours. An unknown signer set (no refresh yet) holds nothing.
   */
  async #assign(): Promise<void> {
    const seen = this.#signers.live;
    if (seen === undefined) return;
    const live = this.deps.liveSigners?.(seen) ?? seen;
    const chainNow = this.#clock.now();
    const held = new Map<DealId, Claim>();
    for (const d of this.deps.store.pending()) {
      if (d.status !== "accepted" || deadlinePassed(d.deadline, chainNow)) {
        held.set(d.id, "own");
        continue;
      }
      const acceptedAt = d.accepted_block === null ? 0 : await this.#signers.blockTime(d.accepted_block);
      const input = {
        dealId: d.id,
        self: this.deps.identity.address,
        live,
        acceptedAt,
        deadline: d.deadline,
        marginS: this.#attempt.marginS,
        takeoverAfterS: this.deps.takeoverAfterS ?? 120,
      };
      const claim = claimOf(input, chainNow);
      if (claim !== undefined) held.set(d.id, claim);
    }
    this.#held = held;
  }

  /** Starts the on-chain check of deals other replicas hold, each at most every FOREIGN_CHECK_MS. */
  #watchForeign(pending: readonly { id: DealId; status: string }[]): void {
    const now = Date.now();
    for (const d of pending) {
      if (d.status !== "accepted" || this.#held.has(d.id) || this.#checks.has(d.id)) continue;
      const due = this.#foreign.get(d.id) ?? now + FOREIGN_CHECK_MS;
      if (!this.#foreign.has(d.id)) this.#foreign.set(d.id, due);
      if (due > now) continue;
      this.#foreign.set(d.id, now + FOREIGN_CHECK_MS);
      const row = this.deps.store.get(d.id);
      if (row === undefined) continue;
      const p = checkForeignDeal(row, { ...this.#attempt }).finally(() => {
        this.#checks.delete(d.id);
        this.#watching.delete(d.id);
      });
      this.#watching.add(d.id);
      this.#checks.set(d.id, p);
    }
  }

  /** Starts reconciliation of submitted deals, work up to the slot limits, and listing verifications. */
  #dispatch(): void {
    if (!this.#running) return;
    this.listingVerifier?.dispatch();
    const pending = this.deps.store.pending((id, problem) => {
      if (this.#unreadable.has(id)) return;
      this.#unreadable.add(id);
      this.deps.logger.error(
        { dealId: id, problem },
        "a deal's row in the store cannot be read; it is skipped (restore the database file to resume it)",
      );
    });
    for (const d of pending) {
      if (d.status !== "submitted" || this.#checks.has(d.id) || this.#work.has(d.id)) continue;
      const p = reconcileSubmitted(d, { ...this.#attempt, outbox: this.outbox }).finally(() =>
        this.#checks.delete(d.id),
      );
      this.#checks.set(d.id, p);
    }
    this.#watchForeign(pending);
    const start = dealsToStartByClaim(
      pending,
      (id) => this.#held.get(id),
      [...this.#work.values()],
      (id) => this.#work.has(id) || this.#checks.has(id),
      {
        concurrency: this.deps.concurrency,
        wall: Date.now(),
        chainNow: this.#clock.now(),
        marginS: this.#attempt.marginS,
      },
    );
    for (const d of start) {
      const p = attemptDeal(d, this.#attempt).finally(() => this.#work.delete(d.id));
      this.#work.set(d.id, { seller: d.seller, retry: d.attempts > 0, p });
    }
  }

  /** Graceful stop: no new work; aborts in-flight work and waits for it at most stopGraceMs. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#abort.abort();
    const all = Promise.allSettled([
      this.#loop ?? Promise.resolve(),
      this.#registration.inFlight ?? Promise.resolve(),
      ...[...this.#work.values()].map((w) => w.p),
      ...this.#checks.values(),
      ...(this.listingVerifier?.queue.inFlight() ?? []),
    ]);
    let t: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (t = setTimeout(r, this.deps.stopGraceMs ?? 3000)))]);
    clearTimeout(t);
  }

  /** Abrupt stop for crash tests: drops in-flight work without waiting. */
  kill(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#abort.abort();
  }

  inFlight(): number {
    return this.#work.size + this.#checks.size + (this.listingVerifier?.queue.running ?? 0);
  }

  /**
   * The ids of the deals this replica holds now (for /health): those it works or reconciles, and
   * the accepted deals that are its own by the assignment (rank 0, or past their deadline) —
   * never a deal it only watches for another replica, nor a takeover turn it has not started.
   */
  heldDeals(): string[] {
    const own = [...this.#held].filter(([, c]) => c === "own" || c === "late").map(([id]) => id);
    const reconciling = [...this.#checks.keys()].filter((id) => !this.#watching.has(id));
    return [...new Set([...this.#work.keys(), ...reconciling, ...own])].map(String);
  }

  /**
   * The chain as this oracle sees it: the newest head the RPC gave, and the listener's last
   * processed block (the store's cursor; its timestamp once a pass has read it).
   */
  chainView(): {
    head: { number: number; timestamp: number } | undefined;
    processed: { number: number; timestamp: number | undefined } | undefined;
  } {
    const cursor = this.deps.store.cursor();
    const seen = this.listener.processed;
    return {
      head: this.#clock.head,
      processed:
        cursor === undefined
          ? undefined
          : { number: cursor, timestamp: seen?.number === cursor ? seen.timestamp : undefined },
    };
  }
}
