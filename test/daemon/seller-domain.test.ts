/**
 * DESIGN §8, a buyer's `requireSellerDomain`, through the real daemon on a local chain: a seller
 * email altered after signing gives "no deal" (escrow back to the buyer, reason code and DKIM
 * result in the terms) when the buyer requires a verified seller, and still negotiates — the
 * terms saying "unverified" and why — when it does not. A named domain must match.
 */
import { expect } from "chai";
import { oracle, runDeal, rowWhen } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { sealBuyerInput, SealedInputError } from "../../sdk/src/inputs.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";

const vision = scenarioByName("vision");

/** The seller's signed email with one line added to the body after signing. */
async function tamperedEmail(env: Env): Promise<string> {
  const signed = Buffer.from(
    await env.email.sign(`sales@${env.email.domain}`, "Dataset offer", vision.sellerDescription),
    "base64",
  ).toString("latin1");
  const altered = signed.replace(/\r\n\r\n/, "\r\n\r\nP.S. Exclusive licence included.\r\n");
  expect(altered).to.not.equal(signed);
  return Buffer.from(altered, "latin1").toString("base64");
}

describe("buyer requirement requireSellerDomain (real daemon, local chain)", function () {
  this.timeout(180_000);
  let env: Env;
  let o: Awaited<ReturnType<typeof oracle>>;
  after(async () => {
    await o?.stop();
  });
  useLocalChain((e) => (env = e));
  before(async () => {
    o = await oracle(env, { DEALPROOF_SETTLE_MODE: "signature" });
  });

  const outcomeOf = async (id: bigint) => {
    const row = await rowWhen(o, id, ["settled", "closed"], 30_000);
    const outcome = row.outcome!;
    const onChain = await env.dp.getDeal(id);
    return { outcome, terms: JSON.parse(outcome.termsJson), onChain };
  };

  it("the sealed buyer input refuses a requirement that is neither a flag nor a domain, naming the field", async () => {
    const kp = await generateX25519KeyPair();
    const ctx = { chainId: 1n, contract: "0x00000000000000000000000000000000000000aa", dealId: 1n };
    const input = {
      v: 1 as const,
      budgetWei: "1",
      requirements: "r",
      deliveryPublicKey: `0x${"11".repeat(32)}`,
    };
    for (const bad of ["not a domain", "EXAMPLE.COM", "http://example.com"]) {
      const err = await sealBuyerInput(kp.publicKey, ctx, { ...input, requireSellerDomain: bad }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(SealedInputError);
      expect((err as Error).message).to.match(/requireSellerDomain: must be a lower-case domain name/);
    }
    for (const good of [true, false, "acme-data.test", "mail.example.co.uk"])
      expect(
        (await sealBuyerInput(kp.publicKey, ctx, { ...input, requireSellerDomain: good })).length,
      ).to.be.greaterThan(0);
  });

  it("a tampered email with the requirement: no deal, the whole escrow back, the reason code and DKIM failure in the terms", async () => {
    const deal = await runDeal(env, {
      email: await tamperedEmail(env),
      requireSellerDomain: true,
      buyerIx: 4,
    });
    const { outcome, terms, onChain } = await outcomeOf(deal.dealId);
    expect(outcome.settlement.agreed).to.equal(false);
    expect(terms.reasonCode).to.equal("seller-domain-unverified");
    expect(terms.sellerDkim).to.deep.equal({ result: "fail", reasonCode: "signature-invalid" });
    expect(terms.sellerIdentity.verified).to.equal(false);
    expect(terms.agents).to.equal(null); // no negotiation happened
    expect(JSON.parse(outcome.transcriptJson).entries).to.deep.equal([]);
    expect([onChain.sellerPayout, onChain.buyerPayout]).to.deep.equal([0n, units(vision.escrowUnits)]);
  });

  it("a tampered email without the requirement: negotiates as an unverified seller, and the terms say so and why", async () => {
    const deal = await runDeal(env, { email: await tamperedEmail(env), buyerIx: 5 });
    const { outcome, terms } = await outcomeOf(deal.dealId);
    expect(outcome.settlement.agreed).to.equal(true);
    expect(terms.sellerIdentity).to.deep.equal({ domain: null, verified: false });
    expect(terms.sellerDkim).to.deep.equal({ result: "fail", reasonCode: "signature-invalid" });
    expect(terms.reasonCode).to.equal(undefined);
  });

  it("a valid email meets a named domain; another named domain, or no email, gives no deal with its code", async () => {
    const ok = await runDeal(env, { requireSellerDomain: env.email.domain, buyerIx: 6 });
    const other = await runDeal(env, { requireSellerDomain: "other-seller.example", buyerIx: 7 });
    const none = await runDeal(env, { email: null, requireSellerDomain: true, buyerIx: 8 });

    const a = await outcomeOf(ok.dealId);
    expect(a.outcome.settlement.agreed).to.equal(true);
    expect(a.terms.sellerIdentity).to.deep.equal({ domain: env.email.domain, verified: true });
    expect(a.terms.sellerDkim).to.deep.equal({ result: "pass", reasonCode: null });

    const b = await outcomeOf(other.dealId);
    expect(b.outcome.settlement.agreed).to.equal(false);
    expect(b.terms.reasonCode).to.equal("seller-domain-mismatch");
    expect(b.onChain.buyerPayout).to.equal(units(vision.escrowUnits));

    const c = await outcomeOf(none.dealId);
    expect(c.outcome.settlement.agreed).to.equal(false);
    expect(c.terms.reasonCode).to.equal("seller-domain-unverified");
    expect(c.terms.sellerDkim).to.deep.equal({ result: "none", reasonCode: "no-email" });
  });
});
