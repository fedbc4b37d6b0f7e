/**
 * Prepares settlements and registrations and hands them to the outbox (the one sender). Checks
 * the deal on-chain first (never settles a deal that is not Accepted), builds the quote or the
 * signature over the outcome's EIP-712 digest, estimates gas (a revert is classified by the
 * custom error's selector, never by message text), and reads receipts back.
 * A deal that is not Accepted at the chain's head is closed only on its state at the final block
 * (the listener's cursor, DESIGN.md §9): a refund or settlement newer than that may still be
 * replaced by a reorganisation, so the deal waits; a deal the chain no longer knows (its events
 * were replaced) waits for their re-inclusion until its deadline (deadlinePassed, chain-clock.ts:
 * the one deadline rule). The errors it throws carry codes that classifyFailure (chain/retry.ts)
 * reads: a deal the chain is not ready for waits, anything else is the daemon's to retry.
 * Invariant: nothing here signs or sends a transaction; the outbox does, once per nonce.
 */
import type { Provider, TransactionReceipt } from "ethers";
import { DealProofError } from "../../sdk/src/errors.ts";
import { dealStateName, type DealStateName } from "../../sdk/src/deal-state.ts";
import {
  dealProofDomain,
  reportDataFor,
  settlementDigest,
  type Eip712Domain,
  type Hex,
  type Settlement,
} from "../../sdk/src/eip712.ts";
import {
  connectDealProof,
  dealProofInterface,
  parseDealProofLog,
  type DealProof,
} from "../chain/dealproof.ts";
import type { TeeBackend } from "../tee/backend.ts";
import type { OracleIdentity } from "../tee/identity.ts";
import type { DealId, StoredOutcome, TxRow } from "./store.ts";
import type { Outbox } from "./outbox.ts";
import { deadlinePassed } from "./chain-clock.ts";
import { renewalMarginS } from "./registration.ts";
import { isTrustedSigner } from "../chain/trusted-signer.ts";

/** Why a deal closes without a settlement of ours. */
type CloseCode = "refunded" | "settled_by_other" | "deadline_passed";

export type SubmitResult =
  | { kind: "sent"; tx: TxRow }
  /** `atBlock`: the final block the deal's state was read at, when the chain's state closed it. */
  | { kind: "closed"; code: CloseCode; why: string; atBlock?: number }
  /** Settled on-chain with exactly our outcome, by a transaction not in our outbox (as of `atBlock`). */
  | { kind: "already_settled"; atBlock: number };

/** The deal is not Accepted at the head, and what it is instead is not final yet: wait. */
export class DealStateNotFinalError extends DealProofError<"deal.state_not_final"> {
  override name = "DealStateNotFinalError";
  constructor(dealId: DealId, head: DealStateName, final: DealStateName | undefined) {
    super(
      "deal.state_not_final",
      `deal ${dealId} is ${head} at the chain's head but ${final ?? "not yet read"} at the confirmation depth`,
      {
        hint: "nothing to do: the oracle waits until the deal's state is final (DEALPROOF_CONFIRMATIONS deep) before it settles or closes it",
      },
    );
  }
}

/**
 * The buyer of the deal holds a live cancel option (a request that has not lapsed, or any pending
 * change where CANCEL_NOTICE is 0): a settlement carrying the delivery could be front-run by the
 * buyer's cancel once it is in the mempool, leaving the buyer with the key and a refund
 * (DESIGN.md §2). The oracle waits: the option lapses (CANCEL_WINDOW, the change's end) or the
 * buyer leaves and the deal is refunded.
 */
export class CancelOptionLiveError extends DealProofError<"deal.cancel_option_live"> {
  override name = "CancelOptionLiveError";
  constructor(dealId: DealId) {
    super(
      "deal.cancel_option_live",
      `deal ${dealId}: its buyer may cancel it (a widening change is pending), so the delivery is not sent yet`,
      {
        hint: "nothing to do: the oracle settles once the buyer's cancel request lapses or the change ends; if the buyer cancels, the deal is refunded",
      },
    );
  }
}

