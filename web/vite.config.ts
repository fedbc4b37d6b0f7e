/**
 * Vite config of the dapp (web/): React, the SDK imported from its sources as `dealproof`, and
 * in dev a proxy of /oracle to the oracle API (DEALPROOF_ORACLE_URL). The build is static files
 * for any host (relative base); `DEALPROOF_WEB_HARNESS=1` adds the component-test page.
 */
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { resolve } from "node:path";

const here = import.meta.dirname;
const oracle = process.env.DEALPROOF_ORACLE_URL;

export default defineConfig({
  root: here,
  base: "./",
  plugins: [react()],
  resolve: { alias: { dealproof: resolve(here, "../sdk/src/index.ts") } },
  server: {
    host: "127.0.0.1",
    proxy:
      oracle === undefined
        ? {}
        : { "/oracle": { target: oracle, rewrite: (p) => p.replace(/^\/oracle/, "") } },
  },
  build: {
    outDir: process.env.DEALPROOF_WEB_OUT ?? resolve(here, "dist"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        index: resolve(here, "index.html"),
        ...(process.env.DEALPROOF_WEB_HARNESS === "1" ? { harness: resolve(here, "harness.html") } : {}),
      },
    },
  },
});
