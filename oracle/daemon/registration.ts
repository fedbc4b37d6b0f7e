/**
 * The oracle's registration loop: registers (or renews) the oracle's key on-chain and knows until
 * when it holds. A refusal — typically MeasurementNotAllowed before the owner has allowed this
 * CVM — is logged and retried every tick, so the API stays up and the operator can fetch
 * GET /attestation to allow the measurement. A registration transaction still pending in the
 * outbox is reconciled, never signed again; a reorganisation forgets the expiry (the
 * registration may have been in the replaced blocks), so the next tick reads it again.
 *
 * The rules (docs/operations.md, "Replicas"):
 * - Renewal. Each tick reads the TTL in force (`registrationTtl()`, which the owner may shorten at
 *   any time: expiry is issuedAt + the TTL in force) and the current signer. A registration is
 *   renewed once it ends within min(3600 s, TTL / 2) of chain time (renewalMarginS), so it is
 *   renewed at most once per half-TTL — never every tick, however short the TTL — and a TTL
 *   shortened mid-life is seen on the next tick and renewed before the registration expires.
 * - Taking over as current. Dapps seal to `currentOracle()`; when the current signer is revoked
 *   (the contract clears it), expired or otherwise untrusted, no new deal can be sealed until a
 *   replica registers again. A replica whose own signer is trusted then re-registers so it becomes
 *   current, in turn: the live trusted signers ranked by address (lowest first), rank k going once
 *   chain time reaches the moment the fault was first seen + k × RECOVERY_STEP_S (recoveryTurn) —
 *   so the first goes at once and the others only if it is gone, never all at one tick. It asks
 *   only while no registration of its own is pending in the outbox, and re-checks the current
 *   signer just before signing (another may have fixed it). A new replica being current before the
 *   others' signer sets know it is no fault: the trust rule is read from the contract first.
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

/** The renewal margin's cap: a registration ending within an hour is renewed (long TTLs). */
const RENEW_BEFORE_MAX_S = 3600;
/** Chain seconds between one replica's turn to take over as current and the next one's. */
export const RECOVERY_STEP_S = 60;

/**
 * How long before its expiry a registration is renewed: min(`maxS`, TTL / 2). A registration
 * renewed at that point lives on for at least half the TTL, so renewals come once per half-TTL.
 */
export function renewalMarginS(ttl: bigint, maxS = RENEW_BEFORE_MAX_S): bigint {
  const half = ttl / 2n;
  return half < BigInt(maxS) ? half : BigInt(maxS);
}

/**
 * Whether `self` may re-register now to replace an untrusted current signer first seen at chain
 * time `since`: its rank among the `trusted` signers by address (lowest first) is k, and chain
 * time `now` has reached since + k × `stepS`. False when `self` is not trusted itself.
 */
export function recoveryTurn(
  self: string,
  trusted: readonly string[],
  since: number,
  now: number,
  stepS = RECOVERY_STEP_S,
): boolean {
  const ranked = [...new Set(trusted.map((s) => s.toLowerCase()))].sort();
  const rank = ranked.indexOf(self.toLowerCase());
  return rank >= 0 && now >= since + rank * stepS;
}

export class Registration {
  readonly #deps: RegistrationDeps;
  #pass: Promise<void> | undefined;
  /** This signer's registration (issuedAt) and the TTL in force, as last read. */
  #issuedAt: bigint | undefined;
  #ttl: bigint | undefined;
  /** Chain time the current signer was first seen untrusted (undefined while it is trusted). */
  #untrustedSince: number | undefined;
  #readFailing = false;

  constructor(deps: RegistrationDeps) {
    this.#deps = deps;
  }

  /** Until when the oracle's registration holds (chain time), undefined when unknown or absent. */
  get expiresAt(): bigint | undefined {
    return this.#issuedAt === undefined || this.#ttl === undefined ? undefined : this.#issuedAt + this.#ttl;
  }

  /** The registration may be gone (a reorganisation): read it again on the next tick. */
  forget(): void {
    this.#issuedAt = undefined;
  }

  /** Whether a first registration ended: registered, or nothing of ours is pending any more. */
  get resolved(): boolean {
    return this.expiresAt !== undefined || this.#deps.outbox.pendingFor("register") === undefined;
  }

  /**
   * Starts a check beside the tick (one at a time): renews the registration when it is unknown or
   * ends within the margin under the TTL in force, or re-registers to become current when the
   * current signer is untrusted and it is this replica's turn. `trusted`: the signers the trust
   * rule held for at the last refresh (signer-set.ts), undefined before the first.
   */
  renewIfDue(chainNow: number, trusted?: readonly string[]): void {
    if (this.#pass !== undefined) return;
    this.#pass = this.#check(chainNow, trusted).finally(() => (this.#pass = undefined));
  }

  /** The pass in flight, if any (stop waits for it). */
  get inFlight(): Promise<void> | undefined {
    return this.#pass;
  }

  async #check(chainNow: number, trusted: readonly string[] | undefined): Promise<void> {
    const { outbox, submitter, identity, logger } = this.#deps;
    if (this.expiresAt === undefined || outbox.pendingFor("register") !== undefined) return this.pass();
    let view: { ttl: bigint; currentSigner: string };
    try {
      view = await submitter.registryView();
    } catch (e) {
      // once per outage: the tick reports the RPC itself
      if (!this.#readFailing)
        logger.warn({ code: failureCode(e) }, "registry read failed; retrying each tick");
      this.#readFailing = true;
      return;
    }
    this.#readFailing = false;
    if (view.ttl !== this.#ttl)
      logger.info({ ttl: view.ttl.toString() }, "registration TTL in force changed; expiry recomputed");
    this.#ttl = view.ttl;
    if (this.expiresAt! < BigInt(chainNow) + renewalMarginS(view.ttl)) return this.pass();
    const current = view.currentSigner.toLowerCase();
    const self = identity.address.toLowerCase();
    if (current === self || trusted === undefined) return void (this.#untrustedSince = undefined);
    // a signer the last refresh did not hold trusted (or none): read the rule itself before acting
    // (a replica that just registered for the first time is not in the set yet)
    if (trusted.includes(current) || (await submitter.currentIsTrusted(BigInt(chainNow)).catch(() => true)))
      return void (this.#untrustedSince = undefined);
    this.#untrustedSince ??= chainNow;
    if (!recoveryTurn(self, trusted, this.#untrustedSince, chainNow)) return;
    logger.warn(
      { current: view.currentSigner, since: this.#untrustedSince },
      "the current oracle signer is untrusted; registering again to become current",
    );
    return this.pass(true);
  }

  /** One registration pass; never throws (a refusal is logged and retried next tick). */
  async pass(takeCurrent = false): Promise<void> {
    const { outbox, submitter, tee, identity, logger } = this.#deps;
    try {
      const p = outbox.pendingFor("register");
      if (p !== undefined && (await outbox.reconcile(p.nonce)).kind === "pending") return;
      const r = await submitter.ensureRegistered(RENEW_BEFORE_MAX_S, { takeCurrent });
      if ("pending" in r) return;
      this.#issuedAt = r.issuedAt;
      this.#ttl = r.ttl;
      logger.info({ signer: identity.address, expiresAt: r.expiresAt.toString() }, "oracle registration");
    } catch (e) {
      this.#issuedAt = undefined;
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
