/**
 * The oracle's HTTP API (node:http): GET /health, GET /attestation, GET /deals/:id,
 * GET /auth/challenge and GET /deals/:id/transcript (only for the deal's buyer or seller, proven
 * by an EIP-4361 sign-in), GET /listings and GET /listings/:id (public: the listings and their
 * signed verified-listing records, listings.ts), with CORS for the configured dapp origins.
 * Invariants: no request can throw out of the handler (every failure is answered or the socket
 * destroyed); a malformed request line or header gets 400 from clientError; every client is rate
 * limited before any work; bodies are refused past MAX_BODY_BYTES; a deal id is a uint256 in
 * canonical decimal; challenges are issued only for deals this oracle knows, and held bounded;
 * connections are capped per client address and in total, a full server evicts its oldest idle
 * connection (connections.ts), and a socket that sends no complete headers in `headersTimeoutMs`
 * or no complete request in `requestTimeoutMs` (slowloris, a dripped body) is closed, checked
 * every `checkIntervalMs` — so held sockets cannot lock /health out.
 * Replicas (DESIGN §12): /health carries this replica's signed card, the deals it holds and its lag
 * (health.ts); a status, challenge or transcript request for a deal whose record another replica
 * holds is redirected (307) there (locate.ts), or answered 503 with what to do when that replica
 * cannot be found; a redirected request carries `hop=1` and is never redirected again. A redeemed
 * sign-in yields a session token (session.ts) that every replica of the app accepts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Client } from "viem";
import { ChallengeBook, ChallengeBookFullError } from "./auth.ts";
import type { SessionKeys } from "./session.ts";
import { signReplicaCard } from "./peers.ts";
import type { ReplicaLocator } from "./locate.ts";
import { healthStatus, type ChainView } from "./health.ts";
import { storedCode } from "../daemon/reason-codes.ts";
import { RateLimiter } from "./rate-limit.ts";
import { guardConnections, type ConnectionStats } from "./connections.ts";
import type { Store } from "../daemon/store.ts";
import type { StoreQuarantine } from "../daemon/store-open.ts";
import type { ConfigDigest } from "../daemon/config-digest.ts";
import type { Deployment } from "../chain/deployment.ts";
import type { RpcHealth } from "../chain/provider.ts";
import type { DealRow } from "../daemon/store.ts";
import { listingDetailView, listingsView, parseListingId } from "./listings.ts";

/** The API takes no request bodies; anything past this is refused and the connection closed. */
const MAX_BODY_BYTES = 1024;
const MAX_UINT256 = (1n << 256n) - 1n;

interface ApiLimits {
  /** Requests per second per client address, and the burst above it. */
  ratePerSec: number;
  burst: number;
  maxChallenges: number;
  challengeTtlMs: number;
  /** Open connections per client address, and for all clients together. */
  connectionsPerAddress: number;
  maxConnections: number;
  /** A request's headers must arrive within this; the whole request within requestTimeoutMs. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often node:http looks for connections past the header / request timeouts. */
  checkIntervalMs: number;
  /** /health says degraded when the listener is more than this many seconds behind the head. */
  maxLagS: number;
}

/** This replica among the others of its app (DESIGN §12). */
export interface ReplicaDeps {
  instanceId: string;
  /** The account that pays for this replica's transactions. */
  sender: string;
  /** The HPKE key epochs held, current (sealed to now) first. */
  keyEpochs: readonly number[];
  /** Signs this replica's card with its enclave signer. */
  signDigest: (digest: string) => string;
  /** Deal ids this replica is working on now. */
  holds: () => readonly string[];
  /** Its chain head and its listener's last processed block. */
  chainView: () => ChainView;
  /** Whether it registers (a missing registration is then a fault). */
  registering: boolean;
  /** Sign-in sessions valid at every replica of the app. */
  sessions: SessionKeys;
  /** Finds the replica holding a deal this one does not; absent for a lone oracle. */
  locator?: ReplicaLocator;
}

