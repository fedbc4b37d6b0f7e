/**
 * Sends settlements: checks the deal on-chain first (never settles twice), builds the quote or the
 * signature over the outcome's EIP-712 digest, estimates gas, sends through one nonce-managed
 * sender, retries transient RPC failures with exponential backoff, and checks the receipt.
 */
import {
  Contract,
  Interface,
  NonceManager,
  isError,
  type Provider,
  type Signer,
  type TransactionReceipt,
} from "ethers";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import { dealStateName, type DealStateName } from "../../sdk/src/deal-state.ts";
import {
  dealProofDomain,
  reportDataFor,
  settlementDigest,
  type Eip712Domain,
  type Hex,
  type Settlement,
} from "../../sdk/src/eip712.ts";
import type { TeeBackend } from "../tee/backend.ts";
import type { OracleIdentity } from "../tee/identity.ts";
import type { StoredOutcome } from "./store.ts";

const iface = new Interface(DEAL_PROOF_ABI);

export type SubmitResult =
  | { kind: "settled"; receipt: TransactionReceipt }
  | { kind: "closed"; why: string }
  /** Settled on-chain with exactly our outcome (e.g. our transaction's answer was lost). */
  | { kind: "already_settled" }
  | { kind: "sent"; txHash: string };

export function isTransient(e: unknown): boolean {
  if (isError(e, "NETWORK_ERROR") || isError(e, "SERVER_ERROR") || isError(e, "TIMEOUT")) return true;
  const msg = (e as Error)?.message ?? "";
  return /ECONNRESET|ECONNREFUSED|socket hang up|fetch failed|timeout|502|503|504|missing response|bad response/i.test(
    msg,
  );
}

