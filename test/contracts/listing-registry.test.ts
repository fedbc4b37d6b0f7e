/**
 * ListingRegistry, the listings of DealProof (DESIGN.md §11): publish, update, withdraw and
 * re-publish a listing; deals created against it (Accepted from the start, settled by signature
 * or quote, refunded after their deadline, withdrawn); expiry; a listing whose key no live
 * registration carries (RepublishNeeded, ListingKeyRetired) and its recovery by an update; and
 * encryptionKeyLiveUntil. Every refusal names its custom error and shows that nothing changed.
 */
import { expect } from "chai";
import { hexlify, randomBytes, type Signer } from "ethers";
import {
  deployFixture,
  outcome,
  registerOracle,
  sign,
  attest,
  dataRoot,
  ESCROW,
  TTL,
  DAY,
  ACCEPTED,
  SETTLED,
  REFUNDED,
  state,
  payouts,
  type Fixture,
} from "../fixtures/deal-proof.ts";
import type { Hex } from "../../sdk/src/eip712.ts";

const NEGOTIATED = 0n,
  POSTED = 1n;
const [NONE, ACTIVE, WITHDRAWN, EXPIRED, REPUBLISH] = [0n, 1n, 2n, 3n, 4n];
const PRICE = 4n * 10n ** 17n;

type Terms = {
  mode: bigint;
  postedPrice: bigint;
  expiresAt: number;
  chunkSize: number;
  chunkCount: number;
  byteSize: number;
  encryptionKey: Hex;
  metadataURI: string;
};

function terms(key: Hex, over: Partial<Terms> = {}): Terms {
  return {
    mode: POSTED,
    postedPrice: PRICE,
    expiresAt: 0,
    chunkSize: 65_536,
    chunkCount: 3,
    byteSize: 150_000,
    encryptionKey: key,
    metadataURI: "ipfs://bafy-listing",
    ...over,
  };
}

const asTuple = (t: Terms) => [
  t.mode,
  t.postedPrice,
  BigInt(t.expiresAt),
  BigInt(t.chunkSize),
  BigInt(t.chunkCount),
  BigInt(t.byteSize),
  t.encryptionKey,
  t.metadataURI,
];

/** getListing as a plain array: seller, root, version, mode, price, expiry, key, status. */
async function listingOf(f: Fixture, id: bigint) {
  const l = await f.dealProof.getListing(id);
  return [l.seller, l.dataRoot, l.version, l.mode, l.postedPrice, l.expiresAt, l.encryptionKey, l.status];
}

