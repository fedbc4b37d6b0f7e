/**
 * `npm run bench:checks [-- --json] [-- --mb N]`: the check stage as the oracle runs it, beside
 * DuckDB alone, in the same run. Generates a CSV dataset (1 GiB by default) and a Parquet copy,
 * encrypts and commits both with the project's own tools, and 100,000 buyer overlap keys (half of
 * them the seller's); then, in a worker process, the full stage (decrypt, verify the root, write
 * the plaintext, load the locked engine, profile, 12 checks including the overlap) and, in another,
 * DuckDB alone loading the plaintext and running the same compiled SQL. Also tries hostile inputs
 * (each must end as a clear verdict while this process keeps going) and times SUMMARIZE.
 * Prints datasetMB, checks, stageSeconds, duckdbAloneSeconds, ratioToDuckdb (= alone / stage),
 * peakRssMB (the stage process's VmHWM + the engine child's, each from /proc/<pid>/status; also
 * printed apart, with the sampled peak of their summed RSS), hostileInputsTried/Survived,
 * profileSeconds. The engine runs with the daemon's default limits (or DEALPROOF_CHECK_MEMORY_MB /
 * DEALPROOF_CHECK_THREADS from the environment). Targets: ratioToDuckdb ≥ 0.6, peakRssMB ≤ 1024
 * at 1 GiB. Benchmark, not test.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { finished } from "node:stream/promises";
import { checks, overlapKey, type CheckSpec } from "../../sdk/src/checks.ts";

const argv = process.argv.slice(2);
const json = argv.includes("--json");
const mb = argv.includes("--mb") ? Number(argv[argv.indexOf("--mb") + 1]) : 1024;
const SALT = "bench-salt-0123456789";
/** The engine's limits as the daemon configures them (DEALPROOF_CHECK_MEMORY_MB / _THREADS, same defaults). */
const LIMITS = {
  memoryLimitMB: Number(process.env.DEALPROOF_CHECK_MEMORY_MB ?? 512),
  threads: Number(process.env.DEALPROOF_CHECK_THREADS ?? 2),
  // not the daemon's 60 s per query: the figures are times, taken on a shared, loaded machine
  queryTimeoutMs: 600_000,
};

const SPEC: CheckSpec = checks()
  .rowCount({ min: 1 }, { id: "rows" })
  .column("label", "string", { id: "label-type" })
  .nullFraction("note", 0.5, { id: "nulls" })
  .unique(["id"], { id: "unique-id" })
  .valuesIn("label", ["cat", "dog", "bird", "fish"], { id: "labels" })
  .stat("score", "mean", { min: 0, max: 1 }, { id: "mean" })
  .quantile("score", 0.9, { max: 1 }, { id: "p90" })
  .distinctCount("label", 4, { id: "distinct" })
  .pattern("code", "^[A-Z]{3}-[0-9]+$", 0.99, { id: "codes" })
  .freshness("ts", "2026-01-01", { id: "fresh" })
  .classBalance("label", 0.2, { id: "balance" })
  .overlap("id", { min: 1 }, { id: "overlap" })
  .build();

interface RssFigures {
  /** This process's own high-water mark (VmHWM). */
  selfHwm: number;
  /** The largest VmHWM any child reached while sampled (the engine child). */
  childHwm: number;
  /** The peak of this process's VmRSS plus its children's, sampled every 50 ms. */
  sampledSum: number;
}

/** A /proc/<pid>/status field in bytes, 0 when the process is gone (Linux). */
function statusBytes(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Samples this process and its children: each process's VmHWM (the kernel's own peak, the honest
 * measure) and the peak of their summed VmRSS. A child's VmHWM is read until it exits, so its last
 * 50 ms may be missed; the sum of the two high-water marks bounds the joint peak from above.
 */
