/**
 * The codes the daemon stores and the API shows (`last_code`, the code in a "no deal" reason,
 * `/health`'s RPC error, an API error's `code`) stay as released while errors carry dotted codes;
 * every error class of the project is a DealProofError whose code follows the convention.
 */
import { expect } from "chai";
import { isDealProofError, type DealProofError } from "../../sdk/src/errors.ts";
import { failureCode, storedCode } from "../../oracle/daemon/reason-codes.ts";
import { RpcError } from "../../oracle/chain/errors.ts";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { DnsUnavailableError } from "../../oracle/daemon/pipeline.ts";
import { SettlementRefusedError } from "../../oracle/daemon/submitter.ts";
import { ChallengeBookFullError } from "../../oracle/api/auth.ts";
import { UsageError } from "../../oracle/cli/verify-quote-command.ts";
import { SeedFileMissing } from "../../oracle/simulator/backend.ts";
import { AgentUnavailableError } from "../../oracle/negotiation/types.ts";
import { QuoteFormatError } from "../../oracle/quote/reader.ts";
import { SealedInputError } from "../../sdk/src/inputs.ts";
import { userError } from "../../tasks/actions/user-error.ts";

const DOTTED = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

describe("stored reason codes", () => {
  it("map each error code to the code released before dotted codes", () => {
    const released: [string, string][] = [
      ["rpc.timeout", "rpc_timeout"],
      ["rpc.unreachable", "rpc_unreachable"],
      ["rpc.http_error", "rpc_http_error"],
      ["rpc.bad_response", "rpc_bad_response"],
      ["rpc.aborted", "rpc_aborted"],
      ["dns.unavailable", "dns_unavailable"],
      ["settlement.refused", "settlement_refused"],
      ["agent.unavailable", "agent-unavailable"],
      ["api.challenges_full", "challenges_full"],
      ["dataset.fetch_failed", "fetch_failed"],
      ["dataset.root_mismatch", "root_mismatch"],
      ["dataset.location_refused", "location_refused"],
      ["sealed_input.cannot_open", "cannot_open"],
      ["sealed_input.invalid_schema", "invalid_schema"],
    ];
    for (const [code, stored] of released) expect(storedCode(code), code).to.equal(stored);
    // codes released since stay dotted, so areas never collide (quote vs dataset bad_format)
    expect(storedCode("quote.bad_format")).to.equal("quote.bad_format");
    expect(storedCode("dataset.bad_format")).to.equal("bad_format");
    expect(storedCode("config.invalid")).to.not.equal(storedCode("deployment.invalid"));
  });

  it("a failed attempt's code: ours mapped, a library's as it is, through the cause chain", () => {
    expect(failureCode(new RpcError("rpc.timeout", "x"))).to.equal("rpc_timeout");
    expect(failureCode(new Error("outer", { cause: new RpcError("rpc.unreachable", "x") }))).to.equal(
      "rpc_unreachable",
    );
    expect(failureCode(new DatasetError("fetch_failed", "x"))).to.equal("fetch_failed");
    expect(failureCode(Object.assign(new Error("x"), { code: "NETWORK_ERROR" }))).to.equal("NETWORK_ERROR");
    expect(failureCode(new Error("no code at all"))).to.equal("internal");
    expect(failureCode(undefined)).to.equal("internal");
  });
});

describe("every error class is a DealProofError with a dotted code", () => {
  const errors: DealProofError[] = [
    new RpcError("rpc.timeout", "x"),
    new DatasetError("fetch_failed", "x"),
    new DnsUnavailableError(),
    new SettlementRefusedError("settle", "MeasurementNotAllowed", new Error("revert")),
    new ChallengeBookFullError(),
    new UsageError("x"),
    new SeedFileMissing("x", { hint: "h" }),
    new AgentUnavailableError("x"),
    new QuoteFormatError("x"),
    new DatasetError("truncated", "x"),
    new DatasetError("bad_delivery", "x"),
    new SealedInputError("cannot_open", "x"),
    userError("x"),
  ];
  for (const e of errors)
    it(`${e.name} (${e.code})`, () => {
      expect(isDealProofError(e)).to.equal(true);
      expect(e).to.be.instanceOf(Error);
      expect(e.code).to.match(DOTTED);
    });

  it("hints say what to do where the user can act", () => {
    for (const e of [
      new RpcError("rpc.timeout", "x"),
      new ChallengeBookFullError(),
      new UsageError("x"),
      new QuoteFormatError("x"),
    ])
      expect(e.hint, e.name).to.be.a("string").and.not.equal("");
    const cause = new SeedFileMissing("no seed", { hint: "check the path" });
    expect(userError("wrapped", { cause }).hint).to.equal("check the path");
    expect(userError("wrapped", { cause }).cause).to.equal(cause);
  });
});
