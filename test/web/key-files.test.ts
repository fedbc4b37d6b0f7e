/**
 * The dapp reads its key files back only through zod (web/src/key-files.ts): the file it wrote
 * opens; anything else — not JSON, another shape, another deal's key — is one plain refusal.
 */
import { expect } from "chai";
import { readDeliveryKeyFile, readSellerKeyFile } from "../../web/src/key-files.ts";

const k32 = `0x${"ab".repeat(32)}`;

describe("dapp key files", () => {
  it("reads back the seller key file it wrote", () => {
    const file = { root: k32, key: k32, chunkSize: 4096, size: 10 };
    expect(readSellerKeyFile(JSON.stringify(file))).to.deep.equal(file);
  });

  for (const [what, text] of [
    ["not JSON", "{root:"],
    ["JSON null", "null"],
    [
      "a key that is not 32 bytes of hex",
      JSON.stringify({ root: k32, key: "0x12", chunkSize: 4096, size: 1 }),
    ],
    [
      "a chunk size that is not a number",
      JSON.stringify({ root: k32, key: k32, chunkSize: "4096", size: 1 }),
    ],
  ] as const)
    it(`refuses a seller key file that is ${what}`, () =>
      expect(() => readSellerKeyFile(text)).to.throw("that file is not a DealProof seller key file"));

  it("reads this deal's delivery key and refuses another deal's, or a broken file", () => {
    const file = JSON.stringify({ dealId: "77", deliveryPrivateKey: k32 });
    expect(readDeliveryKeyFile(file, 77n)).to.equal(k32);
    const refusal = "that key file is not this deal's delivery key";
    expect(() => readDeliveryKeyFile(file, 78n)).to.throw(refusal);
    expect(() => readDeliveryKeyFile("not json", 77n)).to.throw(refusal);
    expect(() => readDeliveryKeyFile(JSON.stringify({ dealId: "77" }), 77n)).to.throw(refusal);
  });

  it("reads the hex deal id the dapp now writes (0x + 64 digits), and refuses one that is not a number", () => {
    const hex = `0x${(77).toString(16).padStart(64, "0")}`;
    const file = JSON.stringify({ dealId: hex, deliveryPrivateKey: k32 });
    expect(readDeliveryKeyFile(file, 77n)).to.equal(k32);
    const refusal = "that key file is not this deal's delivery key";
    expect(() => readDeliveryKeyFile(file, 78n)).to.throw(refusal);
    const junk = JSON.stringify({ dealId: "0xzz", deliveryPrivateKey: k32 });
    expect(() => readDeliveryKeyFile(junk, 77n)).to.throw(refusal);
  });
});