export interface ApiDeps {
  store: Store;
  deployment: Deployment;
  teeMode: string;
  settleMode: string;
  signer: string;
  encryptionKey: string;
  measurementId: string;
  registrationExpiresAt: () => bigint | undefined;
  /** A fresh quote over report_data (for operators allowing this CVM's measurement). */
  quote?: (reportData: Uint8Array) => Promise<{ quote: Uint8Array; eventLog: string }>;
  /** Simulator only: the simulated DCAP root CA (DER) and fresh collateral for its quotes. */
  simulatedDcap?: () => { rootCaDer: Uint8Array; collateral: unknown };
  /** The API's public base URL: the EIP-4361 domain and URI of sign-in messages. */
  publicUrl: string;
  /** Origins (scheme://host[:port]) whose scripts may call the API (CORS). */
  corsOrigins: readonly string[];
  /** Chain client for ERC-1271 / ERC-6492 signature checks. */
  chainClient: Client;
  rpcHealth?: () => RpcHealth;
  /** The store's latest quarantine (a corrupt database moved aside and rebuilt), shown in /health. */
  storeQuarantine?: StoreQuarantine;
  /** The attested configuration (its digest is in every settlement's terms), shown in /health. */
  config?: ConfigDigest;
  limits?: Partial<ApiLimits>;
  logger?: Logger;
  replica?: ReplicaDeps;
}

