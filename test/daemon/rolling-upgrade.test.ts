/**
 * A rolling upgrade (DESIGN.md §12, docs/operations.md "Running replicas"): replicas of an old
 * image (measurement A) serve deals; the owner allows the new image's measurement B; a replica of
 * B joins (same app, so the same app key from the KMS: it opens every deal sealed before); deals
 * created while both run are each settled once by one of them; the old replica stops with deals
 * open and B takes them over; the owner disallows A, and from then on only B settles. No deal ends
 * without a settlement, none is settled twice, no settlement transaction is wasted.
 */
import { expect } from "chai";
import { join } from "node:path";
import pino from "pino";
import { localOracleConfig } from "../../scripts/lib/local-oracle.ts";
import { startOracle, type RunningOracle } from "../../oracle/main/app.ts";
import { DEFAULT_IMAGE, SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { LOCAL_POLICY } from "../../oracle/data/location-policy.ts";
import { oracle, runDeal, rowWhen, settledEvents, waitFor } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { KIND } from "../fixtures/deal-proof.ts";

// hardhat's accounts #5 and #6: each replica pays for its own transactions
const SENDERS = [
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
];
/** Longer than a deal takes here, so the overlap is not a takeover race; short enough for the test. */
const TAKEOVER_S = "10";
/** The new release: another compose file under the same app id (what a Phala upgrade changes). */
const IMAGE_B = { ...DEFAULT_IMAGE, composeHash: "b2".repeat(32) };

describe("replicas: a rolling upgrade from one measurement to the next", function () {
  this.timeout(240_000);
  let env: Env;
  const running: RunningOracle[] = [];
  // before useLocalChain's hooks: the oracles stop before the chain closes
  after(async () => {
    for (const o of running.splice(0)) await o.stop();
  });
  useLocalChain((e) => (env = e));

  /** A replica of the new image: the local oracle's parts, with image B's simulated TEE. */
  async function replicaOfB(): Promise<RunningOracle> {
    const cfg = localOracleConfig({
      rpcUrl: env.rpcUrl,
      deploymentFile: env.deploymentFile,
      seedFile: env.seedFile,
      dir: env.dir,
      overrides: {
        DEALPROOF_DB: join(env.dir, "b.sqlite"),
        DEALPROOF_INSTANCE_ID: "b1".repeat(20),
        DEALPROOF_SENDER_KEY: SENDERS[1]!,
        DEALPROOF_TAKEOVER_AFTER_S: TAKEOVER_S,
        DEALPROOF_CONCURRENCY: "8",
      },
    });
    const tee = SimulatorBackend.fromSeedFile(cfg.DEALPROOF_SIMULATOR_SEED_FILE, IMAGE_B, false, {
      instanceId: cfg.DEALPROOF_INSTANCE_ID,
    });
    const r = await startOracle(
      cfg,
      {
        tee,
        fetchPolicy: LOCAL_POLICY,
        simulatedDcap: () => ({ rootCaDer: tee.dcapRootCa(), collateral: tee.dcapCollateral() }),
      },
      { resolver: env.email.resolver, logger: pino({ level: "silent" }) },
    );
    running.push(r);
    return r;
  }

  it("old and new measurements overlap: every deal settles once; the old replica's deals move to the new", async () => {
    const a = await oracle(env, {
      DEALPROOF_DB: join(env.dir, "a.sqlite"),
      DEALPROOF_INSTANCE_ID: "a1".repeat(20),
      DEALPROOF_SENDER_KEY: SENDERS[0]!,
      DEALPROOF_TAKEOVER_AFTER_S: TAKEOVER_S,
    });
    running.push(a);
    const measurementA = (await env.dp.registrationOf(a.identity.address)).measurementId;
    const measurementB = SimulatorBackend.fromSeedFile(env.seedFile, IMAGE_B, false).measurementId();
    expect(measurementB).to.not.equal(measurementA);
    const before = await runDeal(env);
    await rowWhen(a, before.dealId, ["settled"], 60_000);

    // the upgrade: B allowed (a widening change, after the change delay), then a replica of B joins
    await (await env.dp.scheduleChange(KIND.AllowMeasurement, measurementB)).wait();
    const delay = Number(await env.dp.CHANGE_DELAY());
    if (delay > 0) await env.chain.connection.networkHelpers.time.increase(delay);
    await (await env.dp.executeChange(await env.dp.changeIdFor(KIND.AllowMeasurement, measurementB))).wait();
    const b = await replicaOfB();
    await waitFor(
      "B registered and trusted",
      async () => (await env.dp.isTrustedSigner(b.identity.address)) || undefined,
    );
    expect((await env.dp.registrationOf(b.identity.address)).measurementId).to.equal(measurementB);

    // both run: each deal settled once, by one of the two
    const during = [await runDeal(env), await runDeal(env), await runDeal(env), await runDeal(env)];
    for (const d of during) {
      const rows = await Promise.all([a, b].map((r) => rowWhen(r, d.dealId, ["settled", "closed"], 60_000)));
      const sent = rows.filter((r) => r.status === "settled" && r.settled_by === "oracle");
      expect(sent, "one of them sent it").to.have.length(1);
      // the other recorded it settled by the other (seen on-chain, or its own late outcome refused)
      const other = rows.find((r) => r !== sent[0])!;
      expect([other.status, other.settled_by], other.last_error ?? "").to.deep.equal(["settled", "other"]);
      expect(await settledEvents(env, d.dealId)).to.have.length(1);
    }

    // the old replica stops with deals open (none of them started by it yet: it is gone at once)
    const wastedByA = a.store.wastedTxs();
    await a.stop();
    running.splice(running.indexOf(a), 1);
    const open = [await runDeal(env), await runDeal(env)];
    await (await env.dp.disallowMeasurement(measurementA)).wait();
    expect(await env.dp.isTrustedSigner(a.identity.address)).to.equal(false);
    const after = await runDeal(env);
    for (const d of [...open, after]) {
      const row = await rowWhen(b, d.dealId, ["settled"], 90_000);
      const terms = JSON.parse(row.outcome!.termsJson) as { oracle: { signer: string } };
      expect(terms.oracle.signer, "settled by the new release").to.equal(b.identity.address);
      expect(await settledEvents(env, d.dealId)).to.have.length(1);
    }
    expect(wastedByA + b.store.wastedTxs(), "no settlement transaction wasted").to.equal(0);
    // nothing lost: every deal of the run ended settled on-chain, none refundable
    for (const d of [before, ...during, ...open, after])
      expect((await env.dp.getDeal(d.dealId)).state, `deal ${d.dealId}`).to.equal(3n);
  });
});
