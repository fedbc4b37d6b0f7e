/**
 * The oracle daemon: follows the chain, drives each accepted deal through the pipeline and the
 * submitter with bounded concurrency, and resumes from SQLite after any crash. Per deal:
 *   accepted → (build outcome, persisted) outcome_built → (tx sent, hash persisted) submitted → settled
 * A restart re-submits a persisted outcome rather than renegotiating, and checks the chain first.
 */
import type { Logger } from "pino";
import type { Provider, Signer } from "ethers";
import { ChainListener } from "./listener.ts";
import { buildOutcome, RetryableError, type PipelineDeps, type Step } from "./pipeline.ts";
import { Submitter, isTransient, withRetry } from "./submitter.ts";
import type { DealRow, Store, StoredOutcome } from "./store.ts";
import type { TeeBackend } from "../tee/backend.ts";
import type { OracleIdentity } from "../tee/identity.ts";
import type { Deployment } from "../protocol/deployment.ts";

export interface DaemonDeps {
  deployment: Deployment;
  provider: Provider;
  sender: Signer;
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
  pipeline: Omit<PipelineDeps, "chainId" | "contract" | "encryptionPrivateKey" | "onStep">;
  /** Test hook: called as each step starts; throwing simulates a crash at that step. */
  onStep?: (step: Step, dealId: string) => void | Promise<void>;
  /** Called when a deal reaches a terminal state in the store. */
  onDone?: (dealId: string, status: "settled" | "closed") => void;
  maxAttempts?: number;
}

export class OracleDaemon {
  readonly deps: DaemonDeps;
  readonly submitter: Submitter;
  readonly listener: ChainListener;
  #inFlight = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  registrationExpiresAt: bigint | undefined;

  constructor(deps: DaemonDeps) {
    this.deps = deps;
    this.submitter = new Submitter({
      provider: deps.provider,
      sender: deps.sender,
      address: deps.deployment.dealProof,
      chainId: BigInt(deps.deployment.chainId),
      mode: deps.settleMode,
      tee: deps.tee,
      identity: deps.identity,
    });
    this.listener = new ChainListener(deps.provider, deps.store, {
      address: deps.deployment.dealProof,
      startBlock: deps.startBlock ?? deps.deployment.deployBlock,
      confirmations: deps.confirmations,
    });
  }

  async start(): Promise<void> {
    const chainId = (await withRetry("getNetwork", () => this.deps.provider.getNetwork())).chainId;
    if (chainId !== BigInt(this.deps.deployment.chainId)) {
      throw new Error(
        `the RPC serves chain ${chainId}, but the deployment file is for chain ${this.deps.deployment.chainId}`,
      );
    }
    if (this.deps.register) await this.#register();
    this.#running = true;
    this.#schedule(0);
  }

