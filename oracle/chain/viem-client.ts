/**
 * A viem client over the oracle's ethers provider, so viem's actions (EIP-4361 sign-in checks,
 * ERC-1271 / ERC-6492 signature verification) use the same transport, timeout and retry policy.
 */
import { createClient, custom, type Client } from "viem";

export interface RawSender {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export function viemClientFor(provider: RawSender): Client {
  return createClient({
    transport: custom({
      request: ({ method, params }: { method: string; params?: unknown }) =>
        provider.send(method, (params ?? []) as unknown[]),
    }),
  });
}