describe("DealProof: listings", () => {
  /** What listingOf reports for the fixture seller's posted listing of dataRoot() that never expires. */
  const listed = (version: bigint, price: bigint, encryptionKey: Hex, status: bigint) => [
    f.seller.address,
    dataRoot(),
    version,
    POSTED,
    price,
    0n,
    encryptionKey,
    status,
  ];
  let f: Fixture;
  let key: Hex;
  let id: bigint;
  beforeEach(async () => {
    f = await deployFixture();
    key = await registerOracle(f);
    id = await f.dealProof.listingIdFor(f.seller.address, dataRoot());
  });

  const publish = (
    t: Partial<Terms> = {},
    input = "0x5e11e5",
    seller: Signer = f.seller,
    root = dataRoot(),
  ) => f.dealProof.connect(seller).publishListing(root, terms(key, t), input);

  /** Buys listing `id` at `version`; returns the deal id and deadline. */
  async function buy(opts: { version?: number; escrow?: bigint; buyer?: Signer; duration?: number } = {}) {
    const buyer = opts.buyer ?? f.buyer;
    const deadline = (await f.networkHelpers.time.latest()) + (opts.duration ?? 3600);
    const dealId: bigint = await f.dealProof.dealIdFor(
      await buyer.getAddress(),
      f.seller.address,
      dataRoot(),
      deadline,
    );
    const tx = await f.dealProof
      .connect(buyer)
      .createDealFromListing(id, opts.version ?? 1, deadline, "0xb0b0", { value: opts.escrow ?? ESCROW });
    return { dealId, deadline, tx };
  }

  describe("publishListing", () => {
    it("stores the listing under listingIdFor at version 1 and emits its terms and sealed input", async () => {
      const tx = await publish();
      await expect(tx)
        .to.emit(f.dealProof, "ListingPublished")
        .withArgs(id, f.seller.address, dataRoot(), 1, asTuple(terms(key)), "0x5e11e5");
      expect(await listingOf(f, id)).to.deep.equal(listed(1n, PRICE, key, ACTIVE));
      // the id is keccak256(abi.encode(chainId, contract, seller, dataRoot)), known before publishing
      const coder = f.ethers.AbiCoder.defaultAbiCoder();
      const expected = f.ethers.keccak256(
        coder.encode(
          ["uint256", "address", "address", "bytes32"],
          [f.chainId, f.address, f.seller.address, dataRoot()],
        ),
      );
      expect(id).to.equal(BigInt(expected));
      expect(
        await f.dealProof.connect(f.seller).publishListing.staticCall(dataRoot(2), terms(key), "0x"),
      ).to.equal(await f.dealProof.listingIdFor(f.seller.address, dataRoot(2)));
    });

    it("a negotiated listing has no price; another seller may list the same root (another id)", async () => {
      await publish({ mode: NEGOTIATED, postedPrice: 0n });
      const l = await f.dealProof.getListing(id);
      expect([l.mode, l.postedPrice, l.status]).to.deep.equal([NEGOTIATED, 0n, ACTIVE]);
      await publish({}, "0x", f.stranger);
      const other = await f.dealProof.listingIdFor(f.stranger.address, dataRoot());
      expect(other).to.not.equal(id);
      expect((await f.dealProof.getListing(other)).seller).to.equal(f.stranger.address);
    });

    it("refuses the same root again while the listing is live (ListingExists) and keeps the first", async () => {
      await publish();
      await expect(publish({ postedPrice: 1n }, "0x99"))
        .to.be.revertedWithCustomError(f.dealProof, "ListingExists")
        .withArgs(id);
      expect(await listingOf(f, id)).to.deep.equal(listed(1n, PRICE, key, ACTIVE));
    });

    it("re-publishing a withdrawn root brings it back Active at the next version", async () => {
      await publish();
      await f.dealProof.connect(f.seller).withdrawListing(id);
      const t = { postedPrice: 2n * PRICE };
      await expect(publish(t, "0x77"))
        .to.emit(f.dealProof, "ListingPublished")
        .withArgs(id, f.seller.address, dataRoot(), 2, asTuple(terms(key, t)), "0x77");
      const l = await f.dealProof.getListing(id);
      expect([l.version, l.postedPrice, l.status]).to.deep.equal([2n, 2n * PRICE, ACTIVE]);
    });

    it("refuses bad terms, each with its custom error, and stores nothing", async () => {
      const now = await f.networkHelpers.time.latest();
      const unregistered = hexlify(randomBytes(32)) as Hex;
      const cases: [Partial<Terms>, string, unknown[]][] = [
        [{ mode: POSTED, postedPrice: 0n }, "InvalidPricing", [POSTED, 0n]],
        [{ mode: NEGOTIATED, postedPrice: 5n }, "InvalidPricing", [NEGOTIATED, 5n]],
        [{ expiresAt: now }, "InvalidListingExpiry", [now]],
        [{ chunkSize: 0 }, "InvalidChunkLayout", []],
        [{ chunkCount: 0 }, "InvalidChunkLayout", []],
        [{ byteSize: 3 * 65_536 + 1 }, "InvalidChunkLayout", []], // more than three chunks hold
        [{ byteSize: 2 * 65_536 }, "InvalidChunkLayout", []], // the third chunk would be empty
        [{ metadataURI: "x".repeat(513) }, "MetadataTooLong", [513]],
        [{ encryptionKey: unregistered }, "EncryptionKeyNotLive", [unregistered]],
      ];
      for (const [t, error, args] of cases) {
        await expect(publish(t), error)
          .to.be.revertedWithCustomError(f.dealProof, error)
          .withArgs(...args);
      }
      await expect(f.dealProof.connect(f.seller).publishListing(dataRoot(0), terms(key), "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidDataRoot")
        .withArgs();
      await expect(publish({}, hexlify(new Uint8Array(65_537))))
        .to.be.revertedWithCustomError(f.dealProof, "SealedInputTooLarge")
        .withArgs(65_537, 65_536);
      expect((await f.dealProof.getListing(id)).status).to.equal(NONE);
      // the limits themselves pass: 512 bytes of metadata, a full last chunk, one chunk
      await publish({ metadataURI: "x".repeat(512), byteSize: 3 * 65_536 });
      await publish({ chunkCount: 1, byteSize: 1 }, "0x", f.seller, dataRoot(2));
    });

    it("refuses a key whose registrations have all expired (EncryptionKeyNotLive)", async () => {
      await f.networkHelpers.time.increase(TTL + 1);
      await expect(publish())
        .to.be.revertedWithCustomError(f.dealProof, "EncryptionKeyNotLive")
        .withArgs(key);
      expect((await f.dealProof.getListing(id)).status).to.equal(NONE);
    });
  });

  describe("updateListing and withdrawListing", () => {
    beforeEach(async () => {
      await publish();
    });

    it("an update replaces terms and input at version + 1; a deal created before keeps its version and price", async () => {
      const before = await buy();
      await expect(before.tx)
        .to.emit(f.dealProof, "ListingDealCreated")
        .withArgs(before.dealId, id, f.buyer.address, 1, ESCROW, before.deadline, "0xb0b0");
      const t = { postedPrice: 2n * PRICE, metadataURI: "https://example.org/v2" };
      await expect(f.dealProof.connect(f.seller).updateListing(id, terms(key, t), "0x22"))
        .to.emit(f.dealProof, "ListingPublished")
        .withArgs(id, f.seller.address, dataRoot(), 2, asTuple(terms(key, t)), "0x22");
      expect(await listingOf(f, id)).to.deep.equal(listed(2n, 2n * PRICE, key, ACTIVE));
      // the earlier deal is untouched: same parties, escrow, deadline, still Accepted
      const d = await f.dealProof.getDeal(before.dealId);
      expect([d.buyer, d.seller, d.escrow, d.deadline, d.state]).to.deep.equal([
        f.buyer.address,
        f.seller.address,
        ESCROW,
        BigInt(before.deadline),
        ACCEPTED,
      ]);
      // a buyer who read version 1 is refused (front-running guard) and nothing moves
      const balance = await f.ethers.provider.getBalance(f.dealProof);
      const deadline = (await f.networkHelpers.time.latest()) + 7200;
      await expect(
        f.dealProof.connect(f.stranger).createDealFromListing(id, 1, deadline, "0x", { value: ESCROW }),
      )
        .to.be.revertedWithCustomError(f.dealProof, "ListingVersionMismatch")
        .withArgs(id, 1, 2);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(balance);
      const next = await buy({ version: 2, buyer: f.stranger });
      await expect(next.tx)
        .to.emit(f.dealProof, "ListingDealCreated")
        .withArgs(next.dealId, id, f.stranger.address, 2, ESCROW, next.deadline, "0xb0b0");
    });

    it("an update checks its terms like a publication", async () => {
      await expect(f.dealProof.connect(f.seller).updateListing(id, terms(key, { mode: NEGOTIATED }), "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidPricing")
        .withArgs(NEGOTIATED, PRICE);
      expect((await f.dealProof.getListing(id)).version).to.equal(1n);
    });

    it("withdraw ends it for new buyers (ListingIsWithdrawn) and keeps the deal created before", async () => {
      const before = await buy();
      await expect(f.dealProof.connect(f.seller).withdrawListing(id))
        .to.emit(f.dealProof, "ListingWithdrawn")
        .withArgs(id, 1);
      expect((await f.dealProof.getListing(id)).status).to.equal(WITHDRAWN);
      const balance = await f.ethers.provider.getBalance(f.dealProof);
      const deadline = (await f.networkHelpers.time.latest()) + 7200;
      await expect(
        f.dealProof.connect(f.stranger).createDealFromListing(id, 1, deadline, "0x", { value: ESCROW }),
      )
        .to.be.revertedWithCustomError(f.dealProof, "ListingIsWithdrawn")
        .withArgs(id);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(balance);
      expect(await state(f, before.dealId)).to.equal(ACCEPTED);
      // it settles as usual
      const s = outcome(before.dealId);
      await f.dealProof.settleWithSignature(s, sign(f, s));
      expect(await state(f, before.dealId)).to.equal(SETTLED);
      // a withdrawn listing can be neither updated nor withdrawn again
      await expect(f.dealProof.connect(f.seller).updateListing(id, terms(key), "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "ListingIsWithdrawn")
        .withArgs(id);
      await expect(f.dealProof.connect(f.seller).withdrawListing(id))
        .to.be.revertedWithCustomError(f.dealProof, "ListingIsWithdrawn")
        .withArgs(id);
      expect(await listingOf(f, id)).to.deep.equal(listed(1n, PRICE, key, WITHDRAWN));
    });

    it("a stranger can neither update nor withdraw it (NotListingSeller); an unknown id is UnknownListing", async () => {
      const snapshot = await listingOf(f, id);
      await expect(f.dealProof.connect(f.stranger).updateListing(id, terms(key, { postedPrice: 1n }), "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "NotListingSeller")
        .withArgs(id, f.stranger.address);
      await expect(f.dealProof.connect(f.stranger).withdrawListing(id))
        .to.be.revertedWithCustomError(f.dealProof, "NotListingSeller")
        .withArgs(id, f.stranger.address);
      expect(await listingOf(f, id)).to.deep.equal(snapshot);
      await expect(f.dealProof.connect(f.seller).updateListing(id + 1n, terms(key), "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "UnknownListing")
        .withArgs(id + 1n);
      await expect(f.dealProof.connect(f.seller).withdrawListing(id + 1n))
        .to.be.revertedWithCustomError(f.dealProof, "UnknownListing")
        .withArgs(id + 1n);
    });
  });

  describe("createDealFromListing", () => {
    it("opens an Accepted deal under dealIdFor(buyer, seller, root, deadline), escrowing the value; no DealCreated or DealAccepted", async () => {
      await publish();
      const { dealId, deadline, tx } = await buy();
      await expect(tx).to.changeEtherBalances(f.ethers, [f.buyer, f.dealProof], [-ESCROW, ESCROW]);
      await expect(tx).to.not.emit(f.dealProof, "DealCreated");
      await expect(tx).to.not.emit(f.dealProof, "DealAccepted");
      const d = await f.dealProof.getDeal(dealId);
      expect([d.buyer, d.seller, d.escrow, d.deadline, d.state]).to.deep.equal([
        f.buyer.address,
        f.seller.address,
        ESCROW,
        BigInt(deadline),
        ACCEPTED,
      ]);
      // the seller is never asked: acceptDeal on it is refused
      await expect(f.dealProof.connect(f.seller).acceptDeal(dealId, "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidState")
        .withArgs(dealId, ACCEPTED);
    });

    it("settles by signature: the seller is paid the price, the buyer the rest, both withdraw", async () => {
      await publish();
      const { dealId } = await buy();
      const s = outcome(dealId, { price: PRICE });
      await f.dealProof.settleWithSignature(s, sign(f, s));
      expect(await payouts(f, dealId)).to.deep.equal([ESCROW - PRICE, PRICE]);
      await expect(f.dealProof.connect(f.seller).withdraw(dealId)).to.changeEtherBalances(
        f.ethers,
        [f.seller, f.dealProof],
        [PRICE, -PRICE],
      );
      await expect(f.dealProof.connect(f.buyer).withdraw(dealId)).to.changeEtherBalances(
        f.ethers,
        [f.buyer, f.dealProof],
        [ESCROW - PRICE, -(ESCROW - PRICE)],
      );
      expect(await payouts(f, dealId)).to.deep.equal([0n, 0n]);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(0n);
      // a stranger has nothing to withdraw
      await expect(f.dealProof.connect(f.stranger).withdraw(dealId))
        .to.be.revertedWithCustomError(f.dealProof, "NotParty")
        .withArgs(dealId, f.stranger.address);
    });

    it("settles by quote; a wrong root is DataRootMismatch (the id commits to the listing's root)", async () => {
      await publish({ mode: NEGOTIATED, postedPrice: 0n });
      const { dealId } = await buy();
      const wrong = outcome(dealId, { dataRoot: dataRoot(7) });
      await attest(f, wrong);
      await expect(f.dealProof.settleWithQuote(wrong, "0x01"))
        .to.be.revertedWithCustomError(f.dealProof, "DataRootMismatch")
        .withArgs(dealId, dataRoot(7));
      expect(await state(f, dealId)).to.equal(ACCEPTED);
      const s = outcome(dealId, { agreed: false, price: 0n, delivery: "0x" });
      await attest(f, s);
      await expect(f.dealProof.settleWithQuote(s, "0x01")).to.emit(f.dealProof, "DealSettled");
      expect(await payouts(f, dealId)).to.deep.equal([ESCROW, 0n]);
    });

    it("an unsettled listing deal is refunded after its deadline, and the buyer withdraws all", async () => {
      await publish();
      const { dealId, deadline } = await buy();
      await expect(f.dealProof.refund(dealId))
        .to.be.revertedWithCustomError(f.dealProof, "DeadlineNotPassed")
        .withArgs(dealId, deadline);
      await f.networkHelpers.time.increaseTo(deadline + 1);
      await expect(f.dealProof.refund(dealId)).to.emit(f.dealProof, "DealRefunded").withArgs(dealId, ESCROW);
      expect(await state(f, dealId)).to.equal(REFUNDED);
      await expect(f.dealProof.connect(f.seller).withdraw(dealId)).to.be.revertedWithCustomError(
        f.dealProof,
        "NothingToWithdraw",
      );
      await expect(f.dealProof.connect(f.buyer).withdraw(dealId)).to.changeEtherBalances(
        f.ethers,
        [f.buyer, f.dealProof],
        [ESCROW, -ESCROW],
      );
    });

    it("many buyers buy the same listing, each its own deal", async () => {
      await publish();
      const a = await buy();
      const b = await buy({ buyer: f.stranger });
      expect(a.dealId).to.not.equal(b.dealId);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(2n * ESCROW);
      // the same buyer with the same deadline would be the same deal (DealExists)
      await expect(
        f.dealProof.connect(f.buyer).createDealFromListing(id, 1, a.deadline, "0x", { value: ESCROW }),
      )
        .to.be.revertedWithCustomError(f.dealProof, "DealExists")
        .withArgs(a.dealId);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(2n * ESCROW);
    });

    it("refuses a posted price above the escrow (EscrowBelowPostedPrice); exactly the price is enough", async () => {
      await publish();
      const deadline = (await f.networkHelpers.time.latest()) + 3600;
      await expect(
        f.dealProof.connect(f.buyer).createDealFromListing(id, 1, deadline, "0x", { value: PRICE - 1n }),
      )
        .to.be.revertedWithCustomError(f.dealProof, "EscrowBelowPostedPrice")
        .withArgs(PRICE - 1n, PRICE);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(0n);
      const { dealId } = await buy({ escrow: PRICE });
      expect((await f.dealProof.getDeal(dealId)).escrow).to.equal(PRICE);
    });

    it("refuses the seller buying its own listing (InvalidSeller), an unknown listing, and bad escrow, deadline or input", async () => {
      await publish();
      const now = await f.networkHelpers.time.latest();
      const cases: [Signer, bigint, number, number, string, string, unknown[]][] = [
        [f.seller, id, 1, now + 3600, "0x", "InvalidSeller", [f.seller.address]],
        [f.buyer, id + 1n, 1, now + 3600, "0x", "UnknownListing", [id + 1n]],
        [f.buyer, id, 1, now, "0x", "InvalidDeadline", [now]],
        [f.buyer, id, 1, now + 366 * DAY, "0x", "InvalidDeadline", [now + 366 * DAY]],
        [
          f.buyer,
          id,
          1,
          now + 3600,
          hexlify(new Uint8Array(65_537)),
          "SealedInputTooLarge",
          [65_537, 65_536],
        ],
      ];
      for (const [who, listing, version, deadline, input, error, args] of cases) {
        await expect(
          f.dealProof
            .connect(who)
            .createDealFromListing(listing, version, deadline, input, { value: ESCROW }),
          error,
        )
          .to.be.revertedWithCustomError(f.dealProof, error)
          .withArgs(...args);
      }
      await expect(
        f.dealProof.connect(f.buyer).createDealFromListing(id, 1, now + 3600, "0x", { value: 2n ** 88n }),
      )
        .to.be.revertedWithCustomError(f.dealProof, "InvalidEscrow")
        .withArgs(2n ** 88n);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(0n);
      // a negotiated listing has no price floor on-chain: an escrow of 0 is InvalidEscrow
      await f.dealProof
        .connect(f.seller)
        .updateListing(id, terms(key, { mode: NEGOTIATED, postedPrice: 0n }), "0x");
      await expect(f.dealProof.connect(f.buyer).createDealFromListing(id, 2, now + 3600, "0x", { value: 0n }))
        .to.be.revertedWithCustomError(f.dealProof, "InvalidEscrow")
        .withArgs(0n);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(0n);
    });
  });

  describe("expiry and key retirement", () => {
    it("a listing past its expiry is Expired and cannot be bought (ListingExpired); an update renews it", async () => {
      const expiresAt = (await f.networkHelpers.time.latest()) + 1000;
      await publish({ expiresAt });
      await f.networkHelpers.time.increaseTo(expiresAt);
      expect((await f.dealProof.getListing(id)).status).to.equal(ACTIVE); // the last second still sells
      await f.networkHelpers.time.increaseTo(expiresAt + 1);
      expect((await f.dealProof.getListing(id)).status).to.equal(EXPIRED);
      const deadline = expiresAt + 3600;
      await expect(
        f.dealProof.connect(f.buyer).createDealFromListing(id, 1, deadline, "0x", { value: ESCROW }),
      )
        .to.be.revertedWithCustomError(f.dealProof, "ListingExpired")
        .withArgs(id, expiresAt);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(0n);
      // still the seller's: publishing the root again is ListingExists, updating it works
      await expect(publish()).to.be.revertedWithCustomError(f.dealProof, "ListingExists").withArgs(id);
      await f.dealProof.connect(f.seller).updateListing(id, terms(key), "0x");
      expect((await f.dealProof.getListing(id)).status).to.equal(ACTIVE);
      await buy({ version: 2 });
    });

    it("once no live registration carries its key: RepublishNeeded, ListingKeyRetired; Active again after an update sealed to a live key", async () => {
      await publish();
      const liveUntil = Number(await f.dealProof.encryptionKeyLiveUntil(key));
      await f.networkHelpers.time.increaseTo(liveUntil + 1);
      expect((await f.dealProof.getListing(id)).status).to.equal(REPUBLISH);
      const deadline = liveUntil + 3600;
      await expect(
        f.dealProof.connect(f.buyer).createDealFromListing(id, 1, deadline, "0x", { value: ESCROW }),
      )
        .to.be.revertedWithCustomError(f.dealProof, "ListingKeyRetired")
        .withArgs(id, key);
      expect(await f.ethers.provider.getBalance(f.dealProof)).to.equal(0n);
      // an update sealed to the old key is refused; to a newly registered one it is Active
      await expect(f.dealProof.connect(f.seller).updateListing(id, terms(key), "0x"))
        .to.be.revertedWithCustomError(f.dealProof, "EncryptionKeyNotLive")
        .withArgs(key);
      expect((await f.dealProof.getListing(id)).version).to.equal(1n);
      const newKey = await registerOracle(f);
      await f.dealProof.connect(f.seller).updateListing(id, terms(newKey), "0x33");
      expect(await listingOf(f, id)).to.deep.equal(listed(2n, PRICE, newKey, ACTIVE));
      await buy({ version: 2 });
    });

    it("a renewal with the same key keeps its listings live: encryptionKeyLiveUntil is the latest issuedAt + the TTL in force", async () => {
      expect(await f.dealProof.encryptionKeyLiveUntil(hexlify(randomBytes(32)))).to.equal(0n);
      const first = await f.dealProof.registrationOf(f.oracle.address);
      expect(await f.dealProof.encryptionKeyLiveUntil(key)).to.equal(first.issuedAt + BigInt(TTL));
      await publish();
      await f.networkHelpers.time.increase(TTL - 100);
      // the same key, renewed by a second signer: the later issuedAt wins
      const other = f.ethers.Wallet.createRandom().address;
      const renewedAt = await f.networkHelpers.time.latest();
      await registerOracle(f, key, { signer: other, issuedAt: renewedAt });
      expect(await f.dealProof.encryptionKeyLiveUntil(key)).to.equal(BigInt(renewedAt + TTL));
      await f.networkHelpers.time.increase(200);
      expect((await f.dealProof.getListing(id)).status).to.equal(ACTIVE);
      // the first signer re-registers with another key: the older issuedAt does not lower the key's
      await registerOracle(f, hexlify(randomBytes(32)) as Hex);
      expect(await f.dealProof.encryptionKeyLiveUntil(key)).to.equal(BigInt(renewedAt + TTL));
      // shortening the TTL shortens it at once
      await f.dealProof.shortenRegistrationTtl(3600);
      expect(await f.dealProof.encryptionKeyLiveUntil(key)).to.equal(BigInt(renewedAt + 3600));
      expect((await f.dealProof.getListing(id)).status).to.equal(ACTIVE);
      await f.networkHelpers.time.increaseTo(renewedAt + 3601);
      expect((await f.dealProof.getListing(id)).status).to.equal(REPUBLISH);
    });

    it("getListing of an unknown id is all zero with status None", async () => {
      expect(await listingOf(f, 123n)).to.deep.equal([
        "0x0000000000000000000000000000000000000000",
        `0x${"00".repeat(32)}`,
        0n,
        0n,
        0n,
        0n,
        `0x${"00".repeat(32)}`,
        NONE,
      ]);
    });
  });
});
