/**
 * `npm run bench:props [-- --json] [-- --size-mib N]`: commits a generated file (1 GiB by default)
 * with the oracle's streaming Merkle code and prints its throughput next to `sha256sum` on the
 * same file in the same run, and the committing process's peak RSS. Benchmark, not test.
 * Targets: throughput ≥ 0.8× sha256sum, peak RSS < 150 MB.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finished } from "node:stream/promises";

const argv = process.argv.slice(2);
const json = argv.includes("--json");
const sizeMiB = argv.includes("--size-mib") ? Number(argv[argv.indexOf("--size-mib") + 1]) : 1024;

if (argv[0] === "--worker") {
  const { commitLocation } = await import("../../oracle/data/dataset.ts");
  const t0 = performance.now();
  const c = await commitLocation(argv[1]!);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, root: c.root, maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "bench-props-"));
const file = join(dir, "data.bin");
try {
  const ws = createWriteStream(file);
  const block = randomBytes(1 << 20);
  for (let i = 0; i < sizeMiB; i++) {
    block.writeUInt32LE(i, 0);
    if (!ws.write(Buffer.from(block))) await new Promise<void>((r) => ws.once("drain", () => r()));
  }
  ws.end();
  await finished(ws);
  spawnSync("cat", [file], { stdio: ["ignore", "ignore", "inherit"] }); // warm the page cache for both

  const t0 = performance.now();
  const sum = spawnSync("sha256sum", [file], { encoding: "utf8" });
  const shaSeconds = (performance.now() - t0) / 1000;
  if (sum.status !== 0) throw new Error(`sha256sum failed: ${sum.stderr}`);

  const w = spawnSync(process.execPath, [import.meta.filename, "--worker", file], { encoding: "utf8" });
  if (w.status !== 0) throw new Error(`the commit worker failed: ${w.stderr}`);
  const ours = JSON.parse(w.stdout.trim().split("\n").at(-1)!) as {
    seconds: number;
    root: string;
    maxRssKiB: number;
  };

  const mib = sizeMiB;
  const result = {
    sizeMiB: mib,
    oursMiBps: mib / ours.seconds,
    sha256sumMiBps: mib / shaSeconds,
    throughputRatio: shaSeconds / ours.seconds,
    peakRssMB: (ours.maxRssKiB * 1024) / 1e6,
    root: ours.root,
  };
  if (json) console.log(JSON.stringify(result));
  else {
    console.log(`dataset                 ${mib} MiB (generated)`);
    console.log(`sha256sum               ${result.sha256sumMiBps.toFixed(0)} MiB/s`);
    console.log(`oracle commit (Merkle)  ${result.oursMiBps.toFixed(0)} MiB/s`);
    console.log(
      `throughput ratio        ${result.throughputRatio.toFixed(2)}×   target ≥ 0.8  ${result.throughputRatio >= 0.8 ? "OK" : "BELOW"}`,
    );
    console.log(
      `peak RSS (commit)       ${result.peakRssMB.toFixed(1)} MB   target < 150  ${result.peakRssMB < 150 ? "OK" : "OVER"}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
