/**
 * The oracle's registration loop: registers (or renews) the oracle's key on-chain and knows until
 * when it holds. A refusal — typically MeasurementNotAllowed before the owner has allowed this
 * CVM — is logged and retried every tick, so the API stays up and the operator can fetch
 * GET /attestation to allow the measurement. A registration transaction still pending in the
 * outbox is reconciled, never signed again; a reorganisation forgets the expiry (the
 * registration may have been in the replaced blocks), so the next tick reads it again.
 */
import type { Logger } from "pino";
import { findDealProofError } from "../../sdk/src/errors.ts";
import { failureCode } from "./reason-codes.ts";
import type { Outbox } from "./outbox.ts";
import type { Submitter } from "./submitter.ts";
import type { TeeBackend } from "../tee/backend.ts";
import type { OracleIdentity } from "../tee/identity.ts";

export interface RegistrationDeps {
  outbox: Outbox;
  submitter: Submitter;
  tee: TeeBackend;
  identity: OracleIdentity;
  logger: Logger;
}

/** A registration ending within this many seconds of chain time is renewed. */
const RENEW_BEFORE_S = 3600n;

export class Registration {
  readonly #deps: RegistrationDeps;
  #pass: Promise<void> | undefined;
  /** Until when the oracle's registration holds (chain time), undefined when unknown or absent. */
  expiresAt: bigint | undefined;

  constructor(deps: RegistrationDeps) {
    this.#deps = deps;
  }

  /** The registration may be gone (a reorganisation): read it again on the next tick. */
  forget(): void {
    this.expiresAt = undefined;
  }

  /** Whether a first registration ended: registered, or nothing of ours is pending any more. */
  get resolved(): boolean {
    return this.expiresAt !== undefined || this.#deps.outbox.pendingFor("register") === undefined;
  }

  /** Starts a pass beside the tick when the registration is unknown or ends soon (one at a time). */
  renewIfDue(chainNow: number): void {
    if (this.#pass !== undefined) return;
    if (this.expiresAt !== undefined && this.expiresAt >= BigInt(chainNow) + RENEW_BEFORE_S) return;
    this.#pass = this.pass().finally(() => (this.#pass = undefined));
  }

  /** The pass in flight, if any (stop waits for it). */
  get inFlight(): Promise<void> | undefined {
    return this.#pass;
  }

  /** One registration pass; never throws (a refusal is logged and retried next tick). */
  async pass(): Promise<void> {
    const { outbox, submitter, tee, identity, logger } = this.#deps;
    try {
      const p = outbox.pendingFor("register");
      if (p !== undefined && (await outbox.reconcile(p.nonce)).kind === "pending") return;
      const r = await submitter.ensureRegistered();
      if ("pending" in r) return;
      this.expiresAt = r.expiresAt;
      logger.info({ signer: identity.address, expiresAt: r.expiresAt.toString() }, "oracle registration");
    } catch (e) {
      this.expiresAt = undefined;
      const info = await tee.info().catch(() => undefined);
      logger.error(
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
}
