/**
 * A JSON-RPC proxy on 127.0.0.1 in front of a node that drops and delays requests
 * deterministically: every `dropEvery`-th request gets its connection destroyed, every
 * `failEvery`-th a 503, and all others are delayed by `delayMs`.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export async function startFlakyProxy(
  target: string,
  opts: { dropEvery: number; failEvery: number; delayMs: number },
) {
  const t = new URL(target);
  let n = 0;
  const stats = { forwarded: 0, dropped: 0, failed: 0 };
  const server: Server = createServer((req, res) => {
    n++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (n % opts.dropEvery === 0) {
        stats.dropped++;
        req.socket.destroy();
        return;
      }
      if (n % opts.failEvery === 0) {
        stats.failed++;
        res.writeHead(503);
        res.end("unavailable");
        return;
      }
      setTimeout(() => {
        const up = request(
          {
            host: t.hostname,
            port: t.port,
            path: "/",
            method: "POST",
            headers: { "content-type": "application/json" },
          },
          (r) => {
            res.writeHead(r.statusCode ?? 502, { "content-type": "application/json" });
            r.pipe(res);
          },
        );
        up.on("error", () => {
          res.writeHead(502);
          res.end();
        });
        stats.forwarded++;
        up.end(Buffer.concat(chunks));
      }, opts.delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
