/**
 * Start-up checks of the oracle's configuration, each failing fast with one plain message: the
 * deployment file is readable, the RPC endpoint answers within seconds with the deployment's
 * chain id, and DealProof has code there. Messages name the RPC endpoint by origin only (its
 * path or query often carries an API key). Each call is retried with jittered backoff
 * (DEALPROOF_RPC_ATTEMPTS, each within DEALPROOF_RPC_TIMEOUT_MS): one dropped or hung request to a
 * flaky RPC must not stop the oracle at start, while a dead one is still reported within seconds.
 */
import { readDeployment, type Deployment } from "../chain/deployment.ts";
import { retryVerdict, withRetry } from "../chain/retry.ts";
import { RpcError } from "../chain/errors.ts";
import { DealProofError } from "../../sdk/src/errors.ts";
import { storedCode } from "./reason-codes.ts";
import type { OracleConfig } from "./config.ts";

async function rpc(url: string, method: string, params: unknown[], timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new RpcError("rpc.http_error", `HTTP ${res.status}`, { status: res.status });
  const body = (await res.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error !== undefined)
    throw new RpcError("rpc.error_reply", `JSON-RPC error: ${body.error.message ?? "no message"}`);
  return body.result;
}

export async function preflight(cfg: OracleConfig): Promise<Deployment> {
  const deployment = readDeployment(cfg.DEALPROOF_DEPLOYMENT);
  const url = new URL(cfg.DEALPROOF_RPC_URL);
  const origin = url.origin;
  const timeoutMs = cfg.DEALPROOF_RPC_TIMEOUT_MS;
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    try {
      return await withRetry(() => rpc(cfg.DEALPROOF_RPC_URL, method, params, timeoutMs), {
        attempts: cfg.DEALPROOF_RPC_ATTEMPTS,
        baseMs: 250,
        retryIf: (e) => retryVerdict(e, { scope: "startup" }).retry,
      });
    } catch (e) {
      // the node answered, but with an error: say so (an API key missing from the URL, a method
      // the provider does not serve), rather than calling it unreachable
      if (e instanceof RpcError && (e.code === "rpc.http_error" || e.code === "rpc.error_reply"))
        throw new RpcError(e.code, `DEALPROOF_RPC_URL (${origin}) refused ${method}: ${e.message}`, {
          hint: "check DEALPROOF_RPC_URL, including any API key its provider needs",
          cause: e,
        });
      const timedOut = e instanceof DOMException && e.name === "TimeoutError";
      const code = timedOut ? "rpc.timeout" : "rpc.unreachable";
      throw new RpcError(
        code,
        `DEALPROOF_RPC_URL (${origin}) does not answer ${method} within ${timeoutMs / 1000} s ` +
          `(${cfg.DEALPROOF_RPC_ATTEMPTS} attempts): the RPC at ${url.host} does not answer ` +
          `(${storedCode(code)})`,
        { hint: "check that the node is running and DEALPROOF_RPC_URL is right", cause: e },
      );
    }
  };
  const chainId = Number(BigInt((await call("eth_chainId", [])) as string));
  if (chainId !== deployment.chainId)
    throw new DealProofError(
      "config.chain_mismatch",
      `DEALPROOF_RPC_URL (${origin}) is chain ${chainId}, but ${cfg.DEALPROOF_DEPLOYMENT} is a deployment on chain ${deployment.chainId}`,
      {
        hint: "point DEALPROOF_RPC_URL at the deployment's chain, or DEALPROOF_DEPLOYMENT at this chain's file",
      },
    );
  const code = (await call("eth_getCode", [deployment.dealProof, "latest"])) as string;
  if (code === "0x")
    throw new DealProofError(
      "deployment.no_contract",
      `no contract at DealProof ${deployment.dealProof} on ${origin}: was the node restarted since the deployment?`,
      { hint: "Deploy again (npx hardhat deploy --network <network>)" },
    );
  return deployment;
}
