/**
 * A local stand-in for dstack's guest agent, backed by the embedded simulator, so tests and local
 * runs drive the real @phala/dstack-sdk DstackClient code path. It speaks the agent's plain HTTP:
 * POST /GetQuote, /GetKey, /Info, /Version with JSON bodies, hex without 0x, and a Content-Length
 * on every answer. It listens on loopback TCP or a unix socket only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync, unlinkSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { SimulatorBackend } from "./backend.ts";

const hexNo0x = (max: number) =>
  z
    .string()
    .regex(/^([0-9a-fA-F]{2})*$/, "must be hex without 0x")
    .max(max);
const quoteReq = z.object({ report_data: hexNo0x(128) });
const keyReq = z.object({
  path: z.string().max(512).default(""),
  purpose: z.string().max(512).default(""),
  algorithm: z.string().optional(),
});

export interface StandinHandle {
  /** `http://127.0.0.1:port` or the socket path: what DstackClient takes as its endpoint. */
  endpoint: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown) {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": data.length,
    Connection: "close",
  });
  res.end(data);
}

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error("request body too large");
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? {} : JSON.parse(text);
}

function createStandinServer(sim: SimulatorBackend): Server {
  return createServer((req, res) => {
    void (async () => {
      if (req.method !== "POST") return send(res, 405, { error: "POST only" });
      let body: unknown;
      try {
        body = await readBody(req);
      } catch (e) {
        return send(res, 400, { error: (e as Error).message });
      }
      switch (req.url) {
        case "/GetQuote": {
          const p = quoteReq.safeParse(body);
          if (!p.success)
            return send(res, 400, { error: `report_data ${p.error.issues[0]?.message ?? "is invalid"}` });
          const rd = Buffer.from(p.data.report_data, "hex");
          const { quote, eventLog } = await sim.getQuote(rd);
          const padded = Buffer.alloc(64);
          rd.copy(padded);
          return send(res, 200, {
            quote: Buffer.from(quote).toString("hex"),
            event_log: eventLog,
            report_data: padded.toString("hex"),
            vm_config: JSON.stringify({ spec_version: 1, os_image_hash: "", cpu_count: 2, memory_size: 0 }),
          });
        }
        case "/GetKey": {
          const p = keyReq.safeParse(body);
          if (!p.success) return send(res, 400, { error: "invalid GetKey request" });
          const key = await sim.deriveKey(`dstack-getkey:${p.data.path}:${p.data.purpose}`);
          return send(res, 200, { key: Buffer.from(key).toString("hex"), signature_chain: [] });
        }
        case "/Info": {
          const r = sim.registers();
          const h = (b: Uint8Array) => Buffer.from(b).toString("hex");
          return send(res, 200, {
            app_id: sim.image.appId,
            instance_id: sim.instanceId,
            app_cert: "",
            app_name: "dealproof",
            device_id: "",
            compose_hash: sim.image.composeHash,
            key_provider_info: JSON.stringify({ name: "dealproof-simulator" }),
            tcb_info: JSON.stringify({
              mrtd: h(r.mrTd),
              rtmr0: h(r.rtMr0),
              rtmr1: h(r.rtMr1),
              rtmr2: h(r.rtMr2),
              rtmr3: h(r.rtMr3),
              compose_hash: sim.image.composeHash,
              app_compose: "",
              event_log: JSON.parse(sim.eventLog()),
            }),
          });
        }
        case "/Version":
          return send(res, 200, { version: "0.5.8-dealproof-standin", rev: "simulator" });
        default:
          return send(res, 404, { error: `no such method ${req.url ?? ""}` });
      }
    })().catch((e: unknown) => send(res, 500, { error: (e as Error).message }));
  });
}

/** Starts the stand-in on 127.0.0.1 (ephemeral port) or on a unix socket path. */
export async function startGuestAgentStandin(
  sim: SimulatorBackend,
  where: { socketPath?: string } = {},
): Promise<StandinHandle> {
  const server = createStandinServer(sim);
  if (where.socketPath !== undefined) {
    if (existsSync(where.socketPath)) unlinkSync(where.socketPath);
    await new Promise<void>((resolve) => server.listen(where.socketPath, resolve));
  } else {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  }
  const endpoint = where.socketPath ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
