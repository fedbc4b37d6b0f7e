/**
 * The one-command demo as a user runs it (`node scripts/demo.ts`, a child process with its own
 * chain, contracts and oracle): a clean run agrees, exits 0 and prints no warning; a run whose
 * deal fails (the buyer requires a verified seller, the seller's email was altered after signing)
 * exits 1, says how many deals failed, and prints the deal's transcript under its own heading.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const node = join(root, "node_modules", ".bin", "node");

function demo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      node,
      ["--disable-warning=ExperimentalWarning", join(root, "scripts/demo.ts"), ...args],
      {
        cwd: root,
        env: { ...process.env, ANTHROPIC_API_KEY: "" },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe("npm run demo as a user runs it", function () {
  this.timeout(300_000);

  it("a clean run agrees, exits 0 and prints no warning", async () => {
    const r = await demo(["--settle", "signature"]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/done.*: 1\/1 deal\(s\) agreed and settled on-chain/);
    // the transcript is labelled for what it is, with how the price was set (issue 24)
    expect(r.stdout).to.match(
      /\(these are the agents' positions as the enclave renders them once the mechanism has set the price\. /,
    );
    expect(r.stderr + r.stdout).to.not.match(/warning/i);
  });

  it("a deal that ends without agreement makes it exit 1, its transcript under its own heading", async () => {
    const r = await demo(["--settle", "signature", "--require-seller-domain", "--tamper-email"]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stderr).to.include("demo: 1 of 1 deal(s) ended without agreement");
    expect(r.stdout).to.match(/0\/1 deal\(s\) agreed/);
    expect(r.stdout).to.match(/seller-domain-unverified|verified seller/);
  });
});
