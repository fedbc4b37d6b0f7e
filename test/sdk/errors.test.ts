/**
 * The one error base: a DealProofError carries its code, message, hint and cause; the guard tells
 * it (and a code) apart from any other error, also across copies of the module; the cause chain is
 * walked to find one wrapped by a library; the CLI format is the message and a `hint:` line.
 */
import { expect } from "chai";
import {
  DealProofError,
  findDealProofError,
  formatDealProofError,
  isDealProofError,
} from "../../sdk/src/errors.ts";
import * as sdk from "../../sdk/src/index.ts";
import { chainError, describeChainError } from "../../sdk/src/revert.ts";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import { Interface } from "ethers";

describe("DealProofError", () => {
  it("carries code, message, hint and cause", () => {
    const root = new Error("ECONNREFUSED");
    const e = new DealProofError("rpc.unreachable", "the RPC does not answer", {
      hint: "check DEALPROOF_RPC_URL",
      cause: root,
    });
    expect(e).to.be.instanceOf(Error);
    expect(e.code).to.equal("rpc.unreachable");
    expect(e.message).to.equal("the RPC does not answer");
    expect(e.hint).to.equal("check DEALPROOF_RPC_URL");
    expect(e.cause).to.equal(root);
    expect(e.name).to.equal("DealProofError");
    expect(new DealProofError("x.y", "m")).to.not.have.property("cause");
    expect(new DealProofError("x.y", "m").hint).to.equal(undefined);
  });

  it("the guard accepts DealProofErrors (and subclasses), optionally of one code, and nothing else", () => {
    class SubError extends DealProofError<"sub.thing"> {
      override name = "SubError";
    }
    const e = new DealProofError("config.invalid", "bad");
    const sub = new SubError("sub.thing", "bad");
    expect(isDealProofError(e)).to.equal(true);
    expect(isDealProofError(e, "config.invalid")).to.equal(true);
    expect(isDealProofError(e, "config.missing")).to.equal(false);
    expect(isDealProofError(sub, "sub.thing")).to.equal(true);
    for (const other of [new Error("config.invalid"), { code: "config.invalid" }, null, undefined, "x", 1])
      expect(isDealProofError(other), String(other)).to.equal(false);
    // a copy of the class (another bundle of the SDK) is recognised by its registered brand
    const copy = Object.create(Error.prototype) as object;
    Object.defineProperty(copy, Symbol.for("dealproof.error"), { value: true });
    expect(isDealProofError(copy)).to.equal(true);
  });

  it("finds a DealProofError wrapped in another error's cause chain", () => {
    const ours = new DealProofError("rpc.timeout", "no answer");
    const wrapped = new Error("ethers: could not coalesce", { cause: new Error("mid", { cause: ours }) });
    expect(findDealProofError(wrapped)).to.equal(ours);
    expect(findDealProofError(new Error("plain"))).to.equal(undefined);
    // a cyclic chain ends
    const a = new Error("a") as Error & { cause?: unknown };
    a.cause = a;
    expect(findDealProofError(a)).to.equal(undefined);
  });

  it("formats as the message and a hint line, never a stack", () => {
    const e = new DealProofError("x.y", "it broke", { hint: "do this" });
    expect(formatDealProofError(e)).to.equal("it broke\nhint: do this");
    expect(formatDealProofError(new DealProofError("x.y", "nothing to do"))).to.equal("nothing to do");
  });

  it("is exported by the SDK", () => {
    expect(sdk.DealProofError).to.equal(DealProofError);
    expect(sdk.isDealProofError).to.equal(isDealProofError);
  });

  describe("chainError: classified by revert data and codes, never by message text", () => {
    it("a revert by its custom error, with the error's values", () => {
      const data = new Interface(DEAL_PROOF_ABI).encodeErrorResult("DealExists", [7n]);
      const e = chainError({ message: "execution reverted", info: { error: { data } } });
      expect(e.code).to.equal("chain.reverted");
      expect(e.message).to.equal("DealProof reverted: DealExists(dealId=0x7)");
    });

    it("no funds and an unreachable node by their codes, wherever they sit in the chain", () => {
      const funds = chainError(
        Object.assign(new Error("whatever the node says"), { code: "INSUFFICIENT_FUNDS" }),
      );
      expect([funds.code, funds.hint]).to.deep.equal(["chain.insufficient_funds", "fund it and try again"]);
      const refused = new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
      });
      expect(chainError(refused).code).to.equal("chain.unreachable");
      expect(describeChainError(refused)).to.match(
        /^cannot reach the chain's JSON-RPC endpoint .* — is the node running/,
      );
    });

    it("message text alone decides nothing; a DealProofError keeps its code and hint", () => {
      for (const text of ["insufficient funds for gas", "ECONNREFUSED 127.0.0.1:8545", "fetch failed"])
        expect(chainError(new Error(text)).code, text).to.equal("chain.failed");
      const ours = new DealProofError("deployment.unreadable", "cannot read deployment file x", {
        hint: "deploy",
      });
      expect(chainError(ours)).to.equal(ours);
    });
  });
});
