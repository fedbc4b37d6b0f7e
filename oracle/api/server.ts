/**
 * The oracle's HTTP API (node:http): GET /health, GET /deals/:id, GET /auth/challenge and
 * GET /deals/:id/transcript (only for the deal's buyer or seller, proven by a signed challenge).
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { ChallengeBook } from "./auth.ts";
import type { Store, StoredOutcome } from "../daemon/store.ts";
import type { Deployment } from "../protocol/deployment.ts";

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
  /** host[:port] that challenges name (EIP-4361 domain). */
  domain?: string;
}

function send(res: ServerResponse, status: number, body: unknown) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(data),
    "cache-control": "no-store",
  });
  res.end(data);
}

export function createApi(deps: ApiDeps): {
  server: Server;
  challenges: ChallengeBook;
  listen(port: number, host: string): Promise<string>;
} {
  const challenges = new ChallengeBook(deps.domain ?? "dealproof-oracle.local", deps.deployment.chainId);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method !== "GET") return send(res, 405, { error: "GET only" });
    if (url.pathname === "/health") {
      const exp = deps.registrationExpiresAt();
      return send(res, 200, {
        ok: true,
        chainId: deps.deployment.chainId,
        dealProof: deps.deployment.dealProof,
        teeMode: deps.teeMode,
        settleMode: deps.settleMode,
        signer: deps.signer,
        encryptionKey: deps.encryptionKey,
        measurementId: deps.measurementId,
        registrationExpiresAt: exp === undefined ? null : Number(exp),
        cursor: deps.store.cursor() ?? null,
        deals: deps.store.counts(),
      });
    }
    if (url.pathname === "/attestation" && deps.quote !== undefined) {
      // report_data = sha256("DealProof/attestation/v1" ‖ nonce): the caller's nonce proves freshness.
      const nonce = url.searchParams.get("nonce") ?? "";
      if (!/^([0-9a-fA-F]{2}){0,32}$/.test(nonce))
        return send(res, 400, { error: "nonce must be up to 32 bytes of hex" });
      const rd = createHash("sha256")
        .update("DealProof/attestation/v1")
        .update(Buffer.from(nonce, "hex"))
        .digest();
      deps.quote(rd).then(
        (q) => {
          const sim = deps.simulatedDcap?.();
          send(res, 200, {
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
          });
        },
        (e: unknown) => send(res, 503, { error: `the TEE did not give a quote: ${(e as Error).message}` }),
      );
      return;
    }
    if (url.pathname === "/auth/challenge") {
      const address = url.searchParams.get("address") ?? "";
      const dealId = url.searchParams.get("dealId") ?? "";
      if (!/^0x[0-9a-fA-F]{40}$/.test(address) || !/^[0-9]+$/.test(dealId)) {
        return send(res, 400, { error: "give ?address=0x…&dealId=<decimal id>" });
      }
      const c = challenges.issue(address, dealId);
      return send(res, 200, { message: c.message, expiresAt: new Date(c.expiresAt).toISOString() });
    }
    const m = /^\/deals\/([0-9]{1,80})(\/transcript)?$/.exec(url.pathname);
    if (m === null) return send(res, 404, { error: "not found" });
    const row = deps.store.get(m[1]!);
    if (row === undefined) return send(res, 404, { error: `deal ${m[1]} is unknown to this oracle` });
    const outcome = row.outcome === null ? null : (JSON.parse(row.outcome) as StoredOutcome);
    if (m[2] === undefined) {
      return send(res, 200, {
        dealId: row.id,
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
        lastError: row.status === "settled" ? null : row.last_error,
      });
    }
    const message = Buffer.from(String(req.headers["x-dealproof-message"] ?? ""), "base64").toString("utf8");
    const signature = String(req.headers["x-dealproof-signature"] ?? "");
    if (message === "" || signature === "") {
      return send(res, 401, {
        error:
          "sign the message from /auth/challenge and send it (base64) in x-dealproof-message with x-dealproof-signature",
      });
    }
    const auth = challenges.redeem(message, signature, row.id);
    if (!auth.ok) return send(res, 401, { error: auth.why });
    if (auth.address !== row.buyer && auth.address !== row.seller)
      return send(res, 403, { error: "only the deal's buyer or seller may read its transcript" });
    if (outcome === null) return send(res, 409, { error: "the deal has no outcome yet" });
    return send(res, 200, {
      dealId: row.id,
      termsJson: outcome.termsJson,
      transcriptJson: outcome.transcriptJson,
    });
  });
  return {
    server,
    challenges,
    listen: (port, host) =>
      new Promise((resolve) =>
        server.listen(port, host, () => {
          const a = server.address() as AddressInfo;
          resolve(`http://${a.address}:${a.port}`);
        }),
      ),
  };
}