/** A settlement the contract refuses for now (e.g. MeasurementNotAllowed); the deal stays pending. */
export class SettlementRefusedError extends DealProofError<"settlement.refused"> {
  override name = "SettlementRefusedError";
  readonly revert: string;
  constructor(method: string, revert: string, cause: unknown) {
    super("settlement.refused", `DealProof refuses ${method} for now: ${revert}`, {
      cause,
      hint: "the deal stays pending and is retried; if the revert is MeasurementNotAllowed, allow this oracle's measurement (measurement:allow)",
    });
    this.revert = revert;
  }
}

/** The custom error name of a reverted call, when the ABI knows its selector. */
function revertName(e: unknown): string | undefined {
  const data =
    (e as { data?: string; info?: { error?: { data?: string } } })?.data ??
    (e as { info?: { error?: { data?: string } } })?.info?.error?.data;
  if (typeof data !== "string" || data.length < 10) return undefined;
  try {
    return dealProofInterface.parseError(data)?.name;
  } catch {
    return undefined;
  }
}

function toSettlement(o: StoredOutcome["settlement"]): Settlement {
  return {
    dealId: o.dealId,
    agreed: o.agreed,
    price: BigInt(o.price),
    termsHash: o.termsHash as Hex,
    dataRoot: o.dataRoot as Hex,
    transcriptHash: o.transcriptHash as Hex,
    delivery: o.delivery as Hex,
  };
}

/** Whether a receipt is a successful transaction that emitted DealSettled for `dealId`. */
export function receiptSettles(receipt: TransactionReceipt, dealId: DealId): boolean {
  if (receipt.status !== 1) return false;
  return receipt.logs.some((l) => {
    try {
      return parseDealProofLog(l, "DealSettled")?.args.dealId === dealId;
    } catch {
      return false;
    }
  });
}

export interface SubmitterDeps {
  provider: Provider;
  outbox: Outbox;
  address: string;
  chainId: bigint;
  mode: "quote" | "signature";
  tee: TeeBackend;
  identity: OracleIdentity;
  /** The newest block whose facts are final (the listener's cursor), undefined before the first scan. */
  finalBlock: () => number | undefined;
}

export class Submitter {
  readonly domain: Eip712Domain;
  readonly #contract: DealProof;
  readonly #provider: Provider;
  private readonly deps: SubmitterDeps;

  constructor(deps: SubmitterDeps) {
    this.deps = deps;
    this.#provider = deps.provider;
    this.#contract = connectDealProof(deps.address, deps.provider);
    this.domain = dealProofDomain(deps.chainId, deps.address);
  }

  async dealState(dealId: DealId, blockTag?: number): Promise<{ state: DealStateName; deadline: number }> {
    const d = await this.#contract.getDeal(dealId, blockTag === undefined ? {} : { blockTag });
    return { state: dealStateName(d.state), deadline: Number(d.deadline) };
  }

