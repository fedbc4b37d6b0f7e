/**
 * An in-process Hardhat (EDR) chain served over HTTP JSON-RPC on 127.0.0.1, for the demo, the
 * end-to-end tests and the benchmark: the oracle talks to it like to any node.
 */
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

export interface LocalChain {
  url: string;
  connection: NetworkConnection;
  close(): Promise<void>;
}

export async function startLocalChain(): Promise<LocalChain> {
  const server = await hre.network.createServer("default", "127.0.0.1", 0);
  const { port } = await server.listen();
  const url = `http://127.0.0.1:${port}`;
  const connection = await hre.network.create({ network: "localhost", override: { url } });
  return {
    url,
    connection,
    close: async () => {
      await connection.close();
      await server.close();
    },
  };
}
