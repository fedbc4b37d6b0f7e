/**
 * `npm run web`: the dapp's Vite dev server against the local demo stack (a Hardhat chain,
 * DealProof, the oracle with the TDX simulator). It serves config.json for the local chain,
 * proxies /oracle to the oracle and serves /data/* from a folder where a seller drops the
 * encrypted file the page produced (its URL is what the seller enters as the location). Point
 * a browser wallet at the printed RPC URL and import one of Hardhat's test accounts.
 */
import { mkdirSync, createReadStream, existsSync } from "node:fs";
import { join, normalize, resolve } from "node:path";
import { createServer } from "vite";
import { startWebStack } from "./stack.ts";

const stack = await startWebStack({ log: true });
const dataDir = join(stack.dir, "hosted");
mkdirSync(dataDir, { recursive: true });
process.env.DEALPROOF_ORACLE_URL = stack.oracle.url;
const server = await createServer({
  configFile: join(import.meta.dirname, "..", "..", "web", "vite.config.ts"),
  plugins: [
    {
      name: "dealproof-local-stack",
      configureServer(s) {
        s.middlewares.use((req, res, next) => {
          const path = (req.url ?? "/").split("?")[0]!;
          if (path === "/config.json") {
            res.setHeader("content-type", "application/json");
            return res.end(JSON.stringify(stack.config));
          }
          if (path.startsWith("/data/")) {
            const file = resolve(dataDir, `.${normalize(decodeURIComponent(path.slice(5)))}`);
            if (!file.startsWith(resolve(dataDir)) || !existsSync(file)) {
              res.statusCode = 404;
              return res.end();
            }
            return void createReadStream(file).pipe(res);
          }
          next();
        });
      },
    },
  ],
});
await server.listen();
const url = server.resolvedUrls?.local[0] ?? "";
console.log(`
DealProof dapp      ${url}
local chain (RPC)   ${stack.chain.url}  (chain id ${stack.deployment.chainId})
DealProof           ${stack.deployment.dealProof}
oracle API          ${stack.oracle.url} (proxied at ${url}oracle)
hosted datasets     ${dataDir} → ${url}data/<file>
Wallet: add the RPC URL as a network, import Hardhat's test accounts #3 and #4 (local only).
Ctrl-C stops everything.`);
const stop = async () => {
  await server.close();
  await stack.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