  /**
   * Checks the deal, builds the proof, estimates gas and hands the transaction to the outbox.
   * `deadline` is the deal's as its DealCreated event said (the chain forgets it once closed).
   */
  async submit(outcome: StoredOutcome, deadline: number): Promise<SubmitResult> {
    const dealId = outcome.settlement.dealId;
    const { state } = await this.dealState(dealId);
    const now = (await this.#provider.getBlock("latest"))!.timestamp;
    const late = deadlinePassed(deadline, now);
    if (state !== "Accepted") return this.#notAccepted(outcome, state, late);
    if (late)
      return {
        kind: "closed",
        code: "deadline_passed",
        why: "the deadline passed before settlement; the buyer can refund",
      };

    const s = toSettlement(outcome.settlement);
    // Checked once, before anything is signed. A request made after this read cannot front-run
    // the transaction sent now: it completes CANCEL_NOTICE (1 hour on public chains) later, while
    // the outbox bumps this transaction's fee until it is mined.
    if (s.delivery !== "0x" && (await this.#contract.buyerCancelLive(s.dealId)))
      throw new CancelOptionLiveError(dealId);
    const digest = settlementDigest(this.domain, s);
    const method = this.deps.mode === "quote" ? "settleWithQuote" : "settleWithSignature";
    const proof =
      this.deps.mode === "quote"
        ? (await this.deps.tee.getQuote(reportDataFor(digest))).quote
        : this.deps.identity.signDigest(digest);
    let gas: bigint;
    try {
      gas = await this.#contract[method].estimateGas(s, proof, { from: this.deps.outbox.address });
    } catch (e) {
      const name = revertName(e);
      // the state moved since it was read: the next attempt reads it again (at the final block)
      if (name === "InvalidState") throw new DealStateNotFinalError(dealId, "Accepted", undefined);
      if (name === "DeadlinePassed")
        return { kind: "closed", code: "deadline_passed", why: "the deadline passed before settlement" };
      // anything else (measurement disallowed, registration expired, ...) may be fixed by the
      // owner or by re-registration: the deal stays pending and is retried, with the reason kept
      if (name !== undefined) throw new SettlementRefusedError(method, name, e);
      throw e;
    }
    const tx = await this.deps.outbox.send({
      purpose: "settle",
      dealId,
      to: this.deps.address,
      data: (await this.#contract[method].populateTransaction(s, proof)).data,
      gasLimit: (gas * 12n) / 10n + 10_000n,
    });
    return { kind: "sent", tx };
  }

  /**
   * A deal not Accepted at the head (`head` is its state there): closed or settled on its state
   * at the final block, or left to wait (DealStateNotFinalError) while that differs or the chain
   * does not know the deal (None, or Open after its acceptance was replaced) before its deadline.
   */
  async #notAccepted(
    outcome: StoredOutcome,
    head: DealStateName,
    pastDeadline: boolean,
  ): Promise<SubmitResult> {
    const dealId = outcome.settlement.dealId;
    const final = this.deps.finalBlock();
    const state = final === undefined ? undefined : (await this.dealState(dealId, final)).state;
    if (final !== undefined && state === "Settled" && head === "Settled") {
      if (await this.settledWith(outcome, final)) return { kind: "already_settled", atBlock: final };
      return {
        kind: "closed",
        code: "settled_by_other",
        why: "the deal was settled with another outcome",
        atBlock: final,
      };
    }
    if (final !== undefined && state === "Refunded" && head === "Refunded")
      return { kind: "closed", code: "refunded", why: "the deal was refunded", atBlock: final };
    if (pastDeadline && (head === "None" || head === "Open") && state !== "Accepted")
      return {
        kind: "closed",
        code: "deadline_passed",
        why: `the deadline passed while the deal is ${head} on-chain (its events were replaced by a reorganisation)`,
      };
    throw new DealStateNotFinalError(dealId, head, state);
  }

  /**
   * Whether the deal's DealSettled event, at or below block `toBlock`, carries this outcome's
   * terms and transcript hashes.
   */
  async settledWith(outcome: StoredOutcome, toBlock: number): Promise<boolean> {
    const events = await this.#contract.queryFilter(
      this.#contract.filters.DealSettled(outcome.settlement.dealId),
      0,
      toBlock,
    );
    return events.some(
      (e) =>
        e.args.termsHash === outcome.settlement.termsHash &&
        e.args.transcriptHash === outcome.settlement.transcriptHash,
    );
  }

  /**
   * Registers this oracle's signer if its registration is missing, carries another key or
   * instance id (a key epoch rotated in), or ends within the renewal margin: min(`maxMarginSeconds`,
   * half the TTL in force, read from the contract) — so a short TTL renews once per half-TTL, not
   * every tick (registration.ts: renewalMarginS). With `takeCurrent` it also registers when the
   * current signer (`currentOracle()`) is neither this one nor trusted now, so that this replica
   * becomes current (registration.ts decides which replica asks, and when).
   * A registration transaction still pending in the outbox is awaited, never signed again.
   */
  async ensureRegistered(
    maxMarginSeconds = 3600,
    o: { takeCurrent?: boolean } = {},
  ): Promise<{ registered: boolean; expiresAt: bigint; issuedAt: bigint; ttl: bigint } | { pending: true }> {
    const self = this.deps.identity.address;
    const [reg, ttl, latest] = await Promise.all([
      this.#contract.registrationOf(self),
      this.#contract.registrationTtl(),
      this.#provider.getBlock("latest"),
    ]);
    const now = BigInt(latest!.timestamp);
    // the same rule as the contract's registrationExpiry: issuedAt + the TTL in force
    const expiresAt = reg.issuedAt === 0n ? 0n : reg.issuedAt + ttl;
    // replicas each hold their own registration: being `currentSigner` is not needed (the latest
    // replica to register is current; all share the app's key, so dapps seal to any of them) —
    // unless the current one is untrusted and this replica was chosen to take its place
    const fresh =
      expiresAt > now + renewalMarginS(ttl, maxMarginSeconds) &&
      reg.encryptionKey.toLowerCase() === this.deps.identity.encryptionPublicKey.toLowerCase() &&
      reg.instanceId.toLowerCase() === this.deps.identity.instanceId.toLowerCase() &&
      (o.takeCurrent !== true || (await this.currentIsTrusted(now)));
    if (fresh) return { registered: false, expiresAt, issuedAt: reg.issuedAt, ttl };
    if (reg.revoked)
      throw new DealProofError(
        "oracle.revoked",
        `oracle signer ${this.deps.identity.address} was revoked by the DealProof owner; it cannot register again`,
        { hint: "run the oracle under a new identity (another app or seed), which registers afresh" },
      );
    if (this.deps.outbox.pendingFor("register") !== undefined) return { pending: true };
    const { registrationQuote } = await import("../tee/identity.ts");
    // issuedAt = the chain's latest block time: never ahead of the block that includes it
    const q = await registrationQuote(this.deps.tee, this.deps.identity, this.domain, now);
    const args = [
      this.deps.identity.address,
      this.deps.identity.encryptionPublicKey,
      this.deps.identity.instanceId,
      q.issuedAt,
      q.quote,
    ] as const;
    let gas: bigint;
    try {
      gas = await this.#contract.registerOracle.estimateGas(...args, { from: this.deps.outbox.address });
    } catch (e) {
      const name = revertName(e);
      if (name !== undefined) throw new SettlementRefusedError("registerOracle", name, e);
      throw e;
    }
    await this.deps.outbox.send({
      purpose: "register",
      dealId: null,
      to: this.deps.address,
      data: (await this.#contract.registerOracle.populateTransaction(...args)).data,
      gasLimit: (gas * 12n) / 10n + 10_000n,
    });
    return { pending: true };
  }

  /**
   * The registry's state the registration loop watches each tick: the TTL in force and the
   * current signer (the one dapps seal to; the zero address after its revocation).
   */
  async registryView(): Promise<{ ttl: bigint; currentSigner: string }> {
    const [ttl, currentSigner] = await Promise.all([
      this.#contract.registrationTtl(),
      this.#contract.currentSigner(),
    ]);
    return { ttl, currentSigner };
  }

  /**
   * Whether the current signer is this one, or another the contract's trust rule holds for at
   * chain time `now` (false when there is none: revoked, so cleared).
   */
  async currentIsTrusted(now: bigint): Promise<boolean> {
    const current = await this.#contract.currentSigner();
    if (current.toLowerCase() === this.deps.identity.address.toLowerCase()) return true;
    if (BigInt(current) === 0n) return false;
    return isTrustedSigner(this.#contract, current, { now });
  }
}