function rssSampler(): { stop: () => RssFigures } {
  const children = (): number[] => {
    try {
      return readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter((s) => s !== "")
        .map(Number);
    } catch {
      return [];
    }
  };
  const hwm = new Map<number, number>();
  let sampledSum = 0;
  const sample = () => {
    let sum = statusBytes(process.pid, "VmRSS");
    for (const pid of children()) {
      sum += statusBytes(pid, "VmRSS");
      hwm.set(pid, Math.max(hwm.get(pid) ?? 0, statusBytes(pid, "VmHWM")));
    }
    sampledSum = Math.max(sampledSum, sum);
  };
  const t = setInterval(sample, 50);
  return {
    stop: () => {
      clearInterval(t);
      sample();
      return {
        selfHwm: statusBytes(process.pid, "VmHWM"),
        childHwm: Math.max(0, ...hwm.values()),
        sampledSum,
      };
    },
  };
}

if (argv[0] === "--stage") {
  // the oracle's check stage, as the pipeline runs it
  const { verifyAndCheck } = await import("../../oracle/daemon/check-step.ts");
  const { LOCAL_POLICY } = await import("../../oracle/data/location-policy.ts");
  const job = JSON.parse(readFileSync(argv[1]!, "utf8"));
  const sampler = rssSampler();
  const t0 = performance.now();
  const r = await verifyAndCheck(job.buyer, job.seller, job.root, {
    fetch: { policy: LOCAL_POLICY, maxBytes: Number.MAX_SAFE_INTEGER },
    limits: LIMITS,
  });
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      seconds,
      rss: sampler.stop(),
      verdict: r.verdict,
      results: r.facts.checks?.results ?? [],
    }),
  );
  process.exit(0);
}

if (argv[0] === "--alone") {
  // DuckDB alone, in its own process: the same limits, allocator setting and on-disk database as
  // the engine, the same table, the same compiled SQL
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const { planCheck } = await import("../../oracle/checks/compile.ts");
  const [, file, keys, format, tmp] = argv as [string, string, string, string, string];
  const t0 = performance.now();
  const inst = await DuckDBInstance.create(join(tmp, `alone-${format}.duckdb`), {
    memory_limit: `${LIMITS.memoryLimitMB}MB`,
    threads: String(LIMITS.threads),
    temp_directory: join(tmp, "duckdb-tmp"),
    allocator_background_threads: "true",
  });
  const c = await inst.connect();
  const reader =
    format === "parquet"
      ? `read_parquet('${file}')`
      : `read_csv('${file}', header = true, delim = ',', quote = '"', escape = '"')`;
  await c.run(`CREATE TABLE data AS SELECT * FROM ${reader}`);
  await c.run(
    `CREATE TABLE buyer_keys AS SELECT DISTINCT k FROM read_csv('${keys}', header = false, columns = {'k': 'VARCHAR'})`,
  );
  const cols = (await c.runAndReadAll("DESCRIBE data")).getRowObjectsJS();
  const n = Number((await c.runAndReadAll("SELECT count(*) n FROM data")).getRowObjectsJS()[0]!.n);
  const schema = {
    rowCount: n,
    columns: cols.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
  };
  for (const check of SPEC.checks) {
    const p = planCheck(check, schema, SALT);
    if (p.kind === "query") await c.runAndReadAll(p.sql, p.params as never);
  }
  const seconds = (performance.now() - t0) / 1000;
  const p0 = performance.now();
  await c.runAndReadAll("SUMMARIZE data");
  const profileSeconds = (performance.now() - p0) / 1000;
  console.log(JSON.stringify({ seconds, profileSeconds, hwm: statusBytes(process.pid, "VmHWM") }));
  process.exit(0);
}

const MB = 1e6;

/** The stage's memory figures in MB: peakRssMB is the sum of both processes' high-water marks. */
function rssFigures(r: RssFigures) {
  return {
    peakRssMB: (r.selfHwm + r.childHwm) / MB,
    stageProcessHwmMB: r.selfHwm / MB,
    engineChildHwmMB: r.childHwm / MB,
    sampledSumRssMB: r.sampledSum / MB,
  };
}

