/**
 * A fault-injecting JSON-RPC proxy on 127.0.0.1 in front of a node, for tests and bench:faults.
 * Each request, independently and with the configured probabilities (changeable at run time):
 *   drop  — the connection is destroyed before forwarding (the node never sees it);
 *   fail  — answered HTTP 500 without forwarding;
 *   lose  — forwarded (the node executes it), then the connection is destroyed: the answer is lost;
 *   hang  — held open, never answered (until the proxy closes);
 * otherwise forwarded after `delayMs`. Deterministic for a given `seed`.
 * A lie by omission, as a hostile or broken node tells it: with `omitLogs` set, every log it
 * matches is cut from the answers to eth_getLogs (single or batched requests); `stats.omitted`
 * counts them.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Faults {
  drop: number;
  fail: number;
  lose: number;
  hang: number;
  delayMs: number;
  /** Logs (by their topics) left out of eth_getLogs answers; undefined: none. */
  omitLogs: ((topics: readonly string[]) => boolean) | undefined;
}

interface RpcCall {
  id?: unknown;
  method?: unknown;
}
interface RpcAnswer {
  id?: unknown;
  result?: unknown;
}

/** The node's answer with the logs `omit` matches cut from its eth_getLogs results. */
function omitFrom(
  request: Buffer,
  answer: Buffer,
  omit: (topics: readonly string[]) => boolean,
): [Buffer, number] {
  let calls: RpcCall | RpcCall[];
  let answers: RpcAnswer | RpcAnswer[];
  try {
    calls = JSON.parse(request.toString("utf8")) as RpcCall | RpcCall[];
    answers = JSON.parse(answer.toString("utf8")) as RpcAnswer | RpcAnswer[];
  } catch {
    return [answer, 0];
  }
  const logCalls = new Set(
    (Array.isArray(calls) ? calls : [calls]).filter((c) => c.method === "eth_getLogs").map((c) => c.id),
  );
  let cut = 0;
  for (const a of Array.isArray(answers) ? answers : [answers]) {
    if (!logCalls.has(a.id) || !Array.isArray(a.result)) continue;
    const kept = (a.result as { topics?: string[] }[]).filter((l) => !omit(l.topics ?? []));
    cut += a.result.length - kept.length;
    a.result = kept;
  }
  return cut === 0 ? [answer, 0] : [Buffer.from(JSON.stringify(answers)), cut];
}

/** mulberry32: a small seeded PRNG, so a run can be repeated. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFaultProxy(target: string, initial: Partial<Faults> = {}, seed = 1) {
  const t = new URL(target);
  const rand = prng(seed);
  let faults: Faults = { drop: 0, fail: 0, lose: 0, hang: 0, delayMs: 0, omitLogs: undefined, ...initial };
  const stats = { requests: 0, forwarded: 0, dropped: 0, failed: 0, lost: 0, hung: 0, omitted: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    stats.requests++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => undefined);
    req.on("end", () => {
      const r = rand();
      let edge = faults.drop;
      if (r < edge) {
        stats.dropped++;
        req.socket.destroy();
        return;
      }
      if (r < (edge += faults.fail)) {
        stats.failed++;
        res.writeHead(500, { "content-type": "text/plain" });
        res.end("injected failure");
        return;
      }
      if (r < (edge += faults.hang)) {
        stats.hung++;
        return; // never answered
      }
      const lose = r < edge + faults.lose;
      setTimeout(() => {
        const up = request(
          {
            host: t.hostname,
            port: t.port,
            path: "/",
            method: "POST",
            headers: { "content-type": "application/json" },
          },
          (r2) => {
            const body: Buffer[] = [];
            r2.on("data", (c: Buffer) => body.push(c));
            r2.on("end", () => {
              if (lose) {
                stats.lost++;
                req.socket.destroy();
                return;
              }
              let out: Buffer = Buffer.concat(body);
              const omit = faults.omitLogs;
              if (omit !== undefined) {
                const [rewritten, cut] = omitFrom(Buffer.concat(chunks), out, omit);
                out = rewritten;
                stats.omitted += cut;
              }
              res.writeHead(r2.statusCode ?? 502, { "content-type": "application/json" });
              res.end(out);
            });
          },
        );
        up.on("error", () => {
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        stats.forwarded++;
        up.end(Buffer.concat(chunks));
      }, faults.delayMs);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    set(f: Partial<Faults>) {
      faults = { ...faults, ...f };
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
