/**
 * deal:create and deal:accept ask the oracle first (SDK checkOracleReady): up, on this deployment,
 * and the registered one. Only then does the buyer's key file get written or any escrow move.
 * `--skip-oracle-check` is for an oracle whose API the party cannot reach: the on-chain
 * registration is still checked.
 */
import type { Provider } from "ethers";
import type { DealProof } from "../../oracle/chain/dealproof.ts";
import type { Deployment } from "../../oracle/chain/deployment.ts";
import { checkOracleReady } from "../../sdk/src/oracle-ready.ts";
import { asUserError, moreHint } from "./user-error.ts";
import { oracleUrl } from "./oracle-url.ts";
import { wrap } from "./context.ts";

export async function oraclePreflight(
  ctx: { dp: DealProof; deployment: Deployment; provider: Provider },
  a: { oracle: string; skipOracleCheck: boolean },
): Promise<void> {
  const url = oracleUrl(a.oracle);
  const [current, block] = await Promise.all([
    wrap(() => ctx.dp.currentOracle()),
    wrap(() => ctx.provider.getBlock("latest")),
  ]);
  try {
    await checkOracleReady({
      oracleUrl: url,
      chainId: ctx.deployment.chainId,
      dealProof: ctx.deployment.dealProof,
      current,
      nowSeconds: block!.timestamp,
      skipApi: a.skipOracleCheck,
    });
  } catch (e) {
    throw asUserError(e, "", {
      hint: moreHint(
        e,
        `the oracle asked is ${url} (--oracle or DEALPROOF_ORACLE_URL; --skip-oracle-check to skip)`,
      ),
    });
  }
}