const DEFAULT_LIMITS: ApiLimits = {
  ratePerSec: 20,
  burst: 40,
  maxChallenges: 10_000,
  challengeTtlMs: 300_000,
  connectionsPerAddress: 64,
  maxConnections: 4096,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  maxLagS: 120,
};

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  const data = JSON.stringify(body);
  res.writeHead(status, {
    ...extra,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(data),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(data);
}

/** The RPC health as the API shows it: the last error by its stored code (`rpc_timeout`). */
function rpcHealthView(h: RpcHealth | undefined) {
  return h === undefined ? null : { ...h, lastError: h.lastError === null ? null : storedCode(h.lastError) };
}

const fail = (res: ServerResponse, status: number, code: string, error: string, extra = {}) =>
  send(res, status, { code, error }, extra);

/** A uint256 written in canonical decimal (no sign, no leading zeros), or undefined. */
export function parseDealId(s: string): string | undefined {
  if (!/^(0|[1-9][0-9]{0,77})$/.test(s)) return undefined;
  return BigInt(s) <= MAX_UINT256 ? s : undefined;
}

/** Whether this replica holds the deal's record: it built the outcome, and no one else settled it. */
const heldHere = (row: DealRow) =>
  row.outcome !== null && !(row.status === "settled" && row.settled_by === "other");

/** At most this many held deal ids are listed in /health. */
const MAX_HOLDS_SHOWN = 1000;

export function createApi(deps: ApiDeps): {
  server: Server;
  challenges: ChallengeBook;
  /** Live connection counters (also in /health). */
  connections: () => ConnectionStats;
  listen(port: number, host: string): Promise<string>;
} {
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const challenges = new ChallengeBook({
    publicUrl: deps.publicUrl,
    chainId: deps.deployment.chainId,
    client: deps.chainClient,
    ttlMs: limits.challengeTtlMs,
    maxOpen: limits.maxChallenges,
  });
  const limiter = new RateLimiter({ ratePerSec: limits.ratePerSec, burst: limits.burst });
  const allowed = new Set(deps.corsOrigins);
  const replica = deps.replica;
  const card =
    replica === undefined
      ? undefined
      : signReplicaCard(
          {
            publicUrl: deps.publicUrl,
            chainId: deps.deployment.chainId,
            dealProof: deps.deployment.dealProof,
            signer: deps.signer,
            sender: replica.sender,
            instanceId: replica.instanceId,
          },
          replica.signDigest,
        );

  /**
   * Undefined when this replica answers for `row` itself; else the answer already sent (a 307 to
   * the replica holding it, or 503). `hop=1` marks a request another replica redirected here.
   */
  async function elsewhere(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    row: DealRow,
    h: Record<string, string>,
    answerLocally: boolean,
  ): Promise<true | undefined> {
    const locator = replica?.locator;
    if (locator === undefined || heldHere(row) || url.searchParams.get("hop") === "1") return undefined;
    const loc = await locator.locate(row.id, row.created_block);
    if (loc.kind === "peer") {
      const target = new URL(`${loc.peer.url}${url.pathname}${url.search}`);
      target.searchParams.set("hop", "1");
      res.writeHead(307, {
        ...h,
        location: target.toString(),
        "cache-control": "no-store",
        "content-length": 0,
      });
      res.end();
      return true;
    }
    // a status this replica knows may still be answered here, unless the deal is settled (its
    // outcome is then another replica's, and this one's row would say less than the truth)
    if (loc.kind === "none" && row.status === "settled") {
      // settled by a replica neither the chain read nor any reachable peer names: say so, not a hang
      fail(
        res,
        503,
        "replica_unavailable",
        `deal ${row.id} was settled by another replica, and no reachable peer holds its record; ` +
          "try again later, or ask the operator to list every replica's URL in DEALPROOF_PEERS",
        { ...h, "retry-after": "10" },
      );
      return true;
    }
    if (loc.kind === "unavailable" && (!answerLocally || loc.settled || row.status === "settled")) {
      fail(res, 503, "replica_unavailable", `${loc.why}; ${loc.hint}`, { ...h, "retry-after": "10" });
      return true;
    }
    return undefined;
  }

  function cors(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return {};
    return {
      "access-control-allow-origin": origin,
      "access-control-expose-headers": "retry-after",
      vary: "origin",
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wait = limiter.take(req.socket.remoteAddress ?? "unknown");
    if (wait > 0) {
      res.shouldKeepAlive = false;
      return fail(res, 429, "rate_limited", "too many requests; slow down", {
        "retry-after": String(wait),
        ...cors(req),
      });
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (!(declared >= 0 && declared <= MAX_BODY_BYTES)) {
      res.shouldKeepAlive = false;
      return fail(res, 413, "body_too_large", `this API takes no request body over ${MAX_BODY_BYTES} bytes`);
    }
    let bodyBytes = 0;
    req.on("data", (c: Buffer) => {
      bodyBytes += c.length;
      if (bodyBytes > MAX_BODY_BYTES) req.destroy();
    });
    req.on("error", () => undefined);
    req.resume();

    const url = URL.parse(req.url ?? "/", "http://oracle.invalid");
    if (url === null) return fail(res, 400, "bad_target", "the request target is not a valid path");
    if (req.method === "OPTIONS") {
      const c = cors(req);
      if (c["access-control-allow-origin"] === undefined)
        return fail(res, 403, "origin_not_allowed", "this origin may not call the API");
      res.writeHead(204, {
        ...c,
        "access-control-allow-methods": "GET, OPTIONS",
        "access-control-allow-headers": "x-dealproof-message, x-dealproof-signature, x-dealproof-session",
        "access-control-max-age": "600",
      });
      res.end();
      return;
    }
    const h = cors(req);
    if (req.method !== "GET")
      return fail(res, 405, "method_not_allowed", "GET only", { ...h, allow: "GET, OPTIONS" });

    if (url.pathname === "/health") {
      const exp = deps.registrationExpiresAt();
      const status =
        replica === undefined
          ? { ok: true, status: "ok", reasons: [], lag: null }
          : healthStatus({
              chain: replica.chainView(),
              rpc: deps.rpcHealth?.(),
              registering: replica.registering,
              registrationExpiresAt: exp,
              maxLagS: limits.maxLagS,
            });
      const holds = replica?.holds() ?? [];
      return send(
        res,
        200,
        {
          ...status,
          replica: card ?? null,
          instanceId: replica?.instanceId ?? null,
          keyEpochs: replica?.keyEpochs ?? null,
          holds: holds.slice(0, MAX_HOLDS_SHOWN),
          holdsCount: holds.length,
          chainId: deps.deployment.chainId,
          dealProof: deps.deployment.dealProof,
          teeMode: deps.teeMode,
          settleMode: deps.settleMode,
          signer: deps.signer,
          encryptionKey: deps.encryptionKey,
          measurementId: deps.measurementId,
          configDigest: deps.config?.digest ?? null,
          config: deps.config?.settings ?? null,
          registrationExpiresAt: exp === undefined ? null : Number(exp),
          rpc: rpcHealthView(deps.rpcHealth?.()),
          cursor: deps.store.cursor() ?? null,
          deals: deps.store.counts(),
          store: { quarantined: deps.storeQuarantine ?? null },
          connections: connections(),
        },
        h,
      );
    }
    if (url.pathname === "/attestation" && deps.quote !== undefined) {
      // report_data = sha256("DealProof/attestation/v1" ‖ nonce): the caller's nonce proves freshness.
      const nonce = url.searchParams.get("nonce") ?? "";
      if (!/^([0-9a-fA-F]{2}){0,32}$/.test(nonce))
        return fail(res, 400, "bad_nonce", "nonce must be up to 32 bytes of hex", h);
      const rd = createHash("sha256")
        .update("DealProof/attestation/v1")
        .update(Buffer.from(nonce, "hex"))
        .digest();
      let q;
      try {
        q = await deps.quote(rd);
      } catch {
        return fail(res, 503, "tee_unavailable", "the TEE did not give a quote; try again", h);
      }
      const sim = deps.simulatedDcap?.();
      return send(
        res,
        200,
        {
          quote: Buffer.from(q.quote).toString("hex"),
          event_log: q.eventLog,
          report_data: rd.toString("hex"),
          // a simulated TEE: verify with dcap-qvl against this root, never Intel's
          ...(sim === undefined
            ? {}
            : {
                simulated_dcap: {
                  root_ca: Buffer.from(sim.rootCaDer).toString("hex"),
                  collateral: sim.collateral,
                },
              }),
        },
        h,
      );
    }
    if (url.pathname === "/auth/challenge") {
      const address = url.searchParams.get("address") ?? "";
      const dealId = parseDealId(url.searchParams.get("dealId") ?? "");
      if (!/^0x[0-9a-fA-F]{40}$/.test(address) || dealId === undefined)
        return fail(res, 400, "bad_query", "give ?address=0x…(20 bytes)&dealId=<decimal uint256>", h);
      const known = deps.store.get(BigInt(dealId));
      if (known === undefined)
        return fail(res, 404, "unknown_deal", `deal ${dealId} is unknown to this oracle`, h);
      // a sign-in is redeemable only where it was issued: issue it where the transcript is
      if ((await elsewhere(req, res, url, known, h, false)) === true) return;
      try {
        const c = challenges.issue(address, dealId);
        return send(res, 200, { message: c.message, expiresAt: new Date(c.expiresAt).toISOString() }, h);
      } catch (e) {
        if (e instanceof ChallengeBookFullError)
          return fail(res, 503, storedCode(e.code), `${e.message}; ${e.hint}`, { ...h, "retry-after": "60" });
        throw e;
      }
    }
    if (url.pathname === "/listings") return send(res, 200, listingsView(deps.store), h);
    const lm = /^\/listings\/([0-9a-fA-Fx]{1,78})$/.exec(url.pathname);
    if (lm !== null) {
      const id = parseListingId(lm[1]!);
      const view = id === undefined ? undefined : listingDetailView(deps.store, id);
      if (view === undefined)
        return fail(res, 404, "unknown_listing", `listing ${lm[1]} is unknown to this oracle`, h);
      return send(res, 200, view, h);
    }
    const m = /^\/deals\/([0-9]{1,78})(\/transcript)?$/.exec(url.pathname);
    const dealId = m === null ? undefined : parseDealId(m[1]!);
    if (m === null || dealId === undefined) return fail(res, 404, "not_found", "not found", h);
    const row = deps.store.get(BigInt(dealId));
    if (row === undefined)
      return fail(res, 404, "unknown_deal", `deal ${dealId} is unknown to this oracle`, h);
    if ((await elsewhere(req, res, url, row, h, m[2] === undefined)) === true) return;
    // a deal another replica settled: the outcome on-chain is that replica's, not the one this
    // replica may have built and never landed, so it is not shown as the deal's
    const settledElsewhere = row.status === "settled" && row.settled_by === "other";
    const outcome = settledElsewhere ? null : row.outcome;
    if (m[2] === undefined) {
      return send(
        res,
        200,
        {
          dealId,
          status: row.status,
          buyer: row.buyer,
          seller: row.seller,
          dataRoot: row.data_root,
          outcome:
            outcome === null
              ? null
              : {
                  agreed: outcome.settlement.agreed,
                  priceWei: outcome.settlement.price,
                  termsHash: outcome.settlement.termsHash,
                  transcriptHash: outcome.settlement.transcriptHash,
                  reason: outcome.reason,
                },
          attestation: {
            settleMode: deps.settleMode,
            teeMode: deps.teeMode,
            measurementId: deps.measurementId,
            txHash: row.tx_hash,
          },
          settledBy: row.settled_by,
          lastCode: row.status === "settled" ? null : row.last_code,
          lastError: row.status === "settled" ? null : row.last_error,
        },
        h,
      );
    }
    const token = String(req.headers["x-dealproof-session"] ?? "");
    const message = Buffer.from(String(req.headers["x-dealproof-message"] ?? ""), "base64").toString("utf8");
    const signature = String(req.headers["x-dealproof-signature"] ?? "");
    let who: string;
    let session: { token: string; expiresAt: string } | undefined;
    if (token !== "" && replica !== undefined) {
      const s = replica.sessions.check(token, dealId);
      if (!s.ok) return fail(res, 401, s.code, s.why, h);
      who = s.address.toLowerCase();
    } else {
      if (message === "" || signature === "") {
        return fail(
          res,
          401,
          "sign_in_required",
          "sign the message from /auth/challenge and send it (base64) in x-dealproof-message with x-dealproof-signature",
          h,
        );
      }
      const auth = await challenges.redeem(message, signature, dealId);
      if (!auth.ok)
        return fail(res, auth.code === "verification_unavailable" ? 503 : 401, auth.code, auth.why, h);
      who = auth.address.toLowerCase();
      const issued = replica?.sessions.issue(auth.address, dealId);
      if (issued !== undefined)
        session = { token: issued.token, expiresAt: new Date(issued.expiresAt).toISOString() };
    }
    if (who !== row.buyer.toLowerCase() && who !== row.seller.toLowerCase())
      return fail(res, 403, "not_a_party", "only the deal's buyer or seller may read its transcript", h);
    if (settledElsewhere)
      return fail(
        res,
        409,
        "settled_elsewhere",
        `deal ${dealId} was settled by another replica; its transcript is that replica's (ask it, or set DEALPROOF_PEERS so replicas redirect)`,
        h,
      );
    if (outcome === null) return fail(res, 409, "no_outcome", "the deal has no outcome yet", h);
    return send(
      res,
      200,
      {
        dealId,
        termsJson: outcome.termsJson,
        transcriptJson: outcome.transcriptJson,
        ...(session === undefined ? {} : { session }),
      },
      h,
    );
  }

  const server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        deps.logger?.error({ err: (e as Error)?.message?.slice(0, 200) }, "API request failed");
        if (!res.headersSent) fail(res, 500, "internal", "internal error");
        else res.destroy();
      });
    },
  );
  // admission is guardConnections' (never server.maxConnections: that refuses newcomers while
  // held sockets stay, which is the lockout)
  const connections = guardConnections(server, {
    perAddress: limits.connectionsPerAddress,
    total: limits.maxConnections,
  });
  server.on("clientError", (e: Error & { code?: string }, socket: Socket) => {
    const status = e.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "400 Bad Request";
    if (socket.writable && !socket.destroyed)
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return {
    server,
    challenges,
    connections,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const a = server.address() as AddressInfo;
          resolve(`http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`);
        });
      }),
  };
}
