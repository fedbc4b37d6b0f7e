/**
 * The one answer to "retry?" (oracle/chain/retry.ts): every kind of failure the daemon meets is
 * classified by its code through the cause chain, and retried as a call (withRetry) on a transport
 * fault only, as a deal's attempt unless its inputs were refused or its dataset used up its
 * attempts. Also the one deadline rule (chain-clock.ts) at its boundary.
 */
import { expect } from "chai";
import { ErrorFragment } from "ethers";
import { classifyFailure, retryVerdict, type FailureKind } from "../../oracle/chain/retry.ts";
import { RpcError } from "../../oracle/chain/errors.ts";
import { dealProofInterface } from "../../oracle/chain/dealproof.ts";
import { DatasetError, type DatasetErrorCode } from "../../sdk/src/dataset-error.ts";
import { SealedInputError } from "../../sdk/src/inputs.ts";
import { AgentUnavailableError } from "../../oracle/negotiation/types.ts";
import { DnsUnavailableError } from "../../oracle/daemon/pipeline.ts";
import {
  CancelOptionLiveError,
  DealStateNotFinalError,
  SettlementRefusedError,
} from "../../oracle/daemon/submitter.ts";
import { deadlinePassed, ChainClock } from "../../oracle/daemon/chain-clock.ts";

const coded = (code: string) => Object.assign(new Error("x"), { code });
const deal = (attempt: number) => ({ scope: "deal" as const, attempt, maxAttempts: 3 });

/** An ethers-style failed eth_estimateGas: CALL_EXCEPTION with the custom error's revert data. */
function reverted(name: string): Error {
  const fragment = dealProofInterface.getError(name)!;
  const args = fragment.inputs.map((p) =>
    p.baseType === "address"
      ? "0x0000000000000000000000000000000000000001"
      : p.baseType === "bool"
        ? false
        : p.baseType.startsWith("bytes") && p.baseType !== "bytes"
          ? "0x" + "00".repeat(Number(p.baseType.slice(5)))
          : p.baseType === "bytes"
            ? "0x"
            : p.baseType === "string"
              ? "x"
              : 1n,
  );
  return Object.assign(new Error("execution reverted"), {
    code: "CALL_EXCEPTION",
    data: dealProofInterface.encodeErrorResult(fragment, args),
  });
}

