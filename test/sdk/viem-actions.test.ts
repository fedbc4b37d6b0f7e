/**
 * The viem entry's actions against a local chain (a fresh DealProof with a registered oracle
 * whose HPKE key we hold), through a viem client over the node's EIP-1193 provider as a dapp's
 * wallet would give it: the buyer creates (the delivery key handed out before any escrow moves,
 * the input opening in the oracle), the seller accepts, the deal turns refundable by chain time,
 * is refunded and withdrawn; watchDeal reports exactly this deal's events of the names asked for;
 * reverts are DealProofErrors naming the contract's error with a dapp-worded hint; the decorator
 * binds the address once.
 */
import { expect } from "chai";
import type { Address, Hex } from "viem";
import { getBytes, hexlify } from "ethers";
import { dataRoot } from "../fixtures/deal-proof.ts";
import { viemChain, until } from "../fixtures/viem-chain.ts";
import { openBuyerInput, openSellerInput } from "../../sdk/src/inputs.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
import {
  acceptDeal,
  createDeal,
  dealProofActions,
  getDealStatus,
  refund,
  watchDeal,
  withdraw,
  type DealEvent,
} from "../../sdk/src/viem/index.ts";

const chain = () => viemChain(9);

describe("dealproof/viem: the deal actions on a local chain", function () {
  this.timeout(120_000);

  it("create, accept, refundable by chain time, refund, withdraw; watchDeal sees this deal's events only", async () => {
    const { f, oracleKeys, buyer, seller, address } = await chain();
    const sellerAddr = seller.account.address;
    const seen: DealEvent[] = [];
    const other: DealEvent[] = [];
    const now = BigInt(await f.networkHelpers.time.latest());
    const deadline = now + 3600n;
    let savedAt = -1n;
    let saved: Hex | undefined;
    const created = await createDeal(buyer, {
      address,
      seller: sellerAddr,
      dataRoot: dataRoot(4),
      deadline,
      escrowWei: 10n ** 18n,
      budgetWei: 6n * 10n ** 17n,
      requirements: "street images",
      extra: { requireSellerDomain: "example.com" },
      saveDeliveryKey: async (k) => {
        saved = k;
        savedAt = await f.ethers.provider.getBalance(address);
      },
    });
    expect(savedAt, "the key was handed out while the contract held no escrow").to.equal(0n);
    expect(saved).to.equal(hexlify(created.delivery.privateKey));
    await buyer.waitForTransactionReceipt({ hash: created.hash });
    const ctx = { chainId: f.chainId, contract: f.address, dealId: created.dealId };
    const opened = await openBuyerInput(oracleKeys.privateKey, ctx, getBytes(created.sealed));
    expect([opened.budgetWei, opened.requireSellerDomain]).to.deep.equal([
      (6n * 10n ** 17n).toString(),
      "example.com",
    ]);
    expect(created.dealId).to.equal(
      await f.dealProof.dealIdFor(f.buyer.address, sellerAddr, dataRoot(4), deadline),
    );

    const unwatch = watchDeal(buyer, {
      address,
      dealId: created.dealId,
      events: ["DealAccepted", "DealRefunded", "Withdrawn"],
      onEvent: (e) => seen.push(e),
    });
    const unwatchAll = watchDeal(buyer, { address, dealId: 12345n, onEvent: (e) => other.push(e) });
    try {
      expect((await getDealStatus(buyer, { address, dealId: created.dealId })).status).to.equal("open");
      const accepted = await acceptDeal(seller, {
        address,
        dealId: created.dealId,
        input: {
          floorWei: "1",
          description: "12k labelled images",
          dataset: {
            location: "https://example.com/d.enc",
            key: hexlify(new Uint8Array(32).fill(3)),
            chunkSize: 65536,
          },
        },
      });
      await seller.waitForTransactionReceipt({ hash: accepted });
      const [log] = await f.dealProof.queryFilter(f.dealProof.filters.DealAccepted(created.dealId));
      const sellerInput = await openSellerInput(
        oracleKeys.privateKey,
        ctx,
        getBytes((log as unknown as { args: { sealedSellerInput: string } }).args.sealedSellerInput),
      );
      expect(sellerInput.description).to.equal("12k labelled images");
      const acc = await getDealStatus(buyer, { address, dealId: created.dealId });
      expect([acc.status, acc.refundable, acc.deal.state]).to.deep.equal(["accepted", false, "Accepted"]);

      // a refund before the deadline reverts, named and hinted for a dapp
      const early = await refund(buyer, { address, dealId: created.dealId }).catch((e: unknown) => e);
      expect(isDealProofError(early, "chain.reverted")).to.equal(true);
      expect((early as Error).message).to.match(/DeadlineNotPassed\(/);
      expect((early as { hint: string }).hint).to.equal("a refund is possible only after the deadline");

      await f.networkHelpers.time.increaseTo(deadline + 1n);
      const late = await getDealStatus(buyer, { address, dealId: created.dealId });
      expect([late.status, late.refundable, late.deal.state]).to.deep.equal(["refundable", true, "Accepted"]);
      expect(late.words).to.match(/passed its deadline unsettled: refund\(dealId\) returns the escrow/);

      await buyer.waitForTransactionReceipt({
        hash: await refund(seller, { address, dealId: created.dealId }),
      });
      const refunded = await getDealStatus(buyer, { address, dealId: created.dealId });
      expect([refunded.status, refunded.deal.buyerPayout]).to.deep.equal(["refunded", 10n ** 18n]);
      await buyer.waitForTransactionReceipt({
        hash: await withdraw(buyer, { address, dealId: created.dealId }),
      });
      expect((await getDealStatus(buyer, { address, dealId: created.dealId })).deal.buyerPayout).to.equal(0n);

      await until(() => seen.length >= 3);
      expect(seen.map((e) => e.eventName)).to.deep.equal(["DealAccepted", "DealRefunded", "Withdrawn"]);
      expect(seen.every((e) => e.args.dealId === created.dealId)).to.equal(true);
      expect(other).to.deep.equal([]);
    } finally {
      unwatch();
      unwatchAll();
    }
  });

  it("withdrawMany: one transaction pays the sender's payouts of several deals; again, it is refused with a dapp hint", async () => {
    const { f, buyer, seller, address } = await chain();
    const dp = buyer.extend(dealProofActions({ address }));
    const deadline = BigInt(await f.networkHelpers.time.latest()) + 3600n;
    const ids = [];
    for (const root of [6, 7]) {
      const created = await dp.createDeal({
        seller: seller.account.address,
        dataRoot: dataRoot(root),
        deadline,
        escrowWei: 10n ** 17n,
        budgetWei: 10n ** 17n,
        requirements: "street images",
      });
      await buyer.waitForTransactionReceipt({ hash: created.hash });
      ids.push(created.dealId);
    }
    await f.networkHelpers.time.increaseTo(deadline + 1n);
    for (const dealId of ids) await buyer.waitForTransactionReceipt({ hash: await dp.refund({ dealId }) });
    const before = await f.ethers.provider.getBalance(address);
    const receipt = await buyer.waitForTransactionReceipt({ hash: await dp.withdrawMany({ dealIds: ids }) });
    expect(receipt.status).to.equal("success");
    expect(before - (await f.ethers.provider.getBalance(address))).to.equal(2n * 10n ** 17n);
    for (const dealId of ids) expect((await dp.getDeal({ dealId })).buyerPayout).to.equal(0n);
    const again = await dp.withdrawMany({ dealIds: ids }).catch((e: unknown) => e);
    expect(isDealProofError(again, "chain.reverted")).to.equal(true);
    expect((again as Error).message).to.match(/NothingToWithdraw\(/);
    expect((again as { hint: string }).hint).to.match(/no payout left/);
    // the seller of those refunded deals is owed nothing either
    const sellerDp = seller.extend(dealProofActions({ address }));
    expect(
      await sellerDp
        .withdrawMany({ dealIds: ids, to: seller.account.address })
        .catch((e: unknown) => (e as Error).message),
    ).to.match(/NothingToWithdraw\(/);
  });

  it("the decorator binds the address; a second identical deal is refused before anything is sent", async () => {
    const { f, buyer, seller, address } = await chain();
    const dp = buyer.extend(dealProofActions({ address }));
    const deadline = BigInt(await f.networkHelpers.time.latest()) + 7200n;
    const args = {
      seller: seller.account.address,
      dataRoot: dataRoot(5),
      deadline,
      escrowWei: 10n ** 17n,
      budgetWei: 10n ** 17n,
      requirements: "anything",
    };
    const { hash, dealId } = await dp.createDeal(args);
    await buyer.waitForTransactionReceipt({ hash });
    const s = await dp.getDealStatus({ dealId });
    expect([s.status, s.deal.buyer, s.deal.escrow]).to.deep.equal(["open", f.buyer.address, 10n ** 17n]);
    expect((await dp.currentOracle()).expiresAt > 0n).to.equal(true);
    let saved = false;
    const again = await dp
      .createDeal({ ...args, saveDeliveryKey: () => void (saved = true) })
      .catch((e: unknown) => e);
    expect(isDealProofError(again, "deal.exists")).to.equal(true);
    expect((again as { hint: string }).hint).to.equal("choose another deadline");
    expect(saved).to.equal(false);
    // a stranger cannot cancel: the contract's NotParty, with a hint in a dapp's words
    const stranger = buyer.extend(dealProofActions({ address }));
    const notParty = await stranger
      .cancelDeal({ dealId, account: (await f.stranger.getAddress()) as Address })
      .catch((e: unknown) => e);
    expect((notParty as Error).message).to.match(/^DealProof reverted: NotParty\(/);
    expect((notParty as { hint: string }).hint).to.not.match(/--/);
    // a bad input is refused with the field named, nothing sent
    const bad = await dp
      .createDeal({ ...args, deadline: deadline + 1n, requirements: "" })
      .catch((e: unknown) => e);
    expect(isDealProofError(bad, "sealed_input.invalid_schema")).to.equal(true);
    expect((bad as Error).message).to.equal("the buyer input is invalid: requirements: must not be empty");
    expect(await f.ethers.provider.getBalance(address)).to.equal(10n ** 17n);
  });
});