  /**
   * Registers (or renews) the oracle's key. A refusal — typically MeasurementNotAllowed before the
   * owner has allowed this CVM — is logged and retried every tick, so the API stays up and the
   * operator can fetch GET /attestation to allow the measurement.
   */
  async #register(): Promise<void> {
    try {
      const r = await withRetry("registration", () => this.submitter.ensureRegistered());
      this.registrationExpiresAt = r.expiresAt;
      this.deps.logger.info(
        { signer: this.deps.identity.address, registered: r.registered, expiresAt: r.expiresAt.toString() },
        "oracle registration",
      );
    } catch (e) {
      this.registrationExpiresAt = undefined;
      const info = await this.deps.tee.info().catch(() => undefined);
      this.deps.logger.error(
        { err: (e as Error).message.slice(0, 300), measurementId: info?.measurementId },
        "registration refused; allow this measurement (npx hardhat measurement:allow) — retrying",
      );
    }
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#loop = this.tick().finally(() => this.#schedule(this.deps.pollMs));
    }, ms);
  }

  /** One pass: catch up with the chain, then start work on pending deals up to the limit. */
  async tick(): Promise<void> {
    const now = BigInt(Math.floor(Date.now() / 1000));
    if (
      this.deps.register &&
      (this.registrationExpiresAt === undefined || this.registrationExpiresAt < now + 3600n)
    ) {
      await this.#register();
    }
    try {
      await this.listener.poll();
    } catch (e) {
      this.deps.logger.warn({ err: (e as Error).message }, "chain poll failed; retrying next tick");
    }
    for (const deal of this.deps.store.pending()) {
      if (!this.#running || this.#inFlight.size >= this.deps.concurrency) break;
      if (this.#inFlight.has(deal.id)) continue;
      const p = this.#process(deal).finally(() => this.#inFlight.delete(deal.id));
      this.#inFlight.set(deal.id, p);
    }
  }

  async #process(deal: DealRow): Promise<void> {
    const log = this.deps.logger.child({ dealId: deal.id });
    try {
      let row = deal;
      if (row.status === "submitted" && row.tx_hash !== null) {
        const receipt = await this.submitter.receiptOf(row.tx_hash);
        if (receipt !== null && receipt.status === 1) {
          const r = this.submitter.checkReceipt(receipt, row.id);
          if (r.kind === "settled") return this.#done(row.id, "settled", receipt.gasUsed.toString(), log);
        }
        if (receipt !== null)
          log.warn({ txHash: row.tx_hash }, "the settlement transaction reverted; resubmitting");
        // never mined, or mined and reverted: submit the same outcome again (submit re-checks the
        // deal's state first, so a deal settled meanwhile is recognised, not settled twice)
        this.deps.store.resetSubmission(row.id);
        row = this.deps.store.get(row.id)!;
      }
      if (row.status === "accepted") {
        const outcome = await buildOutcome(row, {
          ...this.deps.pipeline,
          chainId: BigInt(this.deps.deployment.chainId),
          contract: this.deps.deployment.dealProof,
          encryptionPrivateKey: this.deps.identity.encryptionPrivateKey,
          onStep: this.deps.onStep,
        });
        this.deps.store.saveOutcome(row.id, outcome);
        log.info({ agreed: outcome.settlement.agreed, reason: outcome.reason }, "outcome built");
        row = this.deps.store.get(row.id)!;
      }
      await this.deps.onStep?.("outcome_built", row.id);
      const outcome = JSON.parse(row.outcome!) as StoredOutcome;
      const r = await this.submitter.submit(outcome, async (hash) => {
        this.deps.store.markSubmitted(row.id, hash);
        log.info({ txHash: hash }, "settlement sent");
        await this.deps.onStep?.("submitted", row.id);
      });
      if (r.kind === "already_settled") {
        this.#done(row.id, "settled", "", log);
        return;
      }
      if (r.kind === "closed") {
        this.deps.store.markClosed(row.id, r.why);
        log.warn({ why: r.why }, "deal closed without our settlement");
        this.deps.onDone?.(row.id, "closed");
        return;
      }
      if (r.kind === "settled") {
        await this.deps.onStep?.("settled", row.id);
        this.#done(row.id, "settled", r.receipt.gasUsed.toString(), log);
      }
    } catch (e) {
      const msg = (e as Error).message;
      let attempts: number;
      try {
        attempts = this.deps.store.recordError(deal.id, msg);
      } catch {
        return; // the store is closed: the process is going down; the deal resumes on restart
      }
      const transient = e instanceof RetryableError || isTransient(e);
      log.warn({ err: msg, attempts, transient }, "deal step failed; will retry");
      if (!transient && attempts >= (this.deps.maxAttempts ?? 5))
        log.error({ attempts }, "deal keeps failing; it stays pending for an operator");
    }
  }

  #done(id: string, status: "settled", gasUsed: string, log: Logger): void {
    this.deps.store.markSettled(id, gasUsed);
    log.info({ gasUsed }, "deal settled");
    this.deps.onDone?.(id, status);
  }

  /** Graceful stop: no new work; waits for in-flight deals to reach a persisted state. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#loop?.catch(() => undefined);
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  /** Abrupt stop for crash tests: drops in-flight work without waiting. */
  kill(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  inFlight(): number {
    return this.#inFlight.size;
  }
}
