/**
 * The viem entry (sdk/src/viem) against the `dealproof` entry it must agree with: its module
 * graph reaches neither ethers nor zod (esbuild's metafile of a bundle of it); deal and listing
 * ids, sealing contexts and the settlement digest are byte for byte the ethers ones; what it seals
 * opens with the oracle's (zod) open functions; its hand-written input checks refuse what the zod
 * schemas refuse, naming the same fields; and no hint anywhere in the SDK's sources names a CLI
 * flag (`--…`): the SDK's errors are read by dapp developers.
 */
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { bundledInputs } from "../helpers.ts";
import { getBytes, hexlify, randomBytes } from "ethers";
import type { Hex } from "viem";
import {
  dealIdFor as ethersDealId,
  dealProofDomain,
  settlementDigest as ethersDigest,
} from "../../sdk/src/eip712.ts";
import {
  buyerInputSchema,
  listingSealInfo as ethersListingInfo,
  openBuyerInput,
  openListingSellerInput,
  openSellerInput,
  sealInfo,
  sellerInputSchema,
  type BuyerInput as ZodBuyerInput,
  type SellerInput as ZodSellerInput,
} from "../../sdk/src/inputs.ts";
import { hpkeSeal, x25519KeyPairFromSeed } from "../../sdk/src/hpke.ts";
import { sealDelivery } from "../../sdk/src/delivery.ts";
import { boundInfo } from "../../sdk/src/sealed-json.ts";
import { checks } from "../../sdk/src/checks.ts";
import { describeIssues } from "../../sdk/src/zod-issues.ts";
import {
  dealIdFor,
  listingIdFor,
  openDelivery,
  sealBuyerInput,
  sealListingSellerInput,
  sealSellerInput,
  settlementDigest,
  type BuyerInput,
  type SellerInput,
} from "../../sdk/src/viem/index.ts";
import { dealSealInfo, listingSealInfo } from "../../sdk/src/viem/protocol.ts";
import { checkBuyerInput, checkSellerInput } from "../../sdk/src/viem/input-checks.ts";

const sdk = join(import.meta.dirname, "..", "..", "sdk", "src");
const contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
const target = { chainId: 31337n, contract };

const buyer: BuyerInput = {
  v: 1,
  budgetWei: "1000",
  requirements: "images",
  deliveryPublicKey: hexlify(new Uint8Array(32).fill(1)),
  requireSellerDomain: "example.com",
  budgetByScopeWei: { "research-only": "500" },
  checks: checks().rowCount({ min: 10 }).build(),
};
const seller: SellerInput = {
  v: 1,
  floorWei: "10",
  description: "a dataset",
  dataset: {
    location: "https://example.com/d.enc",
    key: hexlify(new Uint8Array(32).fill(2)),
    chunkSize: 65536,
  },
  postedPriceWei: "20",
};

// the zod-inferred types are assignable to the viem entry's plain ones (a compile-time check)
const fromZodBuyer = (b: ZodBuyerInput): BuyerInput => b;
const fromZodSeller = (s: ZodSellerInput): SellerInput => s;
void [fromZodBuyer, fromZodSeller];

