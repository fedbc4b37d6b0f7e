/**
 * A JSON-RPC provider that retries transient transport failures (dropped connections, 5xx,
 * timeouts) with exponential backoff at the transport level, so every call the oracle and ethers
 * itself make (receipt polling included) survives an unreliable RPC endpoint.
 */
import { JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import { withRetry } from "../daemon/submitter.ts";

export class RetryingJsonRpcProvider extends JsonRpcProvider {
  readonly attempts: number;

  constructor(url: string, opts: { attempts?: number; pollingIntervalMs?: number } = {}) {
    super(url, undefined, {
      staticNetwork: true,
      polling: true,
      pollingInterval: opts.pollingIntervalMs ?? 250,
      batchMaxCount: 1,
    });
    this.attempts = opts.attempts ?? 8;
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    return withRetry("rpc", () => super._send(payload), { attempts: this.attempts, baseMs: 50 });
  }
}
