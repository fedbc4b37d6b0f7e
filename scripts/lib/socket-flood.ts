/**
 * The connection-lockout attack for benchmarks (issue 21): `n` idle TCP connections to an HTTP
 * server, bound round-robin to the loopback addresses 127.0.0.2–11 (Linux routes all of
 * 127.0.0.0/8 to loopback), held open until `close()`, while `probe()` times GET /health from
 * 127.0.0.1. Never in a test's timed assertion; the test (test/api/connections.test.ts) runs a
 * small version.
 */
import { connect, type Socket } from "node:net";

const ATTACKERS = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);

export async function holdSockets(
  url: string,
  n: number,
): Promise<{ open: () => number; close: () => void }> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  let open = 0;
  await Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise<void>((resolve) => {
          const s = connect({
            host: hostname,
            port: Number(port),
            localAddress: ATTACKERS[i % ATTACKERS.length],
          });
          sockets.push(s);
          s.on("error", () => undefined);
          s.once("connect", () => {
            open++;
            s.once("close", () => open--);
            resolve();
          });
          s.once("close", () => resolve());
        }),
    ),
  );
  return { open: () => open, close: () => sockets.forEach((s) => s.destroy()) };
}

/** Times one GET /health; `undefined` when it failed or took over `timeoutMs`. */
export async function probe(url: string, timeoutMs = 5000): Promise<number | undefined> {
  const t0 = performance.now();
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.status === 200 ? performance.now() - t0 : undefined;
  } catch {
    return undefined;
  }
}