describe("dealproof/viem: the entry a viem dapp imports", () => {
  it("never reaches ethers or zod (the bundle's module graph), and does reach viem and @hpke", async () => {
    const inputs = await bundledInputs(join(sdk, "viem", "index.ts"));
    expect(inputs.filter((i) => /node_modules\/(ethers|zod|@adraffy)\//.test(i))).to.deep.equal([]);
    expect(inputs.some((i) => i.includes("node_modules/viem/"))).to.equal(true);
    expect(inputs.some((i) => i.includes("node_modules/@hpke/core/"))).to.equal(true);
    // and none of the SDK's ethers/zod modules is in it
    const own = inputs.filter((i) => i.startsWith("sdk/src/")).map((i) => i.slice("sdk/src/".length));
    for (const m of ["inputs.ts", "eip712.ts", "sealed-json.ts", "checks.ts", "revert.ts", "events.ts"])
      expect(own, m).to.not.include(m);
  });

  it("computes the ethers entry's deal ids, sealing contexts and settlement digest byte for byte", () => {
    const key = {
      buyer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
      seller: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      dataRoot: hexlify(randomBytes(32)),
      deadline: 1_900_000_000n,
    } as const;
    const domain = dealProofDomain(target.chainId, contract);
    expect(dealIdFor(target, { ...key, dataRoot: key.dataRoot as Hex })).to.equal(ethersDealId(domain, key));
    for (const role of ["buyer", "seller"] as const)
      expect(hexlify(dealSealInfo(role, target, 77n))).to.equal(
        hexlify(sealInfo({ role, chainId: 31337n, contract, dealId: 77n })),
      );
    expect(hexlify(listingSealInfo(target, 5n))).to.equal(
      hexlify(ethersListingInfo({ chainId: 31337n, contract, listingId: 5n })),
    );
    const s = {
      dealId: 9n,
      agreed: true,
      price: 123n,
      termsHash: hexlify(randomBytes(32)) as Hex,
      dataRoot: hexlify(randomBytes(32)) as Hex,
      transcriptHash: hexlify(randomBytes(32)) as Hex,
      delivery: hexlify(randomBytes(40)) as Hex,
    };
    expect(settlementDigest(target, s)).to.equal(ethersDigest(domain, s));
    expect(listingIdFor(target, key.seller, key.dataRoot as Hex)).to.be.a("bigint");
  });

  it("seals inputs that the oracle's open functions accept, each only in its own context", async () => {
    const oracle = await x25519KeyPairFromSeed(new Uint8Array(32).fill(4));
    const ctx = { chainId: 31337n, contract, dealId: 42n };
    const b = await sealBuyerInput(oracle.publicKey, ctx, buyer);
    expect(await openBuyerInput(oracle.privateKey, ctx, b)).to.deep.equal(buyer);
    const s = await sealSellerInput(oracle.publicKey, ctx, seller);
    expect(await openSellerInput(oracle.privateKey, ctx, s)).to.deep.equal(seller);
    const l = await sealListingSellerInput(
      oracle.publicKey,
      { chainId: 31337n, contract, listingId: 42n },
      seller,
    );
    expect(
      await openListingSellerInput(oracle.privateKey, { chainId: 31337n, contract, listingId: 42n }, l),
    ).to.deep.equal(seller);
    // a listing's input never opens as a deal's, nor a buyer's as a seller's
    const wrong = await openSellerInput(oracle.privateKey, ctx, l).catch((e: { code: string }) => e.code);
    expect(wrong).to.equal("sealed_input.cannot_open");
    expect(await openSellerInput(oracle.privateKey, ctx, b).catch((e: { code: string }) => e.code)).to.equal(
      "sealed_input.cannot_open",
    );
  });

  it("opens the oracle's key delivery for its deal only, and refuses a malformed payload", async () => {
    const buyerKeys = await x25519KeyPairFromSeed(new Uint8Array(32).fill(6));
    const ctx = { chainId: 31337n, contract, dealId: 8n };
    const payload = {
      v: 1 as const,
      key: hexlify(new Uint8Array(32).fill(5)),
      location: "https://d.example/x.enc",
      chunkSize: 4096,
    };
    const sealed = await sealDelivery(buyerKeys.publicKey, payload, ctx);
    expect(await openDelivery(buyerKeys.privateKey, ctx, sealed)).to.deep.equal(payload);
    const other = await openDelivery(buyerKeys.privateKey, { ...ctx, dealId: 9n }, sealed).catch(
      (e: unknown) => e,
    );
    expect([(other as { code: string }).code, (other as Error).message]).to.deep.equal([
      "dataset.bad_delivery",
      `the delivery for deal 0x${"0".repeat(63)}9 does not open with this key (another buyer key or deal?)`,
    ]);
    // bytes sealed to the delivery context whose JSON is not a payload
    const info = hexlify(
      boundInfo("DealProof/delivery/v1", ["uint256", "address", "uint256"], [31337n, contract, 8n]),
    );
    const junk = await hpkeSeal(
      buyerKeys.publicKey,
      getBytes(info),
      getBytes(info),
      new TextEncoder().encode('{"v":1}'),
    );
    const bad = await openDelivery(buyerKeys.privateKey, ctx, junk).catch((e: unknown) => e as Error);
    expect((bad as Error).message).to.equal("the delivery opened but its payload is malformed");
  });

  it("refuses what the zod schemas refuse, naming the same fields and never the value", () => {
    const fieldsOf = (msg: string) =>
      msg
        .split("; ")
        .map((p) => p.split(":")[0]!.replace(/^\(input\)$/, ""))
        .sort();
    const cases: [
      string,
      (x: unknown) => void,
      { safeParse: (x: unknown) => { success: boolean; error?: unknown } },
      unknown,
    ][] = [
      ["budget in ETH", checkBuyerInput, buyerInputSchema, { ...buyer, budgetWei: "1.5" }],
      ["negative budget", checkBuyerInput, buyerInputSchema, { ...buyer, budgetWei: "-1" }],
      ["empty requirements", checkBuyerInput, buyerInputSchema, { ...buyer, requirements: "" }],
      ["long requirements", checkBuyerInput, buyerInputSchema, { ...buyer, requirements: "x".repeat(4001) }],
      ["short key", checkBuyerInput, buyerInputSchema, { ...buyer, deliveryPublicKey: "0x1234" }],
      [
        "upper-case domain",
        checkBuyerInput,
        buyerInputSchema,
        { ...buyer, requireSellerDomain: "Example.COM" },
      ],
      ["unknown scope", checkBuyerInput, buyerInputSchema, { ...buyer, budgetByScopeWei: { all: "1" } }],
      ["v 2", checkBuyerInput, buyerInputSchema, { ...buyer, v: 2 }],
      ["no checks", checkBuyerInput, buyerInputSchema, { ...buyer, checks: { v: 1, checks: [] } }],
      [
        "ftp location",
        checkSellerInput,
        sellerInputSchema,
        { ...seller, dataset: { ...seller.dataset, location: "ftp://x" } },
      ],
      [
        "tiny chunks",
        checkSellerInput,
        sellerInputSchema,
        { ...seller, dataset: { ...seller.dataset, chunkSize: 16 } },
      ],
      [
        "bad format",
        checkSellerInput,
        sellerInputSchema,
        { ...seller, dataset: { ...seller.dataset, format: "xls" } },
      ],
      ["email not base64", checkSellerInput, sellerInputSchema, { ...seller, email: "not base64!" }],
      ["floor missing", checkSellerInput, sellerInputSchema, { ...seller, floorWei: undefined }],
      ["posted price in ETH", checkSellerInput, sellerInputSchema, { ...seller, postedPriceWei: "0.1" }],
    ];
    for (const [name, hand, schema, input] of cases) {
      const z = schema.safeParse(input);
      expect(z.success, `${name}: zod refuses it`).to.equal(false);
      let msg = "";
      try {
        hand(input);
      } catch (e) {
        expect((e as { code: string }).code).to.equal("sealed_input.invalid_schema");
        msg = (e as Error).message.replace(/^the (buyer|seller) input is invalid: /, "");
      }
      expect(msg, `${name}: the viem entry refuses it`).to.not.equal("");
      expect(fieldsOf(msg), name).to.deep.equal(fieldsOf(describeIssues(z.error as never)));
      expect(msg, `${name}: no value shown`).to.not.include("Example.COM");
    }
    // an unknown field: zod names it at the top, the viem entry by its name
    expect(() => checkBuyerInput({ ...buyer, bugdetWei: "1" })).to.throw(
      /bugdetWei: is not a field of this input/,
    );
    expect(buyerInputSchema.safeParse({ ...buyer, bugdetWei: "1" }).success).to.equal(false);
    expect(() => checkBuyerInput(buyer)).to.not.throw();
    expect(() => checkSellerInput(seller)).to.not.throw();
  });

  it("no error hint in the SDK's sources names a CLI flag", () => {
    const files = readdirSync(sdk, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(files).to.include(join("viem", "chain-error.ts"));
    const offenders: string[] = [];
    for (const f of files) {
      const src = readFileSync(join(sdk, f), "utf8");
      // every `hint: "…"` / `hint: `…`` literal, and the revert hints table's entries
      const hints = [...src.matchAll(/hint\s*[:=]\s*(["'`])((?:\\.|(?!\1).)*)\1/gs)].map((m) => m[2]!);
      if (f === "revert-hints.ts") hints.push(...[...src.matchAll(/"([^"]*)"/g)].map((m) => m[1]!));
      for (const h of hints) if (/(^|\s|\()--[a-z]/.test(h)) offenders.push(`${f}: ${h}`);
    }
    expect(offenders).to.deep.equal([]);
    // the scan does see hints (it is not vacuous)
    const all = files.map((f) => readFileSync(join(sdk, f), "utf8")).join("\n");
    expect([...all.matchAll(/hint\s*:\s*"/g)].length).to.be.greaterThan(20);
  });
});
