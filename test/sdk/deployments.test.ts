/**
 * The SDK's DEPLOYMENTS are exactly the public deployments of deployments/<network>.json (a
 * local chain's file is never listed), so a dapp finds DealProof by chain id; LOCAL_DEPLOYMENT is
 * what the deploy task gives on a fresh local node (deployed here and compared).
 */
import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CHAIN_IDS, DEPLOYMENTS, LOCAL_DEPLOYMENT, deploymentFor } from "../../sdk/src/deployments.ts";
import { readDeployment } from "../../oracle/chain/deployment.ts";
import { LOCAL_CHAIN_IDS, deployDealProof } from "../../tasks/lib/deploy.ts";
import { startLocalChain } from "../../scripts/lib/local-chain.ts";

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
    expect(() => deploymentFor(424242)).to.throw(/no deployment on chain 424242/);
    expect(() => deploymentFor(CHAIN_IDS.localhost)).to.throw(/no public deployment on chain 31337/);
    if (DEPLOYMENTS[CHAIN_IDS.sepolia] === undefined)
      expect(() => deploymentFor(CHAIN_IDS.sepolia)).to.throw(/Sepolia's is listed once deployed/);
  });

  it("LOCAL_DEPLOYMENT is what the deploy task gives on a fresh local node", async function () {
    this.timeout(120_000);
    const chain = await startLocalChain();
    try {
      const d = await deployDealProof(chain.connection, { networkName: "localhost" });
      expect(deploymentFor(31337n, { local: true })).to.deep.equal({
        network: d.network,
        dealProof: d.dealProof,
        verifier: d.verifier,
        verifierKind: d.verifierKind,
        deployBlock: d.deployBlock,
      });
      expect(LOCAL_DEPLOYMENT.deployBlock).to.equal(1);
    } finally {
      await chain.close();
    }
  });
});