function run(args: string[]): Record<string, unknown> {
  const w = spawnSync(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", import.meta.filename, ...args],
    {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    },
  );
  if (w.status !== 0) throw new Error(`${args[0]} failed: ${w.stderr}`);
  return JSON.parse(w.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
}

async function writeCsv(path: string, targetBytes: number): Promise<number> {
  const ws = createWriteStream(path);
  ws.write("id,label,score,ts,code,note\n");
  const labels = ["cat", "dog", "bird", "fish"];
  let bytes = 0;
  let i = 0;
  while (bytes < targetBytes) {
    const lines: string[] = [];
    for (let k = 0; k < 10_000; k++, i++) {
      const day = String(1 + (i % 28)).padStart(2, "0");
      lines.push(
        `${i},${labels[i % 4]},${((i * 7919) % 10_000) / 10_000},2026-01-${day} 12:00:00,ABC-${i},${i % 7 === 0 ? "" : "ok"}`,
      );
    }
    const chunk = `${lines.join("\n")}\n`;
    bytes += chunk.length;
    if (!ws.write(chunk)) await new Promise<void>((r) => ws.once("drain", () => r()));
  }
  ws.end();
  await finished(ws);
  return i;
}

const dir = mkdtempSync(join(tmpdir(), "bench-checks-"));
try {
  const { encryptFile } = await import("../../client/files.ts");
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const csv = join(dir, "data.csv");
  const rows = await writeCsv(csv, mb * 1024 * 1024);
  const parquet = join(dir, "data.parquet");
  {
    const c = await (
      await DuckDBInstance.create(":memory:", {
        memory_limit: "512MB",
        threads: "2",
        temp_directory: join(dir, "duckdb-tmp"),
      })
    ).connect();
    await c.run(`COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${parquet}' (FORMAT parquet)`);
    c.closeSync();
  }
  // 100,000 buyer keys: half the seller's ids, half made up
  const keyBytes = Buffer.concat(
    Array.from({ length: 100_000 }, (_, k) =>
      Buffer.from(overlapKey(SALT, k % 2 === 0 ? String(k * 13) : `not-${k}`)),
    ),
  );
  const keysBin = join(dir, "keys.bin");
  writeFileSync(keysBin, keyBytes);
  const keysHex = join(dir, "keys.csv");
  const hex: string[] = [];
  for (let o = 0; o < keyBytes.length; o += 32) hex.push(keyBytes.subarray(o, o + 32).toString("hex"));
  writeFileSync(keysHex, `${hex.join("\n")}\n`);
  const keysEnc = await encryptFile(keysBin, `${keysBin}.enc`, { chunkSize: 1 << 20 });

  const figures: Record<string, Record<string, unknown>> = {};
  for (const [name, plain, format] of [
    ["csv", csv, "csv"],
    ["parquet", parquet, "parquet"],
  ] as const) {
    const enc = await encryptFile(plain, `${plain}.enc`, { chunkSize: 1 << 20 });
    const job = join(dir, `${name}.job.json`);
    writeFileSync(
      job,
      JSON.stringify({
        root: enc.manifest.root,
        buyer: {
          v: 1,
          budgetWei: "1",
          requirements: "r",
          deliveryPublicKey: `0x${"11".repeat(32)}`,
          checks: SPEC,
          overlapKeys: {
            salt: SALT,
            location: pathToFileURL(`${keysBin}.enc`).href,
            key: keysEnc.key,
            chunkSize: 1 << 20,
            root: keysEnc.manifest.root,
          },
        },
        seller: {
          v: 1,
          floorWei: "1",
          description: "d",
          dataset: { location: pathToFileURL(`${plain}.enc`).href, key: enc.key, chunkSize: 1 << 20, format },
        },
      }),
    );
    spawnSync("cat", [`${plain}.enc`, plain], { stdio: ["ignore", "ignore", "inherit"] }); // warm the page cache
    const stage = run(["--stage", job]);
    const alone = run(["--alone", plain, keysHex, format, dir]);
    figures[name] = {
      datasetMB: enc.manifest.size / 1e6,
      stageSeconds: stage.seconds,
      duckdbAloneSeconds: alone.seconds,
      ratioToDuckdb: (alone.seconds as number) / (stage.seconds as number),
      ...rssFigures(stage.rss as RssFigures),
      duckdbAloneHwmMB: (alone.hwm as number) / MB,
      profileSeconds: alone.profileSeconds,
      verdictOk: (stage.verdict as { ok: boolean }).ok,
      // why the stage said no deal (an engine code or the failing check), when it did
      ...((stage.verdict as { ok: boolean }).ok
        ? {}
        : { verdictCode: (stage.verdict as { code: string }).code }),
    };
  }

  // hostile inputs: each must end as a verdict (or an EngineError) while this process goes on
  const { runCheckStage } = await import("../../oracle/checks/stage.ts");
  const { openEngine, EngineError } = await import("../../oracle/checks/engine.ts");
  const small = { maxLineBytes: 64 * 1024, memoryLimitMB: 128, threads: 1, queryTimeoutMs: 2000 };
  const rowSpec = checks()
    .rowCount({ min: 1 }, { id: "rows" })
    .distinctCount("k", 1, { id: "d", required: false })
    .build();
  const badParquet = readFileSync(parquet);
  badParquet.fill(0xaa, badParquet.length - 64, badParquet.length - 4);
  const hostile: [string, string | Buffer, "csv" | "jsonl" | "parquet"][] = [
    ["long-line", `k,b\n1,${"x".repeat(1 << 20)}\n`, "csv"],
    ["100k-columns", `${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(",")}\n`, "csv"],
    [
      "invalid-utf8",
      Buffer.concat([Buffer.from("k,b\n1,"), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]),
      "csv",
    ],
    ["unclosed-quote", 'k,b\n1,"never\n2,y\n', "csv"],
    ["deep-jsonl", `${'{"k":'.repeat(50_000)}1${"}".repeat(50_000)}\n`, "jsonl"],
    ["corrupt-parquet", badParquet, "parquet"],
    ["noise", Buffer.from(Array.from({ length: 1 << 16 }, (_, i) => (i * 7919 + 13) % 251)), "csv"],
    [
      "many-distinct",
      `k\n${Array.from({ length: 1_000_000 }, (_, i) => `key-${i}-${i * 2654435761}`).join("\n")}\n`,
      "csv",
    ],
  ];
  let tried = 0;
  let survived = 0;
  const notSurvived: string[] = [];
  for (const [name, body, format] of hostile) {
    tried++;
    const hdir = mkdtempSync(join(dir, `hostile-${name}-`));
    const p = join(hdir, "data");
    writeFileSync(p, body);
    const r = await runCheckStage({ dataPath: p, tmpDir: hdir, format, spec: rowSpec, limits: small }).catch(
      () => null,
    );
    if (r !== null) survived++;
    else notSurvived.push(name);
  }
  const tiny = join(dir, "tiny.csv");
  writeFileSync(tiny, "k\n1\n2\n");
  for (const kind of ["crash", "hang"] as const) {
    tried++;
    const e = await openEngine({
      dataPath: tiny,
      format: "csv",
      keysPath: null,
      tmpDir: dir,
      // long enough for the load on a loaded machine; the query never ends, so it is interrupted
      limits: { ...small, queryTimeoutMs: kind === "hang" ? 5000 : 600_000 },
    }).catch(() => null);
    if (e === null) {
      notSurvived.push(kind);
      continue;
    }
    const q = e.query(kind, "SELECT count(*) FROM range(1000000000) a, range(1000000000) b", []);
    if (kind === "crash") setTimeout(() => process.kill(e.pid!, "SIGKILL"), 200);
    const err = await q.then(
      () => null,
      (x: unknown) => x,
    );
    if (err instanceof EngineError && err.code === (kind === "crash" ? "engine.crashed" : "engine.timeout"))
      survived++;
    e.close();
  }

  const result = {
    ...figures.csv,
    checks: SPEC.checks.length,
    rows,
    parquet: figures.parquet,
    hostileInputsTried: tried,
    hostileInputsSurvived: survived,
    notSurvived,
    targets: { ratioToDuckdb: 0.6, peakRssMBAt1GiB: 1024 },
  };
  if (json) console.log(JSON.stringify(result));
  else
    for (const [k, v] of Object.entries(result))
      console.log(`${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
