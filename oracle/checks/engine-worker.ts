/**
 * The engine child process (forked by engine.ts, one per deal): DuckDB with its database a file in
 * the engine's own dir (engine.ts makes it inside the deal's tmp dir and removes it) and its limits
 * set at start (memory, threads, temp directory and size in that dir — table and large operators
 * spill there past the memory limit —, freed memory returned to the OS, no extension
 * auto-install/auto-load, no community extensions), the deal's plaintext loaded into table `data`
 * (and the buyer's overlap keys into `buyer_keys`), then external access disabled and the
 * configuration locked, so a query cannot read, write or attach any file, load an extension or
 * change a setting. Every query runs under a time limit (connection.interrupt()); the parent kills
 * this process as the hard stop. Messages in and out are validated with zod. Errors carry
 * DuckDB's error class only, never its message text, which may quote the seller's field values.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { join } from "node:path";
import { fromWorkerSchema, toWorkerSchema, type FromWorker, type ToWorker } from "./protocol.ts";
import { sqlString } from "./sql.ts";

type Load = Extract<ToWorker, { type: "load" }>;

let conn: DuckDBConnection | undefined;
let timeoutMs = 10_000;

function send(m: FromWorker): void {
  process.send?.(fromWorkerSchema.parse(m));
}

/** DuckDB's error class ("Conversion Error", "Out of Memory Error", …), never the message text. */
function errorClass(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const head = /^([A-Za-z ]{1,40} Error)\b/.exec(m);
  return head?.[1] ?? "Error";
}

async function timed<T>(c: DuckDBConnection, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          c.interrupt();
          reject(new Error("Timeout Error"));
        }, timeoutMs);
      }),
    ]);
  } catch (e) {
    if (timedOut) throw Object.assign(new Error("Timeout Error"), { timedOut: true });
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The CSV reader's buffer: DuckDB's default is 16 × max_line_size (128 MiB per buffer at the
 * default 8 MiB line limit, one per thread and one more for sniffing), memory the child holds
 * beside the table; twice the line limit (at least 16 MiB) still fits any allowed line.
 */
function csvBufferBytes(maxLineBytes: number): number {
  return Math.max(2 * maxLineBytes, 16 << 20);
}

function readerSql(m: Load): string {
  const path = sqlString(m.dataPath);
  const line = m.limits.maxLineBytes;
  switch (m.format) {
    case "csv":
      return `read_csv(${path}, header = true, delim = ',', quote = '"', escape = '"', max_line_size = ${line}, buffer_size = ${csvBufferBytes(line)}, strict_mode = true, sample_size = 20480)`;
    case "jsonl":
      return `read_json(${path}, format = 'newline_delimited', maximum_object_size = ${line}, maximum_depth = 8)`;
    case "parquet":
      return `read_parquet(${path})`;
  }
}

async function load(m: Load): Promise<void> {
  timeoutMs = m.limits.queryTimeoutMs;
  // an on-disk database in the engine's own dir (engine.ts removes it): the table is stored
  // compressed (a third of the in-memory size) and read through the buffer pool, so the memory
  // limit holds less of it and spills less; at 1 GiB the queries also run faster than in memory
  const db = join(m.tmpDir, "data.duckdb");
  const inst = await DuckDBInstance.create(db, {
    memory_limit: `${m.limits.memoryLimitMB}MB`,
    threads: String(m.limits.threads),
    temp_directory: join(m.tmpDir, "duckdb-tmp"),
    max_temp_directory_size: `${m.limits.maxTempMB}MB`,
    // jemalloc returns freed pages to the OS in the background: without it the child's RSS keeps
    // every page it ever touched and ends far above memory_limit (1 GB at a 384 MB limit)
    allocator_background_threads: "true",
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    allow_community_extensions: "false",
  });
  const c = await inst.connect();
  try {
    // the column count first: a file with a huge header is refused before it is loaded
    const described = await timed(c, c.runAndReadAll(`DESCRIBE SELECT * FROM ${readerSql(m)}`));
    if (described.currentRowCount > m.limits.maxColumns) {
      send({ type: "error", id: null, kind: "limit", message: "too many columns" });
      return;
    }
    await timed(c, c.run(`CREATE TABLE data AS SELECT * FROM ${readerSql(m)}`));
    if (m.keysPath !== null)
      await timed(
        c,
        c.run(
          `CREATE TABLE buyer_keys AS SELECT DISTINCT k FROM read_csv(${sqlString(m.keysPath)}, header = false, columns = {'k': 'VARCHAR'})`,
        ),
      );
  } catch (e) {
    send({
      type: "error",
      id: null,
      kind: (e as { timedOut?: boolean }).timedOut ? "timeout" : "load",
      message: errorClass(e),
    });
    return;
  }
  await c.run("SET enable_external_access = false");
  await c.run("SET lock_configuration = true");
  conn = c;
  const cols = (await c.runAndReadAll("DESCRIBE data")).getRowObjectsJS();
  const n = (await c.runAndReadAll("SELECT count(*)::DOUBLE AS n FROM data")).getRowObjectsJS()[0]!.n;
  send({
    type: "loaded",
    rowCount: Number(n),
    columns: cols.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
  });
}

function toCell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "string") return v;
  return String(v);
}

async function query(m: Extract<ToWorker, { type: "query" }>): Promise<void> {
  if (conn === undefined) {
    send({ type: "error", id: m.id, kind: "query", message: "not loaded" });
    return;
  }
  try {
    const r = await timed(conn, conn.runAndReadAll(m.sql, m.params.map((p) => p ?? null) as never));
    const rows = r
      .getRowObjectsJS()
      .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toCell(v)])));
    send({ type: "rows", id: m.id, rows });
  } catch (e) {
    send({
      type: "error",
      id: m.id,
      kind: (e as { timedOut?: boolean }).timedOut ? "timeout" : "query",
      message: errorClass(e),
    });
  }
}

// One message at a time, in order.
let chain = Promise.resolve();
process.on("message", (raw) => {
  chain = chain.then(async () => {
    const parsed = toWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      send({ type: "error", id: null, kind: "query", message: "bad message" });
      return;
    }
    if (parsed.data.type === "load") await load(parsed.data);
    else await query(parsed.data);
  });
});
process.on("disconnect", () => process.exit(0));
