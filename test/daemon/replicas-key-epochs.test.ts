/**
 * Key epochs end to end with the simulator (DESIGN.md §12, docs/operations.md "Key epochs"): a
 * deal sealed to epoch 1 while the oracle rotates to "2,1" settles; the rotated oracle registers
 * epoch 2's key, so new deals are sealed to it and settle; once epoch 1 is dropped from config, a
 * deal still sealed to it ends as "no deal" with a reason naming the epochs held, buyer refunded.
 */
import { expect } from "chai";
import { join } from "node:path";
import { loadKeyring } from "../../oracle/tee/keyring.ts";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import type { RunningOracle } from "../../oracle/main/app.ts";
import { oracle, runDeal, rowWhen, settledEvents, waitFor } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";

describe("replicas: key epochs rotate without stranding a deal", function () {
  this.timeout(240_000);
  let env: Env;
  const running: RunningOracle[] = [];
  // registered before useLocalChain's: mocha runs `after` hooks in order, and the oracles must stop
  // before the chain closes (a chain closing under a polling oracle waits for its connections)
  after(async () => {
    for (const o of running.splice(0)) await o.stop();
  });
  useLocalChain((e) => (env = e));

  async function start(epochs: string, db: string, instance?: string) {
    const o = await oracle(env, {
      DEALPROOF_KEY_EPOCHS: epochs,
      DEALPROOF_DB: join(env.dir, db),
      DEALPROOF_TAKEOVER_AFTER_S: "1",
      ...(instance === undefined ? {} : { DEALPROOF_INSTANCE_ID: instance }),
    });
    running.push(o);
    await waitFor("the registration of this epoch's key", async () =>
      (await env.dp.registrationOf(o.identity.address)).encryptionKey === o.identity.encryptionPublicKey
        ? true
        : undefined,
    );
    return o;
  }
  async function stop(o: RunningOracle) {
    running.splice(running.indexOf(o), 1);
    await o.stop();
  }

  it("rotates 1 → 2,1 → 2: deals sealed to epoch 1 settle, new ones seal to epoch 2, a dropped key's deal ends no-deal", async () => {
    const [k1, k2] = await loadKeyring(SimulatorBackend.fromSeedFile(env.seedFile), [1, 2]);
    const v1 = await start("1", "epochs.sqlite");
    await stop(v1);
    const sealedTo1 = await runDeal(env); // registered key: epoch 1's; no oracle running

    const v21 = await start("2,1", "epochs.sqlite");
    expect((await env.dp.currentOracle()).encryptionKey).to.equal(k2!.publicKey);
    const old = await rowWhen(v21, sealedTo1.dealId, ["settled"], 60_000);
    expect(old.outcome!.settlement.agreed).to.equal(true);
    const sealedTo2 = await runDeal(env);
    expect((await rowWhen(v21, sealedTo2.dealId, ["settled"], 60_000)).outcome!.settlement.agreed).to.equal(
      true,
    );
    await stop(v21);

    // a replica still on epoch 1 registers last, so a dapp seals one more deal to epoch 1's key
    const lagging = await start("1", "lagging.sqlite", "c3".repeat(20));
    expect((await env.dp.currentOracle()).encryptionKey).to.equal(k1!.publicKey);
    await stop(lagging);
    const stranded = await runDeal(env);

    // epoch 1 dropped too early: the deal cannot be opened; it ends no-deal and the buyer is refunded
    const v2 = await start("2", "epochs.sqlite");
    const row = await rowWhen(v2, stranded.dealId, ["settled"], 60_000);
    expect(row.outcome!.settlement.agreed).to.equal(false);
    expect(row.outcome!.reason).to.match(/^sealed input refused \(cannot_open\): .*key epochs 2;/);
    const events = await settledEvents(env, stranded.dealId);
    expect(events).to.have.length(1);
    expect(events[0]!.args.agreed).to.equal(false);
  });
});
