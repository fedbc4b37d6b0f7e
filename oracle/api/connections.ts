/**
 * Connection admission for the API's HTTP server: a cap per client address and a cap for all
 * clients together, where a full server makes room by closing its oldest *idle* connection (one
 * with no request in flight) instead of refusing the newcomer. So idle or held sockets from a few
 * addresses cannot lock other clients out: they hit their own address's cap, and past the total
 * the newest client evicts the longest-held idle socket. (Time limits on held sockets — headers,
 * request, keep-alive — are node:http's own, set in server.ts.)
 * Invariants: at most `perAddress` open sockets per address and at most `total` overall; a socket
 * serving a request is never evicted; the bookkeeping forgets every socket when it closes.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface ConnectionLimits {
  /** Open connections one client address may hold. */
  perAddress: number;
  /** Open connections for all clients together. */
  total: number;
}

export interface ConnectionStats {
  open: number;
  /** Connections refused because their address was at its cap. */
  refusedPerAddress: number;
  /** Idle connections closed to admit a new one when the server was full. */
  evictedIdle: number;
  /** Connections refused because the server was full of busy ones. */
  refusedFull: number;
}

/** Applies `limits` to `server`'s connections; returns live counters (for /health). */
export function guardConnections(server: Server, limits: ConnectionLimits): () => ConnectionStats {
  // Map keeps insertion order: the first entry is the oldest open socket
  const open = new Map<Socket, { address: string; busy: number }>();
  const perAddress = new Map<string, number>();
  const stats = { refusedPerAddress: 0, evictedIdle: 0, refusedFull: 0 };

  const forget = (socket: Socket) => {
    const entry = open.get(socket);
    if (entry === undefined) return;
    open.delete(socket);
    const n = (perAddress.get(entry.address) ?? 1) - 1;
    if (n <= 0) perAddress.delete(entry.address);
    else perAddress.set(entry.address, n);
  };

  const evictIdle = (): boolean => {
    for (const [socket, entry] of open) {
      if (entry.busy > 0) continue;
      forget(socket);
      socket.destroy();
      return true;
    }
    return false;
  };

  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown";
    if ((perAddress.get(address) ?? 0) >= limits.perAddress) {
      stats.refusedPerAddress++;
      socket.destroy();
      return;
    }
    if (open.size >= limits.total) {
      if (!evictIdle()) {
        stats.refusedFull++;
        socket.destroy();
        return;
      }
      stats.evictedIdle++;
    }
    open.set(socket, { address, busy: 0 });
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    socket.once("close", () => forget(socket));
  });

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const entry = open.get(req.socket);
    if (entry === undefined) return;
    entry.busy++;
    res.once("close", () => {
      entry.busy--;
    });
  });

  return () => ({ open: open.size, ...stats });
}
