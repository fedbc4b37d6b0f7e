/**
 * The one-command demo as a user runs it (`node scripts/demo.ts`, a child process with its own
 * chain, contracts and oracle): a clean run agrees, exits 0 and prints no warning; a run whose
 * deal fails (the buyer requires a verified seller, the seller's email was altered after signing)
 * exits 1, says how many deals failed, and prints the deal's transcript under its own heading;
 * the buyer's checks pass on the honest dataset, and `--dishonest-seller`'s junk labels fail the
 * required check by id, with the whole escrow withdrawn by the buyer; `--listing --deals 3` sells
 * one listing, verified once (its record printed), to three buyers who each receive the data.
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
    // the buyer's checks ran on the decrypted data and all passed (issue 23)
    for (const id of ["enough-rows", "label-column", "labels-present", "labels-known"])
      expect(r.stdout).to.include(`check ${id} ✓ pass`);
  });

  it("--dishonest-seller: a required check fails by id, no deal, the escrow comes back, exit 1", async () => {
    const r = await demo(["--settle", "signature", "--dishonest-seller"]);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stderr).to.include("demo: 1 of 1 deal(s) ended without agreement");
    expect(r.stdout).to.include("no agreement: checks: the buyer's required check labels-known failed");
    expect(r.stdout).to.include("check labels-known ✗ fail");
    expect(r.stdout).to.include("check enough-rows ✓ pass");
    expect(r.stdout).to.match(/buyer 1 withdrew 1\.25 ETH — the whole escrow came back/);
    expect(r.stdout).to.include("DealProof holds 0.0 ETH");
    expect(r.stdout).to.not.include("key delivery: the buyer decrypts and verifies the dataset\ndeal");
  });

  it("--listing --deals 3: one listing, its verified record, three buyers' deals agreed and received, exit 0", async () => {
    const r = await demo(["--settle", "signature", "--listing", "--deals", "3"]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout.match(/^listing 0x[0-9a-f]{8}… v1 · negotiated \(floor sealed\)/gm)?.length).to.equal(1);
    expect(r.stdout).to.match(
      /verified-listing record: verified · csv, 4000 records · seller DKIM-verified acme-data\.test/,
    );
    expect(r.stdout).to.match(
      /recordHash 0x[0-9a-f]{64} · signed by 0x[0-9a-fA-F]{40} \(GET http:\/\/127\.0\.0\.1:\d+\/listings\/0x[0-9a-f]{64}\)/,
    );
    expect(r.stdout.match(/bought from the listing/g)?.length).to.equal(3);
    expect(r.stdout).to.match(/listing 0x[0-9a-f]{8}… v1 \(negotiated\) named in the attested terms/);
    expect(r.stdout.match(/✓ identical to the seller's data/g)?.length).to.equal(3);
    expect(r.stdout).to.match(/done.*: 3\/3 deal\(s\) agreed and settled on-chain/);
    expect(r.stdout).to.include("DealProof holds 0.0 ETH");
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