describe("retry policy: one classifier for every failure (oracle/chain/retry.ts)", () => {
  const cases: [string, unknown, FailureKind][] = [
    ["RPC timeout", new RpcError("rpc.timeout", "x"), "transient"],
    ["RPC unreachable", new RpcError("rpc.unreachable", "x"), "transient"],
    ["RPC not JSON-RPC", new RpcError("rpc.bad_response", "x"), "transient"],
    ["RPC HTTP 429", new RpcError("rpc.http_error", "x", { status: 429 }), "transient"],
    ["RPC HTTP 503", new RpcError("rpc.http_error", "x", { status: 503 }), "transient"],
    ["RPC HTTP 401", new RpcError("rpc.http_error", "x", { status: 401 }), "fault"],
    ["RPC HTTP without status", new RpcError("rpc.http_error", "x"), "fault"],
    ["RPC error reply", new RpcError("rpc.error_reply", "x"), "fault"],
    ["RPC aborted (shutdown)", new RpcError("rpc.aborted", "x"), "fault"],
    ["ethers NETWORK_ERROR", coded("NETWORK_ERROR"), "transient"],
    ["ethers SERVER_ERROR", coded("SERVER_ERROR"), "transient"],
    ["ethers TIMEOUT", coded("TIMEOUT"), "transient"],
    [
      "ethers wrapping an RPC timeout",
      new Error("wrapped", { cause: new RpcError("rpc.timeout", "x") }),
      "transient",
    ],
    ["nonce too low", coded("NONCE_EXPIRED"), "fault"],
    ["replacement underpriced", coded("REPLACEMENT_UNDERPRICED"), "fault"],
    ["Node's ECONNREFUSED outside the transport", coded("ECONNREFUSED"), "fault"],
    ["DNS unavailable for the seller's DKIM key", new DnsUnavailableError(), "transient"],
    ["dataset fetch failed", new DatasetError("fetch_failed", "x"), "dataset"],
    ["sealed input refused", new SealedInputError("cannot_open", "x"), "refusal"],
    ["model API unavailable", new AgentUnavailableError("x"), "refusal"],
    ["deal state not final", new DealStateNotFinalError(1n, "Settled", undefined), "waiting"],
    ["buyer's cancel option live", new CancelOptionLiveError(1n), "waiting"],
    ["no code at all", new Error("HTTP 503 socket hang up timeout ECONNRESET"), "fault"],
    ["not an error", undefined, "fault"],
  ];
  const datasetCodes: DatasetErrorCode[] = [
    "empty",
    "location_refused",
    "too_large",
    "bad_format",
    "decrypt_failed",
    "truncated",
    "root_mismatch",
    "bad_delivery",
    "no_webcrypto",
  ];
  for (const c of datasetCodes) cases.push([`dataset ${c}`, new DatasetError(c, "x"), "refusal"]);

  for (const [what, e, kind] of cases)
    it(`${what}: ${kind}`, () => {
      expect(classifyFailure(e).kind).to.equal(kind);
      expect(
        retryVerdict(e, { scope: "call" }).retry,
        "a call is retried on a transport fault only",
      ).to.equal(kind === "transient");
      expect(retryVerdict(e, { scope: "startup" }).retry, "a start-up check retries anything").to.equal(true);
      const first = retryVerdict(e, deal(1)).retry;
      expect(first, "a deal's first attempt is retried unless refused").to.equal(kind !== "refusal");
    });

  it("every DealProof custom error: a raw revert is a fault; refused for now by the submitter, the deal waits", () => {
    const names = dealProofInterface.fragments.flatMap((f) => (f instanceof ErrorFragment ? [f.name] : []));
    expect(names.length).to.be.greaterThan(30);
    for (const name of names) {
      const raw = reverted(name);
      expect(classifyFailure(raw), name).to.deep.equal({ kind: "fault", code: "CALL_EXCEPTION" });
      const refused = new SettlementRefusedError("settleWithQuote", name, raw);
      expect(classifyFailure(refused), name).to.deep.equal({ kind: "waiting", code: "settlement.refused" });
      expect(retryVerdict(refused, deal(99)).retry, name).to.equal(true);
    }
  });

  it("a dataset that cannot be fetched is retried until its attempts are used up", () => {
    const e = new Error("outer", { cause: new DatasetError("fetch_failed", "x") });
    expect([1, 2, 3, 4].map((a) => retryVerdict(e, deal(a)).retry)).to.deep.equal([true, true, false, false]);
    expect(retryVerdict(e, deal(3))).to.deep.include({ kind: "dataset", code: "dataset.fetch_failed" });
    // any other failure counts no attempts: retried however many there were
    expect(retryVerdict(new RpcError("rpc.timeout", "x"), deal(50)).retry).to.equal(true);
    expect(retryVerdict(new Error("bug"), deal(50)).retry).to.equal(true);
  });

  it("the deciding code is the first known one in the cause chain", () => {
    const e = new Error("a", { cause: coded("SOMETHING_ELSE") });
    (e.cause as Error).cause = new RpcError("rpc.unreachable", "x");
    expect(classifyFailure(e)).to.deep.equal({ kind: "transient", code: "rpc.unreachable" });
    expect(classifyFailure(coded("NONCE_EXPIRED"))).to.deep.equal({ kind: "fault", code: "NONCE_EXPIRED" });
    expect(classifyFailure(new Error("b", { cause: new DatasetError("too_large", "x") }))).to.deep.equal({
      kind: "refusal",
      code: "dataset.too_large",
    });
  });
});

describe("the one deadline rule (oracle/daemon/chain-clock.ts)", () => {
  const deadline = 1_000_000;

  it("a deal is out of time once chain time reaches its deadline: deadline-1 open, deadline and deadline+1 passed", () => {
    expect(deadlinePassed(deadline, deadline - 1)).to.equal(false);
    expect(deadlinePassed(deadline, deadline)).to.equal(true);
    expect(deadlinePassed(deadline, deadline + 1)).to.equal(true);
  });

  it("with a margin, the same boundary moved earlier by the margin", () => {
    expect(deadlinePassed(deadline, deadline - 301, 300)).to.equal(false);
    expect(deadlinePassed(deadline, deadline - 300, 300)).to.equal(true);
    expect(deadlinePassed(deadline, deadline - 299, 300)).to.equal(true);
  });

  it("chain time runs on from when a block number was first seen, not re-seen", async () => {
    const clock = new ChainClock();
    expect(Math.abs(clock.now() - Math.floor(Date.now() / 1000))).to.be.lessThan(2); // wall clock before a block
    clock.observe({ number: 5, timestamp: 1000 });
    expect(clock.now()).to.equal(1000);
    await new Promise((r) => setTimeout(r, 1100));
    clock.observe({ number: 5, timestamp: 1000 }); // the same head again: time keeps running
    expect(clock.now()).to.equal(1001);
    clock.observe({ number: 6, timestamp: 2000 });
    expect(clock.now()).to.equal(2000);
  });
});
