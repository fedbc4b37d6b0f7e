/**
 * The messages between the daemon and the engine child (engine.ts ↔ engine-worker.ts), validated
 * with zod on both sides: the child trusts nothing it is sent, the parent nothing it is answered.
 * Query text in `query` messages is always built by compile.ts; values travel as parameters.
 */
import { z } from "zod";

const engineLimitsSchema = z.strictObject({
  memoryLimitMB: z
    .number()
    .int()
    .min(16)
    .max(1 << 20),
  threads: z.number().int().min(1).max(256),
  maxTempMB: z
    .number()
    .int()
    .min(0)
    .max(1 << 22),
  /** Longest CSV line / JSON object, in bytes. */
  maxLineBytes: z
    .number()
    .int()
    .min(1024)
    .max(1 << 30),
  maxColumns: z.number().int().min(1).max(100_000),
  queryTimeoutMs: z.number().int().min(1).max(3_600_000),
});
export type EngineLimits = z.infer<typeof engineLimitsSchema>;

const param = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const toWorkerSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("load"),
    dataPath: z.string().min(1),
    format: z.enum(["csv", "jsonl", "parquet"]),
    keysPath: z.string().min(1).nullable(),
    tmpDir: z.string().min(1),
    limits: engineLimitsSchema,
  }),
  z.strictObject({
    type: z.literal("query"),
    id: z.string(),
    sql: z.string(),
    params: z.array(param),
  }),
]);
export type ToWorker = z.infer<typeof toWorkerSchema>;

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const fromWorkerSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("loaded"),
    rowCount: z.number(),
    columns: z.array(z.strictObject({ name: z.string(), type: z.string() })),
  }),
  z.strictObject({ type: z.literal("rows"), id: z.string(), rows: z.array(z.record(z.string(), cell)) }),
  z.strictObject({
    type: z.literal("error"),
    id: z.string().nullable(),
    /** `load` (the dataset does not parse), `timeout` (interrupted), `query`, `limit`. */
    kind: z.enum(["load", "timeout", "query", "limit"]),
    message: z.string(),
  }),
]);
export type FromWorker = z.infer<typeof fromWorkerSchema>;
