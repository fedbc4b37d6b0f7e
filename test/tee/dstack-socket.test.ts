/**
 * The image's user can open dstack's socket the way docker-compose.yml grants it: a root-owned
 * unix socket of mode 0660, and a process that runs as uid/gid 1000 (the image's `node`) with
 * group 0 added (`group_add: ["0"]`) — the real DstackBackend (@phala/dstack-sdk) reaches the
 * guest agent (a local stand-in); without group 0 it is refused. Needs root to make the socket
 * and drop privileges as Docker does; skipped, saying so, otherwise.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { startGuestAgentStandin } from "../../oracle/simulator/guest-agent.ts";

const root = join(import.meta.dirname, "..", "..");

function asNodeUser(socket: string, groups: number[]): Promise<{ code: number; out: string }> {
  const script = `
    process.setgroups(${JSON.stringify(groups)}); process.setgid(1000); process.setuid(1000);
    const { DstackBackend } = await import(${JSON.stringify(pathToFileURL(join(root, "oracle/tee/dstack.ts")).href)});
    const info = await new DstackBackend(${JSON.stringify(socket)}).info();
    console.log(JSON.stringify({ uid: process.getuid(), measurementId: info.measurementId }));`;
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", "--input-type=module", "-e", script],
      { cwd: root },
    );
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

describe("dstack.sock: the image's user (uid 1000) opens a root-owned 0660 socket through group 0", function () {
  this.timeout(60_000);

  it("connects with group 0 added (as the compose file grants) and is refused without it", async function () {
    if (process.getuid?.() !== 0) return this.skip(); // needs root to own the socket and drop privileges
    const dir = mkdtempSync(join(tmpdir(), "dealproof-sock-"));
    chmodSync(dir, 0o755);
    const socket = join(dir, "dstack.sock");
    const sim = SimulatorBackend.fromSeedFile(join(dir, "seed"));
    const agent = await startGuestAgentStandin(sim, { socketPath: socket });
    try {
      chownSync(socket, 0, 0);
      chmodSync(socket, 0o660);
      const granted = await asNodeUser(socket, [0]);
      expect(granted.code, granted.out).to.equal(0);
      expect(JSON.parse(granted.out)).to.deep.equal({ uid: 1000, measurementId: sim.measurementId() });
      const refused = await asNodeUser(socket, []);
      expect(refused.code).to.not.equal(0);
      expect(refused.out).to.match(/EACCES/);
    } finally {
      await agent.close();
    }
  });

  it("docker-compose.yml adds group 0 and mounts the socket", () => {
    const compose = readFileSync(join(root, "docker-compose.yml"), "utf8");
    expect(compose).to.match(/group_add:\n\s+- "0"/);
    expect(compose).to.include("- /var/run/dstack.sock:/var/run/dstack.sock");
    expect(readFileSync(join(root, "Dockerfile"), "utf8")).to.match(/^USER node$/m);
  });
});
