/**
 * A static host for the built dapp on 127.0.0.1, as any web host would serve it, plus what the
 * local stack needs beside it: /config.json, /oracle/* proxied to the oracle API (same origin, so
 * no CORS), and /data/* serving files from a directory (where a seller "hosts" an encrypted
 * dataset for the oracle and the buyer to fetch). Paths never leave their directory.
 */
import { createServer, type Server } from "node:http";
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";
import type { AddressInfo } from "node:net";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

function inside(root: string, urlPath: string): string | undefined {
  const p = resolve(root, `.${normalize(decodeURIComponent(urlPath))}`);
  return p.startsWith(resolve(root)) && existsSync(p) && statSync(p).isFile() ? p : undefined;
}

export interface StaticHost {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function serveDapp(opts: {
  root: string;
  oracleUrl: string;
  config: unknown;
  dataDir?: string;
}): Promise<StaticHost> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/config.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      return res.end(JSON.stringify(opts.config));
    }
    if (url.pathname.startsWith("/oracle/")) {
      const target = `${opts.oracleUrl}${url.pathname.slice("/oracle".length)}${url.search}`;
      const headers: Record<string, string> = {};
      for (const h of ["x-dealproof-message", "x-dealproof-signature"]) {
        const v = req.headers[h];
        if (typeof v === "string") headers[h] = v;
      }
      fetch(target, { headers }).then(
        async (r) => {
          res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
          res.end(Buffer.from(await r.arrayBuffer()));
        },
        () => {
          res.writeHead(502, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: "the oracle is not reachable" }));
        },
      );
      return;
    }
    if (url.pathname.startsWith("/data/") && opts.dataDir !== undefined) {
      const file = inside(opts.dataDir, url.pathname.slice("/data".length));
      if (file === undefined) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": statSync(file).size,
      });
      return void createReadStream(file).pipe(res);
    }
    const file =
      inside(opts.root, url.pathname === "/" ? "/index.html" : url.pathname) ?? join(opts.root, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
