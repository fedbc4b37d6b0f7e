/**
 * The oracle daemon: follows the chain, drives each accepted deal through the pipeline and the
 * submitter, and resumes from SQLite after any crash. Per deal:
 *   accepted → (build outcome, persisted) outcome_built → (signed tx stored, then broadcast)
 *   submitted → (our receipt, final) settled
 * Reorganisations (DESIGN.md §9): facts count at the final block only (the listener's cursor,
 * `confirmations` deep, its hash checked every pass); when the listener finds a reorganisation it
 * rewinds the store, which reopens what rested on the replaced blocks: our transactions mined
 * there are reconciled again (kept, re-broadcast unchanged, or, if their nonce went elsewhere,
 * re-submitted at a fresh nonce), deals settled or closed there are re-checked, and the
 * registration is read again.
 * Scheduling and budgets (DESIGN.md §9):
 * - work (building and submitting) runs in at most `concurrency` slots; deals on a retry take at
 *   most half of them, one seller at most half, fresh deals go first, and a failed deal waits a
 *   jittered exponential backoff before its next attempt — so no deal or party holds every slot;
 * - a deal whose dataset cannot be fetched after `maxAttempts` attempts, or that is still
 *   unfinished `deadlineMarginS` before its deadline, gets a "no deal" outcome with a reason code
 *   (the buyer's escrow returns at once); past its deadline it is closed (the buyer refunds);
 * - infrastructure faults (RPC) are retried with backoff and never turned into a refusal;
 * - submitted deals are reconciled against the chain in their own lane (cheap, not counted in
 *   the slots): a settlement is re-broadcast or fee-bumped under its nonce, never signed anew
 *   while it may still be mined.
 * stop() aborts in-flight work and returns within `stopGraceMs`: everything is persisted before
 * each step, so abandoned work resumes after a restart.
 */
import type { Logger } from "pino";
import type { Provider, Wallet } from "ethers";
import { ChainListener } from "./listener.ts";
import { buildOutcome, noDeal, RetryableError, type PipelineDeps, type Step } from "./pipeline.ts";
import { failureCode, storedCode } from "./reason-codes.ts";
import { DealProofError, findDealProofError } from "../../sdk/src/errors.ts";
import { Submitter, receiptSettles } from "./submitter.ts";
import { Outbox } from "./outbox.ts";
import { isTransient, backoffMs } from "../chain/retry.ts";
import { rpcHost } from "../chain/errors.ts";
import type { DealRow, Store, StoredOutcome } from "./store.ts";
import type { TeeBackend } from "../tee/backend.ts";
import type { OracleIdentity } from "../tee/identity.ts";
import type { Deployment } from "../chain/deployment.ts";
import { bindConfigDigest } from "./config-digest.ts";
import type { Hex } from "../../sdk/src/eip712.ts";

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
  pipeline: Omit<PipelineDeps, "chainId" | "contract" | "encryptionPrivateKey" | "onStep" | "signal">;
  /** Test hook: called as each step starts; throwing simulates a crash at that step. */
  onStep?: (step: Step, dealId: string) => void | Promise<void>;
  /** Called when a deal reaches a terminal state in the store. */
  onDone?: (dealId: string, status: "settled" | "closed") => void;
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
}

