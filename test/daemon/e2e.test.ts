import { expect } from "chai";
import type { DealProofError } from "../../sdk/src/errors.ts";
import { formatDealId } from "../../sdk/src/deal-id.ts";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { oracle, runDeal, settledEvents, rowWhen } from "./harness.ts";
import { useLocalChain, type Env } from "../fixtures/local-chain.ts";
import { receiveDeal } from "../../client/receive.ts";
import { createDeal } from "../../sdk/src/parties.ts";
import { parseSettleCall } from "../../oracle/chain/dealproof.ts";
import { scenarioByName, units } from "../../scripts/lib/scenarios.ts";
import { at } from "../../scripts/lib/at.ts";
import { verifyQuote } from "../../oracle/quote/verify.ts";

const vision = scenarioByName("vision");

const settled = (o: Awaited<ReturnType<typeof oracle>>, id: bigint) =>
  rowWhen(o, id, ["settled", "closed"], 30_000);

describe("oracle daemon end to end (local chain over HTTP, embedded TDX simulator)", function () {
  this.timeout(120_000);
  let env: Env;
  useLocalChain((e) => (env = e));

  it("quote path: negotiates, settles with a TDX quote, delivers the key; the buyer decrypts and verifies the data", async () => {
    const o = await oracle(env, { DEALPROOF_SETTLE_MODE: "quote" });
    try {
      const deal = await runDeal(env);
      const row = await settled(o, deal.dealId);
      expect(row.status).to.equal("settled");
      const outcome = row.outcome!;
      expect(outcome.settlement.agreed).to.equal(true);
      const price = BigInt(outcome.settlement.price);
      expect(price >= units(vision.floorUnits) && price <= units(vision.budgetUnits)).to.equal(true);
      expect((await settledEvents(env, deal.dealId)).length).to.equal(1);
      const seller = at(env.signers, 3);
      const onChain = await env.dp.getDeal(deal.dealId);
      expect([onChain.sellerPayout, onChain.buyerPayout]).to.deep.equal([
        price,
        units(vision.escrowUnits) - price,
      ]);
      expect(onChain.seller).to.equal(await seller.getAddress());
      const terms = JSON.parse(outcome.termsJson);
      expect(terms.sellerIdentity).to.deep.equal({ domain: env.email.domain, verified: true });
      expect(terms.dataFacts.format).to.equal("csv");

      // the settlement transaction carried a quote that verifies off-chain too
      const tx = await env.chain.connection.ethers.provider.getTransaction(row.tx_hash!);
      const settle = parseSettleCall(tx!.data)!;
      expect(settle.method).to.equal("settleWithQuote");
      const v = verifyQuote(Uint8Array.from(Buffer.from(settle.proof.slice(2), "hex")), {
        simulatorKeys: [
          o.tee.mode === "simulator"
            ? (o.tee as unknown as { attestationPublicKey(): Uint8Array }).attestationPublicKey()
            : new Uint8Array(),
        ],
      });
      expect(v.ok).to.equal(true);

      const out = join(env.dir, "received.csv");
      await receiveDeal(
        env.chain.connection.ethers.provider,
        env.deployment,
        deal.dealId,
        deal.delivery.privateKey,
        out,
      );
      expect(readFileSync(out).equals(readFileSync(env.dataset.plainPath))).to.equal(true);
    } finally {
      await o.stop();
    }
  });

  it("signature path, no agreement: the buyer gets the whole escrow back at once", async () => {
    const o = await oracle(env, { DEALPROOF_SETTLE_MODE: "signature" });
    try {
      const deal = await runDeal(env, { buyerIx: 4, budgetUnits: 500, floorUnits: 600 });
      const row = await settled(o, deal.dealId);
      const outcome = row.outcome!;
      expect([row.status, outcome.settlement.agreed, outcome.settlement.delivery]).to.deep.equal([
        "settled",
        false,
        "0x",
      ]);
      expect(outcome.reason).to.match(/^no overlap/); // the mediator found no price both limits allow
      const onChain = await env.dp.getDeal(deal.dealId);
      expect([onChain.buyerPayout, onChain.sellerPayout]).to.deep.equal([units(vision.escrowUnits), 0n]);
      expect(onChain.buyer).to.equal(await at(env.signers, 4).getAddress());
      const tx = await env.chain.connection.ethers.provider.getTransaction(row.tx_hash!);
      expect(env.dp.interface.parseTransaction(tx!)!.name).to.equal("settleWithSignature");
    } finally {
      await o.stop();
    }
  });

  const badInputs: [string, Parameters<typeof runDeal>[1], RegExp][] = [
    [
      "a dataset that does not match the dataRoot",
      { dataset: { dataRoot: `0x${"ab".repeat(32)}` } },
      /dataset refused \(root_mismatch\)/,
    ],
    [
      "a wrong dataset key",
      { dataset: { key: `0x${"11".repeat(32)}` } },
      /dataset refused \(decrypt_failed\)/,
    ],
    [
      "a malformed seller email",
      { email: Buffer.from("no headers here").toString("base64") },
      /seller email refused: malformed/,
    ],
  ];
  for (const [what, opts, reason] of badInputs) {
    it(`settles ${what} as "no deal" with the reason, refunding the buyer`, async () => {
      const o = await oracle(env);
      try {
        const deal = await runDeal(env, { buyerIx: 5, ...opts });
        const row = await settled(o, deal.dealId);
        const outcome = row.outcome!;
        expect(outcome.settlement.agreed).to.equal(false);
        expect(outcome.reason).to.match(reason);
        expect(JSON.parse(outcome.termsJson).reason).to.match(reason);
        expect((await env.dp.getDeal(deal.dealId)).state).to.equal(3n);
      } finally {
        await o.stop();
      }
    });
  }

  it("settles a deal whose sealed inputs do not open as no deal, and keeps running", async () => {
    const o = await oracle(env);
    try {
      const buyer = at(env.signers, 6);
      const seller = at(env.signers, 3);
      const dp = env.dp.connect(buyer);
      const now = (await env.chain.connection.ethers.provider.getBlock("latest"))!.timestamp;
      const id = await dp.dealIdFor(
        await buyer.getAddress(),
        await seller.getAddress(),
        env.dataset.dataRoot,
        now + 3600,
      );
      await (
        await dp.createDeal(await seller.getAddress(), env.dataset.dataRoot, now + 3600, "0xdeadbeef", {
          value: 1000n,
        })
      ).wait();
      await (await env.dp.connect(seller).acceptDeal(id, "0x1234")).wait();
      const row = await settled(o, id);
      expect(row.outcome!.reason).to.match(/sealed input refused \(cannot_open\)/);
      const next = await runDeal(env, { buyerIx: 6 });
      expect((await settled(o, next.dealId)).status).to.equal("settled");
    } finally {
      await o.stop();
    }
  });

  it("the client refuses to open the same deal twice (same seller, root, deadline) before sending anything", async () => {
    const buyer = at(env.signers, 10);
    const seller = await at(env.signers, 3).getAddress();
    const now = (await env.chain.connection.ethers.provider.getBlock("latest"))!.timestamp;
    const args = {
      seller,
      dataRoot: env.dataset.dataRoot,
      escrowWei: 1000n,
      deadline: now + 7200,
      budgetWei: 900n,
      requirements: "any",
    };
    const first = await createDeal(env.dp, buyer, args);
    const provider = env.chain.connection.ethers.provider;
    const [held, nonce] = [await provider.getBalance(env.deployment.dealProof), await buyer.getNonce()];
    const refused = await createDeal(env.dp, buyer, args).then(
      () => expect.fail("a second createDeal for the same deal was sent"),
      (e: unknown) => e as DealProofError,
    );
    expect(refused.code).to.equal("deal.exists");
    expect(refused.message).to.match(new RegExp(`already have deal ${formatDealId(first.dealId)}`)); // hex, as everywhere
    expect(refused.hint).to.match(/another deadline/);
    expect([await provider.getBalance(env.deployment.dealProof), await buyer.getNonce()]).to.deep.equal([
      held,
      nonce,
    ]);
    const second = await createDeal(env.dp, buyer, { ...args, deadline: args.deadline + 1 });
    expect(second.dealId).to.not.equal(first.dealId);
  });

  it("serves health and deal status, and the transcript only to the deal's buyer or seller", async () => {
    const o = await oracle(env);
    try {
      const deal = await runDeal(env, { buyerIx: 7 });
      await settled(o, deal.dealId);
      const health = (await (await fetch(`${o.url}/health`)).json()) as Record<string, unknown>;
      expect(health).to.deep.include({
        ok: true,
        teeMode: "simulator",
        chainId: env.deployment.chainId,
        signer: o.identity.address,
      });
      expect(health.registrationExpiresAt).to.be.a("number");
      const status = (await (await fetch(`${o.url}/deals/${deal.dealId}`)).json()) as {
        status: string;
        outcome: { transcriptHash: string };
      };
      expect(status.status).to.equal("settled");
      expect(status.outcome.transcriptHash).to.match(/^0x/);
      expect(JSON.stringify(status)).to.not.include("transcriptJson");

      const read = async (
        signer: { getAddress(): Promise<string>; signMessage(m: string): Promise<string> },
        tamper?: (m: string) => string,
      ) => {
        const c = (await (
          await fetch(`${o.url}/auth/challenge?address=${await signer.getAddress()}&dealId=${deal.dealId}`)
        ).json()) as { message: string };
        const msg = tamper ? tamper(c.message) : c.message;
        const sig = await signer.signMessage(msg);
        return fetch(`${o.url}/deals/${deal.dealId}/transcript`, {
          headers: {
            "x-dealproof-message": Buffer.from(msg).toString("base64"),
            "x-dealproof-signature": sig,
          },
        });
      };
      const buyer = at(env.signers, 7);
      const ok = await read(buyer);
      expect(ok.status).to.equal(200);
      const body = (await ok.json()) as { transcriptJson: string };
      expect(JSON.parse(body.transcriptJson).entries.length).to.be.greaterThan(0);
      expect((await read(at(env.signers, 3))).status).to.equal(200);

      const stranger = Wallet.createRandom();
      const refused = await read(stranger);
      expect(refused.status).to.equal(403);
      expect((await read(buyer, (m) => m.replace("Read the", "Reed the"))).status).to.equal(401);
      expect((await fetch(`${o.url}/deals/${deal.dealId}/transcript`)).status).to.equal(401);

      // a challenge is single-use
      const c = (await (
        await fetch(`${o.url}/auth/challenge?address=${await buyer.getAddress()}&dealId=${deal.dealId}`)
      ).json()) as { message: string };
      const sig = await buyer.signMessage(c.message);
      const headers = {
        "x-dealproof-message": Buffer.from(c.message).toString("base64"),
        "x-dealproof-signature": sig,
      };
      expect((await fetch(`${o.url}/deals/${deal.dealId}/transcript`, { headers })).status).to.equal(200);
      expect((await fetch(`${o.url}/deals/${deal.dealId}/transcript`, { headers })).status).to.equal(401);
    } finally {
      await o.stop();
    }
  });
});
