/**
 * The oracle's start-up check against RPC endpoints that answer, but wrongly: an HTTP error (a
 * provider refusing a missing API key) and a JSON-RPC error reply are named as refusals with their
 * own codes, not as an unreachable node, and the URL's secret path never appears.
 */
import { expect } from "chai";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { preflight } from "../../oracle/daemon/preflight.ts";
import { loadConfig } from "../../oracle/daemon/config.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
import { writeFakeDeployment } from "../helpers.ts";

function serve(answer: (res: ServerResponse) => void): Promise<Server> {
  const server = createServer((req, res) => req.resume().on("end", () => answer(res)));
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r(server)));
}

describe("oracle preflight: an RPC that answers with an error", () => {
  const dir = mkdtempSync(join(tmpdir(), "preflight-"));
  const deployment = join(dir, "dep.json");
  writeFakeDeployment(deployment);
  const cases = [
    [
      "an HTTP 401",
      (res: ServerResponse) => res.writeHead(401).end("no key"),
      "rpc.http_error",
      /refused eth_chainId: HTTP 401/,
    ],
    [
      "a JSON-RPC error object",
      (res: ServerResponse) =>
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(
            JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32601, message: "method not found" } }),
          ),
      "rpc.error_reply",
      /refused eth_chainId: JSON-RPC error: method not found/,
    ],
  ] as const;
  for (const [what, answer, code, message] of cases) {
    it(`names ${what} as a refusal (${code}) with a hint, never the URL's path`, async () => {
      const server = await serve(answer);
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret-api-key`;
        const cfg = loadConfig({
          DEALPROOF_RPC_URL: url,
          DEALPROOF_DEPLOYMENT: deployment,
          DEALPROOF_SENDER_KEY: "0x" + "11".repeat(32),
          DEALPROOF_RPC_ATTEMPTS: "2",
        });
        const e = await preflight(cfg).then(
          () => expect.fail("preflight accepted an RPC that refuses"),
          (err: unknown) => err,
        );
        expect(isDealProofError(e, code)).to.equal(true);
        const err = e as Error & { hint?: string };
        expect(err.message).to.match(message);
        expect(err.hint).to.match(/DEALPROOF_RPC_URL/);
        expect(`${err.message} ${err.hint}`).to.not.include("secret-api-key");
      } finally {
        server.close();
      }
    });
  }
});