export class OracleDaemon {
  readonly deps: DaemonDeps;
  readonly submitter: Submitter;
  readonly outbox: Outbox;
  readonly listener: ChainListener;
  readonly #work = new Map<string, { seller: string; retry: boolean; p: Promise<void> }>();
  readonly #checks = new Map<string, Promise<void>>();
  /** Deals whose store row cannot be read: logged once each, skipped. */
  readonly #unreadable = new Set<string>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #head: { number: number; timestamp: number; seenAt: number } | undefined;
  #rpcDown = false;
  #registering: Promise<void> | undefined;
  registrationExpiresAt: bigint | undefined;

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
    this.listener = new ChainListener(deps.provider, deps.store, {
      address: deps.deployment.dealProof,
      startBlock: deps.startBlock ?? deps.deployment.deployBlock,
      confirmations: deps.confirmations,
      logger: deps.logger,
      // a registration in the replaced blocks may be gone: read it again on the next tick
      onReorg: () => (this.registrationExpiresAt = undefined),
    });
  }

  get #margin() {
    return this.deps.deadlineMarginS ?? 300;
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
        await this.#register();
        if (this.registrationExpiresAt !== undefined || this.outbox.pendingFor("register") === undefined)
          break;
        if (Date.now() > until || !this.#running) break;
        await new Promise((r) => setTimeout(r, Math.min(this.deps.pollMs, 1000)));
      }
    }
    this.#schedule(0);
  }

  /**
   * Registers (or renews) the oracle's key, one pass. A refusal — typically MeasurementNotAllowed
   * before the owner has allowed this CVM — is logged and retried every tick, so the API stays up
   * and the operator can fetch GET /attestation to allow the measurement.
   */
  async #register(): Promise<void> {
    try {
      const p = this.outbox.pendingFor("register");
      if (p !== undefined && (await this.outbox.reconcile(p.nonce)).kind === "pending") return;
      const r = await this.submitter.ensureRegistered();
      if ("pending" in r) return;
      this.registrationExpiresAt = r.expiresAt;
      this.deps.logger.info(
        { signer: this.deps.identity.address, expiresAt: r.expiresAt.toString() },
        "oracle registration",
      );
    } catch (e) {
      this.registrationExpiresAt = undefined;
      const info = await this.deps.tee.info().catch(() => undefined);
      this.deps.logger.error(
        {
          code: failureCode(e),
          err: (e as Error).message.slice(0, 300),
          hint: findDealProofError(e)?.hint,
          measurementId: info?.measurementId,
        },
        "registration refused; allow this measurement (npx hardhat measurement:allow) — retrying",
      );
    }
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#loop = this.tick()
        .catch((e: unknown) => this.deps.logger.error({ err: (e as Error).message }, "tick failed; retrying"))
        .finally(() => this.#schedule(this.deps.pollMs));
    }, ms);
  }

  /** Chain time now: the newest block's timestamp plus the wall-clock time since it was first seen. */
  #chainNow(): number {
    if (this.#head === undefined) return Math.floor(Date.now() / 1000);
    return this.#head.timestamp + Math.floor((Date.now() - this.#head.seenAt) / 1000);
  }

  /**
   * One pass: start work on what the store holds, catch up with the chain, start work on what it
   * brought. Registration renewal runs beside it, so no single request blocks the pass (each
   * request is bounded by the transport's timeout and attempts).
   */
  async tick(): Promise<void> {
    const now = BigInt(this.#chainNow());
    if (
      this.deps.register &&
      this.#registering === undefined &&
      (this.registrationExpiresAt === undefined || this.registrationExpiresAt < now + 3600n)
    ) {
      this.#registering = this.#register().finally(() => (this.#registering = undefined));
    }
    this.#dispatch();
    try {
      const head = (await this.deps.provider.getBlock("latest"))!;
      // chain time runs on from the moment a block was first seen (not re-seen)
      if (this.#head?.number !== head.number)
        this.#head = { number: head.number, timestamp: head.timestamp, seenAt: Date.now() };
      await this.listener.poll(head.number);
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

  /** Starts reconciliation of submitted deals, and work up to the slot limits. */
  #dispatch(): void {
    if (!this.#running) return;
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
      const p = this.#check(d).finally(() => this.#checks.delete(d.id));
      this.#checks.set(d.id, p);
    }
    const wall = Date.now();
    const chainNow = this.#chainNow();
    const ready = pending
      .filter(
        (d) =>
          d.status !== "submitted" &&
          !this.#work.has(d.id) &&
          !this.#checks.has(d.id) &&
          (d.next_attempt_at <= wall || chainNow >= d.deadline - this.#margin),
      )
      .sort((a, b) => Math.sign(a.attempts) - Math.sign(b.attempts) || a.created_block - b.created_block);
    const half = Math.max(1, Math.ceil(this.deps.concurrency / 2));
    for (const d of ready) {
      if (this.#work.size >= this.deps.concurrency) break;
      const busy = [...this.#work.values()];
      const retry = d.attempts > 0;
      if (retry && busy.filter((w) => w.retry).length >= half) continue;
      if (busy.filter((w) => w.seller === d.seller).length >= half) continue;
      const p = this.#process(d).finally(() => this.#work.delete(d.id));
      this.#work.set(d.id, { seller: d.seller, retry, p });
    }
  }

  /** Reconciles a submitted deal's transaction with the chain. */
  async #check(deal: DealRow): Promise<void> {
    const log = this.deps.logger.child({ dealId: deal.id });
    try {
      const tx = deal.tx_hash === null ? undefined : this.deps.store.txByHash(deal.tx_hash);
      if (tx === undefined) {
        this.deps.store.resetSubmission(deal.id);
        return;
      }
      const epoch = this.deps.store.reorgEpoch();
      const r = await this.outbox.reconcile(tx.nonce);
      if (r.kind === "pending") return;
      if (r.kind === "mined" && receiptSettles(r.receipt, deal.id)) {
        await this.deps.onStep?.("settled", deal.id);
        // a rewind since the receipt was read may have replaced its block: check again next tick
        if (this.deps.store.reorgEpoch() !== epoch) return;
        this.deps.store.markSettled(deal.id, {
          settledBy: "oracle",
          txHash: r.receipt.hash,
          gasUsed: r.receipt.gasUsed.toString(),
          atBlock: r.receipt.blockNumber,
        });
        log.info({ txHash: r.receipt.hash, gasUsed: r.receipt.gasUsed.toString() }, "deal settled");
        this.deps.onDone?.(deal.id, "settled");
        return;
      }
      // mined and reverted, or its nonce went elsewhere: that transaction can never settle the
      // deal, so the same outcome may be submitted again (after a fresh check of the deal)
      log.warn(
        { txHash: tx.hash, result: r.kind === "mined" ? "reverted" : "dropped" },
        "the settlement transaction did not settle the deal; resubmitting",
      );
      this.deps.store.resetSubmission(deal.id);
    } catch (e) {
      this.#failed(deal, e, log, false);
    }
  }

  async #process(deal: DealRow): Promise<void> {
    const log = this.deps.logger.child({ dealId: deal.id });
    try {
      let row = deal;
      if (row.status === "accepted") {
        const built = await this.#outcome(row, log);
        if (built === undefined) return;
        const outcome = this.deps.configDigest ? bindConfigDigest(built, this.deps.configDigest) : built;
        this.deps.store.saveOutcome(row.id, outcome);
        log.info({ agreed: outcome.settlement.agreed, reason: outcome.reason }, "outcome built");
        row = this.deps.store.get(row.id)!;
      }
      await this.deps.onStep?.("outcome_built", row.id);
      const outcome = row.outcome!;
      const epoch = this.deps.store.reorgEpoch();
      const r = await this.submitter.submit(outcome, row.deadline);
      if (r.kind === "sent") {
        log.info({ txHash: r.tx.hash, nonce: r.tx.nonce }, "settlement sent");
        await this.deps.onStep?.("submitted", row.id);
        return;
      }
      // what the chain said before a rewind may be replaced: the next attempt reads it again
      if (this.deps.store.reorgEpoch() !== epoch) return;
      if (r.kind === "already_settled") {
        this.deps.store.markSettled(row.id, { settledBy: "oracle", atBlock: r.atBlock });
        log.info("deal already settled on-chain with this outcome");
        this.deps.onDone?.(row.id, "settled");
        return;
      }
      this.deps.store.markClosed(row.id, `${r.code}: ${r.why}`, r.atBlock);
      log.warn({ code: r.code }, "deal closed without our settlement");
      this.deps.onDone?.(row.id, "closed");
    } catch (e) {
      this.#failed(deal, e, log, true);
    }
  }

  /** The deal's outcome, or undefined when it waits for another attempt. */
  async #outcome(row: DealRow, log: Logger): Promise<StoredOutcome | undefined> {
    const chainNow = this.#chainNow();
    if (chainNow >= row.deadline) {
      this.deps.store.markClosed(
        row.id,
        "deadline_passed: the deadline passed before an outcome; the buyer can refund",
      );
      log.warn({ code: "deadline_passed" }, "deal closed without an outcome");
      this.deps.onDone?.(row.id, "closed");
      return undefined;
    }
    const lastCode = row.last_code ?? "none";
    if (chainNow >= row.deadline - this.#margin)
      return noDeal(row, `out_of_time (${lastCode}): the deal could not finish before its deadline`);
    try {
      return await buildOutcome(row, {
        ...this.deps.pipeline,
        chainId: BigInt(this.deps.deployment.chainId),
        contract: this.deps.deployment.dealProof,
        encryptionPrivateKey: this.deps.identity.encryptionPrivateKey,
        onStep: this.deps.onStep,
        signal: this.#abort.signal,
      });
    } catch (e) {
      // only the seller's dataset counts against the attempts: infrastructure faults (the model,
      // the RPC) are retried until the deadline margin, never turned into a refusal
      if (
        e instanceof RetryableError &&
        e.code === "dataset.fetch_failed" &&
        row.attempts + 1 >= (this.deps.maxAttempts ?? 6) &&
        this.#running
      )
        return noDeal(
          row,
          `dataset_unavailable (${storedCode(e.code)}): the dataset could not be fetched in ${row.attempts + 1} attempts`,
        );
      throw e;
    }
  }

  /** Records a failed attempt with its code and schedules the next one after a backoff. */
  #failed(deal: DealRow, e: unknown, log: Logger, counts: boolean): void {
    if (!this.#running) return; // shutting down: the deal resumes on restart as it was
    const code = failureCode(e);
    const transient = e instanceof RetryableError || isTransient(e);
    const delay = counts
      ? this.deps.retryBaseMs === 0
        ? 0
        : Math.max(
            this.deps.pollMs,
            backoffMs(deal.attempts + 1, this.deps.retryBaseMs ?? 1000, this.deps.retryMaxMs ?? 30_000),
          )
      : 0;
    let attempts: number;
    try {
      attempts = counts
        ? this.deps.store.recordError(deal.id, code, (e as Error).message, Date.now() + delay)
        : deal.attempts;
    } catch {
      return; // the store is closed: the process is going down; the deal resumes on restart
    }
    log.warn({ code, attempts, transient, retryInMs: delay }, "deal step failed; will retry");
  }

  /** Graceful stop: no new work; aborts in-flight work and waits for it at most stopGraceMs. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#abort.abort();
    const all = Promise.allSettled([
      this.#loop ?? Promise.resolve(),
      this.#registering ?? Promise.resolve(),
      ...[...this.#work.values()].map((w) => w.p),
      ...this.#checks.values(),
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
    return this.#work.size + this.#checks.size;
  }
}
