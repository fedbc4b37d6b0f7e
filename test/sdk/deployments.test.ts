/**
 * The SDK's DEPLOYMENTS are exactly the public deployments of deployments/<network>.json (a
 * local chain's file is never listed), so a dapp finds DealProof by chain id.
 */
import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DEPLOYMENTS, deploymentFor } from "../../sdk/src/deployments.ts";
import { readDeployment } from "../../oracle/chain/deployment.ts";
import { LOCAL_CHAIN_IDS } from "../../tasks/lib/deploy.ts";

const dir = join(import.meta.dirname, "..", "..", "deployments");

describe("sdk DEPLOYMENTS", () => {
  it("lists every public deployments file and nothing else", () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => readDeployment(join(dir, f)))
      .filter((d) => !LOCAL_CHAIN_IDS.has(d.chainId));
    const expected = Object.fromEntries(
      files.map((d) => [
        d.chainId,
        {
          network: d.network,
          dealProof: d.dealProof,
          verifier: d.verifier,
          verifierKind: d.verifierKind,
          deployBlock: d.deployBlock,
        },
      ]),
    );
    expect(DEPLOYMENTS).to.deep.equal(expected);
  });

  it("says where DealProof is not deployed", () => {
    expect(() => deploymentFor(424242)).to.throw(/no public deployment on chain 424242/);
  });
});