export async function withRetry<T>(
  what: string,
  f: () => Promise<T>,
  opts: { attempts?: number; baseMs?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 6;
  let delay = opts.baseMs ?? 100;
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= attempts || !isTransient(e)) throw e;
      await new Promise((r) => setTimeout(r, delay + Math.floor(Math.random() * delay)));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/** The custom error name of a reverted call, when the ABI knows it. */
export function revertName(e: unknown): string | undefined {
  const data =
    (e as { data?: string; info?: { error?: { data?: string } } })?.data ??
    (e as { info?: { error?: { data?: string } } })?.info?.error?.data;
  if (typeof data !== "string" || data.length < 10) return undefined;
  try {
    return iface.parseError(data)?.name;
  } catch {
    return undefined;
  }
}

export function toSettlement(o: StoredOutcome["settlement"]): Settlement {
  return {
    dealId: BigInt(o.dealId),
    agreed: o.agreed,
    price: BigInt(o.price),
    termsHash: o.termsHash as Hex,
    dataRoot: o.dataRoot as Hex,
    transcriptHash: o.transcriptHash as Hex,
    delivery: o.delivery as Hex,
  };
}

export interface SubmitterDeps {
  provider: Provider;
  sender: Signer;
  address: string;
  chainId: bigint;
  mode: "quote" | "signature";
  tee: TeeBackend;
  identity: OracleIdentity;
}

export class Submitter {
  readonly domain: Eip712Domain;
  readonly #sender: NonceManager;
  readonly #contract: Contract;
  readonly #provider: Provider;

  private readonly deps: SubmitterDeps;

  constructor(deps: SubmitterDeps) {
    this.deps = deps;
    this.#provider = deps.provider;
    this.#sender = new NonceManager(deps.sender.connect(deps.provider));
    this.#contract = new Contract(deps.address, DEAL_PROOF_ABI, this.#sender);
    this.domain = dealProofDomain(deps.chainId, deps.address);
  }

  async dealState(dealId: string): Promise<{ state: DealStateName; deadline: number }> {
    const d = (await withRetry("getDeal", () => this.#contract.getFunction("getDeal")(BigInt(dealId)))) as {
      state: bigint;
      deadline: bigint;
    };
    return { state: dealStateName(d.state), deadline: Number(d.deadline) };
  }

  /** Looks up a previously sent transaction: its receipt, or null if the chain never saw it. */
  async receiptOf(txHash: string): Promise<TransactionReceipt | null> {
    return withRetry("getTransactionReceipt", () => this.#provider.getTransactionReceipt(txHash));
  }

  /** Sends the settlement; calls `onSent` with the hash before waiting for the receipt. */
  async submit(
    outcome: StoredOutcome,
    onSent: (txHash: string) => void | Promise<void>,
  ): Promise<SubmitResult> {
    const { state, deadline } = await this.dealState(outcome.settlement.dealId);
    if (state === "Settled" && (await this.settledWith(outcome))) return { kind: "already_settled" };
    if (state !== "Accepted") return { kind: "closed", why: `the deal is ${state} on-chain` };
    const now = (await withRetry("getBlock", () => this.#provider.getBlock("latest")))!.timestamp;
    if (now > deadline)
      return { kind: "closed", why: "the deadline passed before settlement; the buyer can refund" };

    const s = toSettlement(outcome.settlement);
    const digest = settlementDigest(this.domain, s);
    const method = this.deps.mode === "quote" ? "settleWithQuote" : "settleWithSignature";
    const proof =
      this.deps.mode === "quote"
        ? (await this.deps.tee.getQuote(reportDataFor(digest))).quote
        : this.deps.identity.signDigest(digest);
    const fn = this.#contract.getFunction(method);
    let gas: bigint;
    try {
      gas = await withRetry("estimateGas", () => fn.estimateGas(s, proof));
    } catch (e) {
      const name = revertName(e);
      if (name === "InvalidState") return { kind: "closed", why: "the deal is no longer Accepted on-chain" };
      if (name === "DeadlinePassed") return { kind: "closed", why: "the deadline passed before settlement" };
      // anything else (measurement disallowed, registration expired, ...) may be fixed by the
      // owner or by re-registration: the deal stays pending and is retried, with the reason kept
      if (name !== undefined) throw new Error(`DealProof refuses ${method} for now: ${name}`, { cause: e });
      throw e;
    }
    let tx;
    try {
      tx = await withRetry("send", () => fn.send(s, proof, { gasLimit: (gas * 12n) / 10n + 10_000n }));
    } catch (e) {
      this.#sender.reset(); // a failed send must not leave a gap in our nonces
      throw e;
    }
    await onSent(tx.hash);
    const receipt = await withRetry("wait", () => tx.wait(1, 120_000));
    return this.checkReceipt(receipt, outcome.settlement.dealId);
  }

  /** Whether the deal's DealSettled event carries this outcome's terms and transcript hashes. */
  async settledWith(outcome: StoredOutcome): Promise<boolean> {
    const events = await withRetry("queryFilter", () =>
      this.#contract.queryFilter(this.#contract.filters.DealSettled!(BigInt(outcome.settlement.dealId))),
    );
    return events.some((e) => {
      const a = (e as unknown as { args: unknown[] }).args;
      return a[3] === outcome.settlement.termsHash && a[4] === outcome.settlement.transcriptHash;
    });
  }

  checkReceipt(receipt: TransactionReceipt | null, dealId: string): SubmitResult {
    if (receipt === null) throw new Error("no receipt");
    if (receipt.status !== 1) throw new Error(`settlement transaction ${receipt.hash} reverted`);
    const settled = receipt.logs.some((l) => {
      try {
        const p = iface.parseLog(l);
        return p?.name === "DealSettled" && (p.args[0] as bigint).toString() === dealId;
      } catch {
        return false;
      }
    });
    if (!settled) throw new Error(`transaction ${receipt.hash} did not emit DealSettled for deal ${dealId}`);
    return { kind: "settled", receipt };
  }

  /** Registers this oracle if the current registration is not ours or ends within `marginSeconds`. */
  async ensureRegistered(marginSeconds = 3600): Promise<{ registered: boolean; expiresAt: bigint }> {
    const reg = (await withRetry("registrationOf", () =>
      this.#contract.getFunction("registrationOf")(this.deps.identity.address),
    )) as { encryptionKey: string; revoked: boolean };
    const expiresAt = (await withRetry("registrationExpiry", () =>
      this.#contract.getFunction("registrationExpiry")(this.deps.identity.address),
    )) as bigint;
    const current = (await withRetry("currentOracle", () =>
      this.#contract.getFunction("currentOracle")(),
    )) as { signer: string };
    const now = BigInt((await withRetry("getBlock", () => this.#provider.getBlock("latest")))!.timestamp);
    const fresh =
      expiresAt > now + BigInt(marginSeconds) &&
      reg.encryptionKey.toLowerCase() === this.deps.identity.encryptionPublicKey.toLowerCase() &&
      current.signer.toLowerCase() === this.deps.identity.address.toLowerCase();
    if (fresh) return { registered: false, expiresAt };
    if (reg.revoked)
      throw new Error(
        `oracle signer ${this.deps.identity.address} was revoked by the DealProof owner; it cannot register again`,
      );
    const { registrationQuote } = await import("../tee/identity.ts");
    // issuedAt = the chain's latest block time: never ahead of the block that includes it
    const q = await registrationQuote(this.deps.tee, this.deps.identity, this.domain, now);
    let tx;
    try {
      tx = await this.#contract
        .getFunction("registerOracle")
        .send(this.deps.identity.address, this.deps.identity.encryptionPublicKey, q.issuedAt, q.quote);
    } catch (e) {
      this.#sender.reset(); // the failed send must not leave a nonce gap behind it
      throw e;
    }
    await tx.wait();
    const after = (await this.#contract.getFunction("registrationExpiry")(
      this.deps.identity.address,
    )) as bigint;
    return { registered: true, expiresAt: after };
  }
}
