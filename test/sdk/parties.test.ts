/**
 * The SDK's parties' client (sdk/src/parties.ts), the one createDeal / acceptDeal the dapp, the
 * tasks and the demo call: it seals only to a live oracle registration, the sealed inputs open
 * with the oracle's key for exactly this deal and carry what the party gave (the buyer's checks
 * too), prepareDeal moves nothing before `send`, and a plain ethers Contract over a provider (as
 * the dapp holds DealProof) works like TypeChain's.
 */
import { expect } from "chai";
import { Contract, getBytes, hexlify } from "ethers";
import { deployFixture, registerOracle, dataRoot, TTL, type Fixture } from "../fixtures/deal-proof.ts";
import { acceptDeal, createDeal, prepareDeal } from "../../sdk/src/parties.ts";
import { DEAL_PROOF_ABI } from "../../sdk/src/abi.ts";
import { checks } from "../../sdk/src/checks.ts";
import { openBuyerInput, openSellerInput } from "../../sdk/src/inputs.ts";
import { x25519KeyPairFromSeed, type X25519KeyPair } from "../../sdk/src/hpke.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
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

describe("sdk parties: createDeal / acceptDeal seal what the party gave, for this deal only", () => {
  let f: Fixture;
  let oracle: X25519KeyPair;
  const sealedOf = async (event: "DealCreated" | "DealAccepted", dealId: bigint) => {
    const filter =
      event === "DealCreated"
        ? f.dealProof.filters.DealCreated(dealId)
        : f.dealProof.filters.DealAccepted(dealId);
    const [log] = await f.dealProof.queryFilter(filter);
    const a = (log as unknown as { args: { sealedBuyerInput?: string; sealedSellerInput?: string } }).args;
    return getBytes((a.sealedBuyerInput ?? a.sealedSellerInput)!);
  };
  /** A deal's terms for data root `n`, due in `hours`: 0.1 ETH escrowed, a 0.01 ETH budget. */
  const terms = async (n: number, hours = 1) => ({
    seller: f.seller.address,
    dataRoot: dataRoot(n),
    escrowWei: 10n ** 17n,
    deadline: (await f.networkHelpers.time.latest()) + hours * 3600,
    budgetWei: 10n ** 16n,
    requirements: "csv",
  });
  beforeEach(async () => {
    f = await deployFixture();
    oracle = await x25519KeyPairFromSeed(new Uint8Array(32).fill(9));
    await registerOracle(f, hexlify(oracle.publicKey) as `0x${string}`);
  });

  it("the buyer's input opens with the oracle's key for this deal and carries the checks and the seller domain", async () => {
    const spec = checks().rowCount({ min: 10 }).column("a", "string").build();
    const deadline = (await f.networkHelpers.time.latest()) + 7200;
    const d = await createDeal(connectDealProof(f.address, f.buyer), f.buyer, {
      seller: f.seller.address,
      dataRoot: dataRoot(4),
      escrowWei: 3n * 10n ** 17n,
      deadline,
      budgetWei: 2n * 10n ** 17n,
      requirements: "two columns",
      requireSellerDomain: "example.com",
      checks: spec,
    });
    expect(d.dealId).to.equal(
      await f.dealProof.dealIdFor(f.buyer.address, f.seller.address, dataRoot(4), deadline),
    );
    expect(d.receipt.status).to.equal(1);
    const ctx = { chainId: f.chainId, contract: f.address, dealId: d.dealId };
    const opened = await openBuyerInput(oracle.privateKey, ctx, await sealedOf("DealCreated", d.dealId));
    expect(opened).to.deep.equal({
      v: 1,
      budgetWei: (2n * 10n ** 17n).toString(),
      requirements: "two columns",
      deliveryPublicKey: hexlify(d.delivery.publicKey),
      requireSellerDomain: "example.com",
      checks: spec,
    });
    // bound to the deal: the same bytes do not open for another deal id
    const other = await openBuyerInput(
      oracle.privateKey,
      { ...ctx, dealId: d.dealId + 1n },
      await sealedOf("DealCreated", d.dealId),
    ).catch((e: unknown) => e);
    expect(isDealProofError(other, "sealed_input.cannot_open"), String(other)).to.equal(true);
    // a second deal with the same seller, root and deadline is refused before anything is sent
    const again = await createDeal(connectDealProof(f.address, f.buyer), f.buyer, {
      seller: f.seller.address,
      dataRoot: dataRoot(4),
      escrowWei: 1n,
      deadline,
      budgetWei: 1n,
      requirements: "x",
    }).catch((e: unknown) => e);
    expect(isDealProofError(again, "deal.exists"), String(again)).to.equal(true);
  });

  it("prepareDeal moves nothing until send, over a plain ethers Contract on a provider (as the dapp holds it)", async () => {
    const plain = new Contract(f.address, DEAL_PROOF_ABI, f.ethers.provider);
    const delivery = await x25519KeyPairFromSeed(new Uint8Array(32).fill(3));
    const p = await prepareDeal(plain, f.buyer, {
      ...(await terms(5)),
      delivery,
      requireSellerDomain: false,
    });
    expect(p.delivery).to.equal(delivery);
    expect(await f.ethers.provider.getBalance(f.address), "nothing escrowed before send").to.equal(0n);
    expect((await f.dealProof.getDeal(p.dealId)).state).to.equal(0n);
    const receipt = await p.send();
    expect(receipt.status).to.equal(1);
    expect(await f.ethers.provider.getBalance(f.address)).to.equal(10n ** 17n);
    expect(hexlify(await sealedOf("DealCreated", p.dealId))).to.equal(hexlify(p.sealed));
    const opened = await openBuyerInput(
      oracle.privateKey,
      { chainId: f.chainId, contract: f.address, dealId: p.dealId },
      p.sealed,
    );
    expect(opened.deliveryPublicKey).to.equal(hexlify(delivery.publicKey));
    expect(opened).to.not.have.property("requireSellerDomain");
    expect(opened).to.not.have.property("checks");
  });

  it("the seller's input opens with the oracle's key for this deal; a stale registration is refused", async () => {
    const d = await createDeal(connectDealProof(f.address, f.buyer), f.buyer, await terms(6));
    const input = {
      floorWei: "5000",
      description: "six rows",
      dataset: {
        location: "https://example.com/d.enc",
        key: hexlify(new Uint8Array(32).fill(1)),
        chunkSize: 4096,
      },
    };
    const plain = new Contract(f.address, DEAL_PROOF_ABI, f.ethers.provider);
    const receipt = await acceptDeal(plain, f.seller, d.dealId, input);
    expect(receipt.status).to.equal(1);
    expect((await f.dealProof.getDeal(d.dealId)).state).to.equal(2n);
    const opened = await openSellerInput(
      oracle.privateKey,
      { chainId: f.chainId, contract: f.address, dealId: d.dealId },
      await sealedOf("DealAccepted", d.dealId),
    );
    expect(opened).to.deep.equal({ v: 1, ...input });

    const d2 = await createDeal(connectDealProof(f.address, f.buyer), f.buyer, await terms(7, 30 * 24));
    await f.networkHelpers.time.increase(Number(TTL) + 1);
    await rejects(acceptDeal(plain, f.seller, d2.dealId, input), /the oracle's registration expired/);
    expect((await f.dealProof.getDeal(d2.dealId)).state, "still open").to.equal(1n);
  });
});
