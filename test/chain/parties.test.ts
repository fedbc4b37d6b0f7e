import { expect } from "chai";
import { deployFixture, registerOracle, dataRoot, TTL, type Fixture } from "../fixtures/deal-proof.ts";
import { createDeal } from "../../oracle/chain/parties.ts";
import { connectDealProof, type DealProof } from "../../oracle/chain/dealproof.ts";
import { rejects } from "../helpers.ts";

describe("dapp client: sealing only to a live oracle registration", () => {
  let f: Fixture;
  let dp: DealProof;
  const args = async () => ({
    seller: f.seller.address,
    dataRoot: dataRoot(),
    escrowWei: 10n ** 18n,
    deadline: (await f.networkHelpers.time.latest()) + 3600,
    budgetWei: 10n ** 17n,
    requirements: "csv",
  });
  beforeEach(async () => {
    f = await deployFixture();
    dp = connectDealProof(f.address, f.buyer);
  });

  it("refuses before any oracle registered, and after its registration expired; nothing is escrowed", async () => {
    await rejects(createDeal(dp, f.buyer, await args()), /no oracle is registered on this DealProof yet/);
    await registerOracle(f);
    await f.networkHelpers.time.increase(Number(TTL) + 1);
    await rejects(
      createDeal(dp, f.buyer, await args()),
      /the oracle's registration expired at .*wait until it registers again/,
    );
    expect(await f.ethers.provider.getBalance(f.address)).to.equal(0n);
    await registerOracle(f); // re-registered: sealing works again
    const d = await createDeal(dp, f.buyer, await args());
    expect((await f.dealProof.getDeal(d.dealId)).escrow).to.equal(10n ** 18n);
  });
});
