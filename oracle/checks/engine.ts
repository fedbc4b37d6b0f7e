/**
 * The daemon's side of the check engine: forks engine-worker.ts (one child per deal), loads the
 * deal's plaintext file into it and runs queries built by compile.ts. The child is the isolation
 * boundary: a dataset that crashes DuckDB, exhausts its memory or stalls a query costs only its
 * own child — every request has a hard deadline (the per-query limit plus a grace), after which
 * the child is SIGKILLed and the request fails with `engine.timeout`; a child that dies fails
 * with `engine.crashed`. Replies are validated with zod. Invariant: close() always ends the child
 * and removes its files (database and spills, in a directory of its own inside the tmp dir).
 */
import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { DealProofError, type DealProofErrorOptions } from "../../sdk/src/errors.ts";
import { fromWorkerSchema, type EngineLimits, type FromWorker, type ToWorker } from "./protocol.ts";

export type EngineErrorCode = "load_failed" | "timeout" | "crashed" | "limit" | "query_failed";

/** An engine failure: code `engine.<reason>`; its message never quotes the dataset. */
export class EngineError extends DealProofError<`engine.${EngineErrorCode}`> {
  override name = "EngineError";
  constructor(reason: EngineErrorCode, message: string, options?: DealProofErrorOptions) {
    super(`engine.${reason}`, message, options);
  }
}

const DEFAULT_ENGINE_LIMITS: EngineLimits = {
  memoryLimitMB: 448,
  threads: 2,
  maxTempMB: 2048,
  maxLineBytes: 8 << 20,
  maxColumns: 4096,
  queryTimeoutMs: 60_000,
};

/** Time the child gets past its own interrupt before it is killed. */
const KILL_GRACE_MS = 5_000;

const WORKER = new URL("./engine-worker.ts", import.meta.url);

export type Cell = string | number | boolean | null;

export interface Engine {
  rowCount: number;
  columns: { name: string; type: string }[];
  /** Runs one compiled query; rows as plain values (integers as numbers). */
  query(id: string, sql: string, params: Cell[]): Promise<Record<string, Cell>[]>;
  /** The child's pid (tests kill it to prove a crash costs only this deal). */
  pid: number | undefined;
  close(): void;
}

export interface OpenEngineOptions {
  dataPath: string;
  format: "csv" | "jsonl" | "parquet";
  keysPath: string | null;
  tmpDir: string;
  limits?: Partial<EngineLimits>;
}

function request(child: ChildProcess, msg: ToWorker, limits: EngineLimits): Promise<FromWorker> {
  return new Promise((resolve, reject) => {
    const done = (f: () => void) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      f();
    };
    const onMessage = (raw: unknown) => {
      const m = fromWorkerSchema.safeParse(raw);
      if (!m.success) done(() => reject(new EngineError("crashed", "the check engine answered malformed")));
      else done(() => resolve(m.data));
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(() =>
        reject(
          new EngineError(
            "crashed",
            `the check engine stopped (${signal ?? `exit ${code}`}) while working on this dataset`,
          ),
        ),
      );
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      done(() =>
        reject(
          new EngineError(
            "timeout",
            `the check engine did not answer within ${limits.queryTimeoutMs + KILL_GRACE_MS} ms`,
          ),
        ),
      );
    }, limits.queryTimeoutMs + KILL_GRACE_MS);
    child.on("message", onMessage);
    child.once("exit", onExit);
    if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
    else child.send(msg);
  });
}

function failure(m: Extract<FromWorker, { type: "error" }>, what: string): EngineError {
  switch (m.kind) {
    case "timeout":
      return new EngineError("timeout", `${what} took longer than the engine's time limit`);
    case "limit":
      return new EngineError("limit", `${what}: ${m.message}`);
    case "load":
      return new EngineError("load_failed", `the dataset does not parse in its format (${m.message})`, {
        hint: "commit a well-formed CSV (with a header), JSONL or Parquet file, or state its format",
      });
    case "query":
      return new EngineError("query_failed", `${what} failed in the engine (${m.message})`);
  }
}

/** Forks the engine, loads the dataset and locks the engine; throws EngineError. */
export async function openEngine(o: OpenEngineOptions): Promise<Engine> {
  const limits = { ...DEFAULT_ENGINE_LIMITS, ...o.limits };
  // the child's own files (its database, its spills) live in a directory of their own inside
  // tmpDir, removed when the engine closes or its child exits, whatever the caller does with tmpDir
  const dir = await mkdtemp(join(o.tmpDir, "engine-"));
  const removeDir = () => {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // removed again when the child exits, and with the deal's tmp dir
    }
  };
  const child = fork(WORKER, [], {
    stdio: ["ignore", "ignore", "ignore", "ipc"],
    execArgv: ["--disable-warning=ExperimentalWarning", "--max-old-space-size=256"],
    serialization: "json",
  });
  child.once("exit", removeDir);
  const close = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    removeDir();
  };
  try {
    const r = await request(
      child,
      {
        type: "load",
        dataPath: o.dataPath,
        format: o.format,
        keysPath: o.keysPath,
        tmpDir: dir,
        limits,
      },
      limits,
    );
    if (r.type === "error") throw failure(r, "loading the dataset");
    if (r.type !== "loaded") throw new EngineError("crashed", "the check engine answered out of turn");
    return {
      rowCount: r.rowCount,
      columns: r.columns,
      pid: child.pid,
      close,
      async query(id, sql, params) {
        const q = await request(child, { type: "query", id, sql, params }, limits);
        if (q.type === "error") throw failure(q, `check ${id}`);
        if (q.type !== "rows" || q.id !== id)
          throw new EngineError("crashed", "the check engine answered out of turn");
        return q.rows;
      },
    };
  } catch (e) {
    close();
    throw e;
  }
}
