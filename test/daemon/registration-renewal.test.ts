/**
 * The registration loop's renewal margin (oracle/daemon/registration.ts): min(3600 s, TTL / 2) of
 * the TTL in force, read from the contract. Found in review: with a fixed 3600 s margin a TTL of
 * one hour re-registered on every tick (a transaction each tick, forever), and a TTL the owner
 * shortened mid-life went unseen (the expiry was cached), so the registration lapsed. As a real
 * oracle on a local chain whose clock the test moves (evm_increaseTime).
 */
import { expect } from "chai";
import { join } from "node:path";
import { recoveryTurn, renewalMarginS } from "../../oracle/daemon/registration.ts";
import type { OracleOverrides, RunningOracle } from "../../oracle/main/app.ts";
import { oracle, rowWhen, runDeal, settledEvents, waitFor } from "./harness.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const vision = scenarioByName("vision");

/** Moves the chain's clock on by `s` seconds and mines a block at the new time. */
async function advance(env: Env, s: number): Promise<void> {
  const p = env.chain.connection.ethers.provider;
  await p.send("evm_increaseTime", [s]);
  await p.send("evm_mine", []);
}

const registrations = async (env: Env, signer: string) =>
  (await env.dp.queryFilter(env.dp.filters.OracleRegistered(signer), env.deployment.deployBlock)).map(
    (e) => e.args.issuedAt,
  );

/**
 * A describe block's own local chain (each block moves its clock or its TTL) and its one oracle,
 * stopped before the chain (after hooks run in registration order). `start` waits for the
 * oracle's first registration.
 */
function ownChain() {
  let env: Env | undefined;
  let o: RunningOracle | undefined;
  after(async () => {
    await o?.stop();
  });
  useLocalChain((e) => (env = e));
  return {
    get env(): Env {
      return env!;
    },
    async start(over: Record<string, string>, hooks: OracleOverrides = {}) {
      o = await oracle(env!, over, hooks);
      const signer = o.identity.address;
      await waitFor("registered", async () =>
        (await registrations(env!, signer)).length > 0 ? true : undefined,
      );
      return { o, signer };
    },
  };
}

describe("registration renewal: the margin and the rank rule (pure)", () => {
  it("renews min(3600 s, TTL / 2) before expiry", () => {
    expect(renewalMarginS(3600n)).to.equal(1800n);
    expect(renewalMarginS(7200n)).to.equal(3600n);
    expect(renewalMarginS(7n * 86400n)).to.equal(3600n);
    expect(renewalMarginS(600n, 3600)).to.equal(300n);
  });

  it("ranks the trusted signers by address: the first at once, the k-th k steps later, the untrusted never", () => {
    const trusted = [
      "0xCC00000000000000000000000000000000000000",
      "0xaa00000000000000000000000000000000000000",
    ];
    const [a, c] = [
      "0xaa00000000000000000000000000000000000000",
      "0xcc00000000000000000000000000000000000000",
    ];
    expect(recoveryTurn(a, trusted, 1000, 1000)).to.equal(true);
    expect(recoveryTurn(c, trusted, 1000, 1000)).to.equal(false);
    expect(recoveryTurn(c, trusted, 1000, 1059)).to.equal(false);
    expect(recoveryTurn(c, trusted, 1000, 1060)).to.equal(true);
    expect(recoveryTurn("0xbb00000000000000000000000000000000000000", trusted, 0, 10_000)).to.equal(false);
  });
});

describe("registration renewal under a TTL of one hour", function () {
  this.timeout(120_000);
  const chain = ownChain();

  it("renews once per half-TTL over an hour of chain time, not on every tick, and never lapses", async () => {
    const env = chain.env;
    await (await env.dp.shortenRegistrationTtl(3600)).wait();
    const { o, signer } = await chain.start({ DEALPROOF_DB: join(env.dir, "ttl-1h.sqlite") });
    // 12 steps of 5 min: each step is ≥ 10 ticks of the oracle (50 ms polls)
    for (let i = 0; i < 12; i++) {
      await advance(env, 300);
      await sleep(600);
      expect(await env.dp.isTrustedSigner(signer), `trusted after ${(i + 1) * 5} min`).to.equal(true);
    }
    await sleep(600);
    const issued = await registrations(env, signer);
    const txs = o.store.allTxs().filter((t) => t.purpose === "register");
    // the first registration, then one renewal per half-TTL: at ≈ 30 and ≈ 60 min
    expect(issued.length, `registrations at ${issued.slice(0, 5).join(", ")}…`).to.be.within(2, 3);
    expect(txs).to.have.length(issued.length);
    for (let i = 1; i < issued.length; i++) expect(Number(issued[i]! - issued[i - 1]!)).to.be.at.least(1800);
  });
});

