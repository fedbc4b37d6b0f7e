/**
 * The current oracle signer (`currentOracle()`, the key dapps seal to) revoked while replicas run
 * (oracle/daemon/registration.ts, "Taking over as current"). Found in review: the contract clears
 * the current signer on revocation and no replica registered again until its own renewal, hours
 * away, so no dapp could seal a new deal meanwhile. Now the live trusted replica ranked first by
 * address re-registers at once and becomes current, the others only RECOVERY_STEP_S of chain time
 * per rank later if it is still not fixed — one registration for the recovery, no stampede — and a
 * new deal sealed to the new current signer settles once, its escrow paid out. As three real
 * oracles in this process (each its own instance id, store and sender) on a local chain.
 */
import { expect } from "chai";
import { join } from "node:path";
import { ZeroAddress } from "ethers";
import { RECOVERY_STEP_S } from "../../oracle/daemon/registration.ts";
import type { RunningOracle } from "../../oracle/main/app.ts";
import { fundedSenders } from "../../scripts/lib/replica-fleet.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { at } from "../../scripts/lib/at.ts";
import { oracle, rowWhen, runDeal, settledEvents, waitFor } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const vision = scenarioByName("vision");

describe("replicas: the current signer revoked, a live replica takes its place", function () {
  this.timeout(240_000);
  let env: Env;
  const running: RunningOracle[] = [];
  afterEach(async () => {
    for (const o of running.splice(0)) await o.stop();
  });

  /** Three replicas of the app, each registered (the last to register is current). */
  async function fleet(tag: string, seed: bigint): Promise<RunningOracle[]> {
    const senders = await fundedSenders(at(env.signers, 0), 3, seed, "10");
    const rs: RunningOracle[] = [];
    for (const [i, s] of senders.entries()) {
      const r = await oracle(env, {
        DEALPROOF_INSTANCE_ID: `${tag}${i}`.padEnd(40, "0"),
        DEALPROOF_SENDER_KEY: s.privateKey,
        DEALPROOF_DB: join(env.dir, `${tag}-${i}.sqlite`),
        // a deal ranked first to the killed replica is taken over within seconds
        DEALPROOF_TAKEOVER_AFTER_S: "2",
        DEALPROOF_SETTLE_MODE: "signature",
      });
      rs.push(r);
      running.push(r);
    }
    for (const r of rs)
      await waitFor("registered", async () =>
        (await env.dp.isTrustedSigner(r.identity.address)) ? true : undefined,
      );
    return rs;
  }

  const provider = () => env.chain.connection.ethers.provider;
  const registrationsSince = async (block: number) =>
    (await env.dp.queryFilter(env.dp.filters.OracleRegistered(), block)).map((e) =>
      e.args.signer.toLowerCase(),
    );
  /** The current signer once it is set and trusted. */
  const trustedCurrent = async () => {
    const c = await env.dp.currentOracle();
    return c.signer !== ZeroAddress && (await env.dp.isTrustedSigner(c.signer))
      ? c.signer.toLowerCase()
      : undefined;
  };

  /** A new deal, sealed to currentOracle by the SDK, settles once with its escrow paid out. */
  async function dealSettles(rs: RunningOracle[]) {
    const d = await runDeal(env);
    const rows = await Promise.all(rs.map((r) => rowWhen(r, d.dealId, ["settled"], 90_000)));
    const mine = rows.filter((r) => r.settled_by === "oracle");
    expect(mine).to.have.length(1);
    expect(await settledEvents(env, d.dealId)).to.have.length(1);
    const price = BigInt(mine[0]!.outcome!.settlement.price);
    const onChain = await env.dp.getDeal(d.dealId);
    expect([onChain.sellerPayout, onChain.buyerPayout]).to.deep.equal([
      price,
      units(vision.escrowUnits) - price,
    ]);
  }

  // each case on its own chain: no registration another case left behind ranks among the signers
  describe("with every replica up", () => {
    useLocalChain((e) => (env = e));
    it("the first-ranked live replica re-registers at once, one registration, and a new deal settles", async () => {
      const rs = await fleet("aa", 71n);
      // each joining replica became current in turn: none of the others took that for a fault
      await sleep(1000);
      expect(await registrationsSince(env.deployment.deployBlock)).to.have.length(3);
      const current = (await env.dp.currentSigner()).toLowerCase();
      const victim = rs.find((r) => r.identity.address.toLowerCase() === current)!;
      expect(victim, "the current signer is one of the replicas").to.not.equal(undefined);
      const first = rs
        .filter((r) => r !== victim)
        .map((r) => r.identity.address.toLowerCase())
        .sort()[0]!;
      const from = (await provider().getBlockNumber()) + 1;
      await (await env.dp.revokeSigner(current)).wait();
      expect((await env.dp.currentOracle()).signer).to.equal(ZeroAddress);
      const t0 = Date.now();
      const next = await waitFor("a trusted current signer", trustedCurrent, 5000);
      const tookMs = Date.now() - t0;
      expect(next).to.equal(first);
      // 2 s more (≈ 40 ticks of 50 ms): nobody else registers to "fix" what is fixed
      await sleep(2000);
      const recovery = await registrationsSince(from);
      expect(recovery, `recovery registrations (current again after ${tookMs} ms)`).to.deep.equal([first]);
      expect(tookMs).to.be.below(3000);
      await dealSettles(rs.filter((r) => r !== victim));
      for (const r of rs) expect(r.store.wastedTxs()).to.equal(0);
    });
  });

  describe("with the first-ranked replica killed", () => {
    useLocalChain((e) => (env = e));
    it("the first-ranked replica is gone: the next one takes over only after its step, still one registration", async () => {
      const rs = await fleet("bb", 72n);
      const current = (await env.dp.currentSigner()).toLowerCase();
      const victim = rs.find((r) => r.identity.address.toLowerCase() === current)!;
      const [dead, second] = rs
        .filter((r) => r !== victim)
        .sort((a, b) => (a.identity.address.toLowerCase() < b.identity.address.toLowerCase() ? -1 : 1)) as [
        RunningOracle,
        RunningOracle,
      ];
      // rank 0 is killed: its registration is still trusted, so it keeps its rank, but never acts
      dead.kill();
      running.splice(running.indexOf(dead), 1);
      const from = (await provider().getBlockNumber()) + 1;
      await (await env.dp.revokeSigner(current)).wait();
      // a second and a half of ticks: the second waits its step (no stampede)
      await sleep(1500);
      expect(await registrationsSince(from)).to.deep.equal([]);
      expect((await env.dp.currentOracle()).signer).to.equal(ZeroAddress);
      // chain time reaches the second's turn
      await provider().send("evm_increaseTime", [RECOVERY_STEP_S + 1]);
      await provider().send("evm_mine", []);
      const next = await waitFor("a trusted current signer", trustedCurrent, 5000);
      expect(next).to.equal(second.identity.address.toLowerCase());
      await sleep(1000);
      expect(await registrationsSince(from)).to.deep.equal([next]);
      await dealSettles([second, victim]);
    });
  });
});
