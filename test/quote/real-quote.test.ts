import { expect } from "chai";
import { existsSync } from "node:fs";
import { hexlify } from "ethers";
import { parseQuote } from "../../oracle/quote/reader.ts";
import { parseEventLog, replayRtmr3 } from "../../oracle/quote/eventlog.ts";
import { verifyQuote } from "../../oracle/quote/verify.ts";
import { measurementId } from "../../sdk/src/measurement.ts";
import { FIXTURES, PINNED_NOW, loadFixture } from "../fixtures/tdx.ts";

describe("a real TDX quote from dstack (../shared/fixtures/tdx)", function () {
  before(function () {
    if (!existsSync(FIXTURES)) {
      console.log(
        `    skipped: ${FIXTURES} is absent (a plain clone has no ../shared); these tests need the real quote`,
      );
      this.skip();
    }
  });

  it("verifies with dcap-qvl at the pinned time as UpToDate and reads report_data", () => {
    const { quote, collateral, response } = loadFixture();
    const v = verifyQuote(quote, { collateral, nowSeconds: PINNED_NOW, eventLog: response.event_log });
    expect(v.mode).to.equal("real");
    expect(v.tcbStatus).to.equal("UpToDate");
    expect(v.reportData).to.equal("0x" + response.report_data);
    expect(v.reportData?.slice(0, 6)).to.equal("0x1234");
    expect(v.ok, JSON.stringify(v.checks)).to.equal(true);
  });

  it("replays RTMR3 from payloads and extracts the app id and compose hash", () => {
    const { quote, response } = loadFixture();
    const q = parseQuote(quote);
    const replay = replayRtmr3(parseEventLog(response.event_log));
    expect(hexlify(replay.rtMr3)).to.equal(hexlify(q.body.rtMr3));
    expect(replay.appId).to.equal("3763bc34552cf3a27ff71ad5f7a90471562a1a2d");
    expect(replay.composeHash).to.equal("3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7");
    expect(q.trailingBytes).to.equal(70);
  });

  it("does not trust the event log's digest field: a forged payload fails even with its digest kept", () => {
    const { quote, collateral, response } = loadFixture();
    const events = JSON.parse(response.event_log) as { event: string; event_payload: string }[];
    const forged = events.map((e) =>
      e.event === "compose-hash" ? { ...e, event_payload: "00".repeat(32) } : e,
    );
    const v = verifyQuote(quote, { collateral, nowSeconds: PINNED_NOW, eventLog: JSON.stringify(forged) });
    expect(v.checks.find((c) => c.name === "rtmr3")?.passed).to.equal(false);
    expect(v.ok).to.equal(false);
  });

  it("rejects a one-bit change in report_data", () => {
    const { quote, collateral } = loadFixture();
    const bad = Uint8Array.from(quote);
    bad[48 + 520]! ^= 0x01;
    const v = verifyQuote(bad, { collateral, nowSeconds: PINNED_NOW });
    expect(v.ok).to.equal(false);
    expect(v.checks.find((c) => c.name === "dcap")?.detail).to.match(/signature is invalid/);
  });

  it("fails with expired collateral at today's date, and without collateral", () => {
    const { quote, collateral } = loadFixture();
    expect(
      verifyQuote(quote, { collateral, nowSeconds: Math.floor(Date.parse("2026-11-24T00:00:00Z") / 1000) })
        .ok,
    ).to.equal(false);
    const none = verifyQuote(quote, {});
    expect(none.ok).to.equal(false);
    expect(none.checks.find((c) => c.name === "dcap")?.detail).to.match(/no collateral was supplied/);
  });

  it("checks an expected compose hash and report_data", () => {
    const { quote, collateral, response } = loadFixture();
    const base = { collateral, nowSeconds: PINNED_NOW, eventLog: response.event_log };
    const good = verifyQuote(quote, {
      ...base,
      expectedComposeHash: "3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7",
      expectedReportData: Uint8Array.from([0x12, 0x34]),
    });
    expect(good.ok).to.equal(true);
    const bad = verifyQuote(quote, { ...base, expectedComposeHash: "ab".repeat(32) });
    expect(bad.checks.find((c) => c.name === "composeHash")?.passed).to.equal(false);
    expect(bad.ok).to.equal(false);
  });

  it("computes the measurement id from the measured fields as the contract does", () => {
    const { quote } = loadFixture();
    const q = parseQuote(quote);
    expect(verifyQuote(quote).measurementId).to.equal(measurementId(q.body));
  });
});