describe("registration renewal when the owner shortens the TTL mid-life", function () {
  this.timeout(120_000);
  const chain = ownChain();

  it("a registration whose TTL the owner shortens is renewed before it expires", async () => {
    const env = chain.env;
    const { signer } = await chain.start({ DEALPROOF_DB: join(env.dir, "shortened.sqlite") });
    const [first] = await registrations(env, signer);
    // 40 min into a 7-day TTL: far from any renewal
    await advance(env, 2400);
    await sleep(500);
    expect(await registrations(env, signer)).to.have.length(1);
    // the owner shortens the TTL to an hour: the registration now ends 20 min from now
    await (await env.dp.shortenRegistrationTtl(3600)).wait();
    expect(await env.dp.registrationExpiry(signer)).to.equal(first! + 3600n);
    const renewed = await waitFor(
      "the registration renewed",
      async () => (await registrations(env, signer))[1],
      5000,
    );
    expect(renewed < first! + 3600n).to.equal(true);
    // past the first registration's shortened expiry: still trusted, on the renewal
    await advance(env, 1500);
    await sleep(300);
    expect(await env.dp.isTrustedSigner(signer)).to.equal(true);
    expect(await registrations(env, signer)).to.have.length(2);
  });
});

describe("a registration that expires while its replica works a deal", function () {
  this.timeout(120_000);
  const chain = ownChain();

  it("the owner shortens the TTL past the registration mid-deal: the replica renews, then the deal settles once", async () => {
    // the deal is held at its negotiation until the registration has lapsed under it
    let held: bigint | undefined;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const env = chain.env;
    const { o, signer } = await chain.start(
      // signature settlement: its authority is the registration
      { DEALPROOF_DB: join(env.dir, "mid-deal.sqlite"), DEALPROOF_SETTLE_MODE: "signature" },
      {
        onStep: async (step, id) => {
          if (step !== "negotiate") return;
          held = id;
          await gate;
        },
      },
    );
    const [first] = await registrations(env, signer);
    const from = (await env.chain.connection.ethers.provider.getBlockNumber()) + 1;
    // 65 min into a 7-day TTL: no renewal due; then a deal (deadline an hour on)
    await advance(env, 3900);
    const deal = await runDeal(env);
    await waitFor("the deal held mid-negotiation", () => (held === deal.dealId ? true : undefined));
    // the owner shortens the TTL to an hour: the registration is expired at once
    await (await env.dp.shortenRegistrationTtl(3600)).wait();
    expect(await env.dp.isTrustedSigner(signer)).to.equal(false);
    // the negotiation goes on at once: its settlement would revert until the replica renews
    release();
    const row = await rowWhen(o, deal.dealId, ["settled"], 60_000);
    expect(row.settled_by).to.equal("oracle");
    const events = await settledEvents(env, deal.dealId);
    expect(events).to.have.length(1);
    const renewal = (await env.dp.queryFilter(env.dp.filters.OracleRegistered(signer), from))[0]!;
    expect(renewal.blockNumber < events[0]!.blockNumber, "renewed before settling").to.equal(true);
    const price = BigInt(row.outcome!.settlement.price);
    const onChain = await env.dp.getDeal(deal.dealId);
    expect([onChain.sellerPayout, onChain.buyerPayout]).to.deep.equal([
      price,
      units(vision.escrowUnits) - price,
    ]);
    const terms = JSON.parse(row.outcome!.termsJson) as { oracle: { signer: string } };
    expect(terms.oracle.signer).to.equal(signer);
    expect(renewal.args.issuedAt > first! + 3600n).to.equal(true);
    expect(o.store.wastedTxs()).to.equal(0);
    expect(await registrations(env, signer)).to.have.length(2);
  });
});
