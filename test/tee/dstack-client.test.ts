import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify, randomBytes } from "ethers";
import { DstackClient } from "@phala/dstack-sdk";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { DstackBackend } from "../../oracle/tee/dstack.ts";
import { startGuestAgentStandin, type StandinHandle } from "../../oracle/simulator/guest-agent.ts";
import { loadOracleIdentity } from "../../oracle/tee/identity.ts";
import { verifyQuote } from "../../oracle/quote/verify.ts";

describe("the real DstackClient against the guest-agent stand-in", () => {
  const seedFile = join(mkdtempSync(join(tmpdir(), "dealproof-dstack-")), "seed");
  const handles: StandinHandle[] = [];
  after(async () => {
    for (const h of handles) await h.close();
  });

  for (const transport of ["tcp", "unix socket"] as const) {
    it(`quote, key and info over ${transport}`, async () => {
      const sim = SimulatorBackend.fromSeedFile(seedFile);
      const h = await startGuestAgentStandin(
        sim,
        transport === "tcp"
          ? {}
          : { socketPath: join(mkdtempSync(join(tmpdir(), "dstack-sock-")), "dstack.sock") },
      );
      handles.push(h);
      const client = new DstackClient(h.endpoint);
      const rd = randomBytes(64);
      const q = await client.getQuote(Buffer.from(rd));
      const v = verifyQuote(Buffer.from(q.quote, "hex"), {
        simulatorKeys: [sim.attestationPublicKey()],
        eventLog: q.event_log,
        expectedReportData: rd,
      });
      expect(v.ok, JSON.stringify(v.checks)).to.equal(true);
      const k1 = await client.getKey("dealproof/test", "p");
      const k2 = await client.getKey("dealproof/test", "p");
      expect(hexlify(k1.key)).to.equal(hexlify(k2.key));
      expect(k1.key.length).to.equal(32);
      const info = await client.info();
      expect(info.app_id).to.equal(sim.image.appId);
      expect(info.tcb_info.rtmr3).to.equal(Buffer.from(sim.registers().rtMr3).toString("hex"));

      const backend = new DstackBackend(h.endpoint);
      const bi = await backend.info();
      expect(bi.measurementId).to.equal(sim.measurementId());
      expect(bi.composeHash).to.equal(sim.image.composeHash);
    });
  }

  it("gives the oracle the same identity after the agent (and oracle) restart", async () => {
    const h1 = await startGuestAgentStandin(SimulatorBackend.fromSeedFile(seedFile));
    const id1 = await loadOracleIdentity(new DstackBackend(h1.endpoint));
    await h1.close();
    const h2 = await startGuestAgentStandin(SimulatorBackend.fromSeedFile(seedFile));
    handles.push(h2);
    const id2 = await loadOracleIdentity(new DstackBackend(h2.endpoint));
    expect([id1.address, id1.encryptionPublicKey]).to.deep.equal([id2.address, id2.encryptionPublicKey]);
  });

  it("refuses report data over 64 bytes before asking the agent", async () => {
    const h = await startGuestAgentStandin(SimulatorBackend.fromSeedFile(seedFile));
    handles.push(h);
    const backend = new DstackBackend(h.endpoint);
    let err: unknown;
    await backend.getQuote(new Uint8Array(65)).catch((e: unknown) => (err = e));
    expect((err as Error).message).to.match(/at most 64 bytes/);
  });
});
