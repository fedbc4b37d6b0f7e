// The package's CommonJS build: each entry (`.`, `./viem`, `./deployments`) bundled by esbuild
// from the same sources as the ESM build (tsc → dist/), dependencies left as require() calls, into
// dist/cjs/<entry>.cjs. `npm run build` and `prepack` run it after tsc.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entries = { index: "src/index.ts", viem: "src/viem/index.ts", deployments: "src/deployments.ts" };

await Promise.all(
  Object.entries(entries).map(([name, src]) =>
    build({
      entryPoints: [join(here, src)],
      outfile: join(here, "dist", "cjs", `${name}.cjs`),
      bundle: true,
      packages: "external",
      format: "cjs",
      platform: "neutral",
      target: "es2022",
      logLevel: "warning",
    }),
  ),
);
