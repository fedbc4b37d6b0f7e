/**
 * The trust rule has one copy, in the contract: its `isTrustedSigner` view, and
 * oracle/chain/trusted-signer.ts reading it — for a fresh, unknown, revoked, expired,
 * measurement-disallowed (and re-allowed), TCB-refused and re-registered signer, and at a past
 * block, both answer exactly whether DealProof accepts that signer's settleWithSignature.
 */
import { expect } from "chai";
import {
  deployFixture,
  openDeal,
  outcome,
  registerOracle,
  sign,
  widen,
  KIND,
  MEASUREMENT,
  TTL,
  type Fixture,
} from "../fixtures/deal-proof.ts";
import { connectDealProof } from "../../oracle/chain/dealproof.ts";
import { isTrustedSigner } from "../../oracle/chain/trusted-signer.ts";

/** Whether DealProof accepts a settlement signed by f.oracle now (estimateGas: nothing is sent). */
async function settlementAccepted(f: Fixture): Promise<boolean> {
  const { dealId } = await openDeal(f);
  const s = outcome(dealId);
  return f.dealProof.settleWithSignature.estimateGas(s, sign(f, s)).then(
    () => true,
    () => false,
  );
}

async function ruleNow(f: Fixture, signer = f.oracle.address) {
  const head = (await f.ethers.provider.getBlock("latest"))!;
  // the next block (where a settlement lands) is at least one second later
  return isTrustedSigner(connectDealProof(f.address, f.ethers.provider), signer, {
    blockTag: head.number,
    now: BigInt(head.timestamp + 1),
  });
}

describe("chain: the trust rule, one copy in the contract (isTrustedSigner; oracle/chain/trusted-signer.ts)", () => {
  const cases: [string, (f: Fixture) => Promise<void>, boolean][] = [
    ["a fresh registration", async (f) => void (await registerOracle(f)), true],
    ["a signer never registered", async () => undefined, false],
    [
      "a revoked signer",
      async (f) => {
        await registerOracle(f);
        await f.dealProof.revokeSigner(f.oracle.address);
      },
      false,
    ],
    [
      "an expired registration",
      async (f) => {
        await registerOracle(f);
        await f.networkHelpers.time.increase(TTL + 1);
      },
      false,
    ],
    [
      "a measurement disallowed since",
      async (f) => {
        await registerOracle(f);
        await f.dealProof.disallowMeasurement(MEASUREMENT);
      },
      false,
    ],
    [
      "a measurement disallowed, then allowed again",
      async (f) => {
        await registerOracle(f);
        await f.dealProof.disallowMeasurement(MEASUREMENT);
        await widen(f, KIND.AllowMeasurement, MEASUREMENT);
      },
      true,
    ],
    [
      "a signer registered again after its registration expired",
      async (f) => {
        await registerOracle(f);
        await f.networkHelpers.time.increase(TTL + 1);
        await registerOracle(f);
      },
      true,
    ],
    [
      "a TCB status refused since",
      async (f) => {
        await registerOracle(f);
        await f.dealProof.refuseTcbStatus(0);
      },
      false,
    ],
  ];
  for (const [what, arrange, trusted] of cases)
    it(`${what}: ${trusted ? "trusted" : "not trusted"}, as settleWithSignature says`, async () => {
      const f = await deployFixture();
      await arrange(f);
      expect(await ruleNow(f), "rule").to.equal(trusted);
      expect(await f.dealProof.isTrustedSigner(f.oracle.address), "view").to.equal(trusted);
      expect(await settlementAccepted(f), "contract").to.equal(trusted);
    });

  it("reads the rule at a past block: trusted before the revocation, not after", async () => {
    const f = await deployFixture();
    await registerOracle(f);
    const before = (await f.ethers.provider.getBlock("latest"))!;
    await f.dealProof.revokeSigner(f.oracle.address);
    const dp = connectDealProof(f.address, f.ethers.provider);
    const at = { blockTag: before.number, now: BigInt(before.timestamp) };
    expect(await isTrustedSigner(dp, f.oracle.address, at)).to.equal(true);
    expect(await ruleNow(f)).to.equal(false);
  });
});
