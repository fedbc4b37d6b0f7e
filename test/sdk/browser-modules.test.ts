/**
 * The SDK's browser-side modules, run on Node's WebCrypto and Blob (the same APIs a browser has):
 * the streaming commit + encryption produces exactly what the oracle verifies (its Node builder
 * and decryptor agree byte for byte), decryption refuses tampering and a wrong root, and the
 * settlement-quote check passes a simulator quote through dcap-qvl and fails each check on its
 * own bad input (tampered quote, other outcome, disallowed measurement, DEBUG TD).
 */
import { expect } from "chai";
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import {
  commitAndEncryptDataset,
  commitDataset,
  decryptAndVerifyDataset,
} from "../../sdk/src/dataset-stream.ts";
import { DatasetError } from "../../sdk/src/dataset-error.ts";
import { verifySettlementQuote, tdAttributesProblems, type DcapQvl } from "../../sdk/src/settlement-quote.ts";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fetchOracleDeal, fetchSimulatedDcap, offersByRound } from "../../sdk/src/oracle-api.ts";
import { dealProofDomain, reportDataFor, settlementDigest, type Settlement } from "../../sdk/src/eip712.ts";
import { MerkleBuilder } from "../../oracle/data/merkle.ts";
import { decryptStream } from "../../oracle/data/encryption.ts";
import { rechunk } from "../../oracle/data/chunks.ts";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";

const qvl = createRequire(import.meta.url)("@phala/dcap-qvl") as DcapQvl;

async function* once(b: Uint8Array) {
  yield b;
}

async function oracleRoot(data: Uint8Array, chunkSize: number): Promise<string> {
  const t = new MerkleBuilder(chunkSize);
  for await (const c of rechunk(once(data), chunkSize)) t.addChunk(c);
  return t.finish().root;
}

const expectReject = async (p: Promise<unknown>, code: string, msg: RegExp) => {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(DatasetError);
    expect((e as DatasetError).code).to.equal(`dataset.${code}`);
    expect((e as Error).message).to.match(msg);
    return;
  }
  expect.fail("expected a rejection");
};

describe("sdk dataset-stream (browser commit + encryption)", () => {
  for (const [size, chunkSize] of [
    [1, 4096],
    [4096, 4096],
    [4097, 4096],
    [5 * 4096 + 17, 4096],
    [300_000, 65536],
  ] as const) {
    it(`${size} bytes in ${chunkSize}-byte chunks: the oracle's root, and the oracle decrypts it`, async () => {
      const data = new Uint8Array(randomBytes(size));
      const enc = await commitAndEncryptDataset(new Blob([data]), { chunkSize });
      expect(enc.root).to.equal(await oracleRoot(data, chunkSize));
      expect((await commitDataset(new Blob([data]), { chunkSize })).root).to.equal(enc.root);
      const encBytes = new Uint8Array(await enc.encrypted.arrayBuffer());
      const key = Buffer.from(enc.key.slice(2), "hex");
      const out: Buffer[] = [];
      for await (const p of decryptStream(once(encBytes), key)) out.push(p);
      expect(Buffer.concat(out).equals(Buffer.from(data))).to.equal(true);
      const back = await decryptAndVerifyDataset(enc.encrypted, enc.key, enc.root);
      expect(Buffer.from(await back.plaintext.arrayBuffer()).equals(Buffer.from(data))).to.equal(true);
    });
  }

  it("reports progress up to the file size", async () => {
    const seen: number[] = [];
    await commitAndEncryptDataset(new Blob([new Uint8Array(10_000)]), {
      chunkSize: 4096,
      onProgress: (d) => seen.push(d),
    });
    expect(seen).to.deep.equal([4096, 8192, 10_000]);
  });

  it("refuses an empty file and a bad chunk size", async () => {
    await expectReject(commitAndEncryptDataset(new Blob([])), "empty", /empty file/);
    await expectReject(commitDataset(new Blob(["x"]), { chunkSize: 100 }), "bad_format", /chunk size/);
  });

  describe("decryption refuses", () => {
    let enc: Awaited<ReturnType<typeof commitAndEncryptDataset>>;
    let bytes: Uint8Array;
    before(async () => {
      enc = await commitAndEncryptDataset(new Blob([new Uint8Array(randomBytes(20_000))]), {
        chunkSize: 4096,
      });
      bytes = new Uint8Array(await enc.encrypted.arrayBuffer());
    });
    it("a flipped ciphertext byte (naming the chunk)", async () => {
      const t = bytes.slice();
      t[48 + 4112 + 5]! ^= 1;
      await expectReject(
        decryptAndVerifyDataset(new Blob([t]), enc.key, enc.root),
        "decrypt_failed",
        /chunk 1 failed/,
      );
    });
    it("a wrong key", async () => {
      await expectReject(
        decryptAndVerifyDataset(new Blob([bytes]), `0x${"11".repeat(32)}`, enc.root),
        "decrypt_failed",
        /chunk 0/,
      );
    });
    it("a truncated file and trailing bytes", async () => {
      await expectReject(
        decryptAndVerifyDataset(new Blob([bytes.slice(0, -1)]), enc.key, enc.root),
        "truncated",
        /ends inside chunk 4/,
      );
      await expectReject(
        decryptAndVerifyDataset(new Blob([bytes, Uint8Array.of(0)]), enc.key, enc.root),
        "bad_format",
        /after its last chunk/,
      );
    });
    it("a file that is not a DealProof dataset", async () => {
      await expectReject(
        decryptAndVerifyDataset(new Blob(["hello"]), enc.key, enc.root),
        "bad_format",
        /bad magic/,
      );
    });
    it("another deal's root", async () => {
      await expectReject(
        decryptAndVerifyDataset(new Blob([bytes]), enc.key, `0x${"00".repeat(32)}`),
        "root_mismatch",
        /is not the deal's dataRoot/,
      );
    });
    it("a key that is not 32 bytes of hex", async () => {
      await expectReject(
        decryptAndVerifyDataset(new Blob([bytes]), "0x12", enc.root),
        "bad_format",
        /64 hex digits/,
      );
    });
  });
});

describe("sdk settlement-quote (in-browser quote verification)", () => {
  const sim = new SimulatorBackend(new Uint8Array(32).fill(7));
  const contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  const outcome: Settlement = {
    dealId: 42n,
    agreed: true,
    price: 10n ** 18n,
    termsHash: `0x${"11".repeat(32)}`,
    dataRoot: `0x${"22".repeat(32)}`,
    transcriptHash: `0x${"33".repeat(32)}`,
    delivery: "0x1234",
  };
  let quote: Uint8Array;
  before(async () => {
    quote = (await sim.getQuote(reportDataFor(settlementDigest(dealProofDomain(31337n, contract), outcome))))
      .quote;
  });
  const input = (over: Partial<Parameters<typeof verifySettlementQuote>[1]> = {}) => ({
    quote,
    outcome,
    chainId: 31337n,
    dealProof: contract,
    collateral: sim.dcapCollateral(),
    rootCaDer: sim.dcapRootCa(),
    isMeasurementAllowed: (id: string) => id === sim.measurementId(),
    ...over,
  });
  const failing = (v: { checks: { name: string; passed: boolean }[] }) =>
    v.checks.filter((c) => !c.passed).map((c) => c.name);

  it("passes every check for the simulator's settlement quote", async () => {
    const v = await verifySettlementQuote(qvl, input());
    expect(failing(v)).to.deep.equal([]);
    expect(v.checks.map((c) => c.name)).to.deep.equal([
      "format",
      "dcap",
      "tcbStatus",
      "reportData",
      "measurement",
      "tdAttributes",
    ]);
    expect(v).to.include({
      ok: true,
      mode: "simulated",
      tcbStatus: "UpToDate",
      measurementId: sim.measurementId(),
    });
  });

  it("fails the DCAP chain and report_data for a tampered quote", async () => {
    const t = quote.slice();
    t[48 + 520]! ^= 1;
    const v = await verifySettlementQuote(qvl, input({ quote: t }));
    expect(v.ok).to.equal(false);
    expect(failing(v)).to.deep.equal(["dcap", "reportData"]);
  });

  it("fails report_data for another outcome, and the measurement when not allowed", async () => {
    const v = await verifySettlementQuote(qvl, input({ outcome: { ...outcome, price: 1n } }));
    expect(failing(v)).to.deep.equal(["reportData"]);
    const w = await verifySettlementQuote(qvl, input({ isMeasurementAllowed: () => false }));
    expect(failing(w)).to.deep.equal(["measurement"]);
  });

  it("fails the DCAP chain against Intel's root (a simulator quote is not Intel's)", async () => {
    const v = await verifySettlementQuote(qvl, input({ rootCaDer: undefined }));
    expect(v.mode).to.equal("real");
    expect(failing(v)).to.deep.equal(["dcap"]);
  });

  it("fails the format of a short blob", async () => {
    const v = await verifySettlementQuote(qvl, input({ quote: new Uint8Array(10) }));
    expect(v.checks).to.have.length(1);
    expect(v.checks[0]).to.include({ name: "format", passed: false });
  });

  it("names every TD attributes bit that breaks DESIGN.md §4", () => {
    expect(tdAttributesProblems(Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 0]))).to.deep.equal([]);
    expect(tdAttributesProblems(Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 0xc0]))).to.deep.equal([
      "bit 62 OTHER reserved bit 62 is set (it must be clear)",
    ]);
    expect(tdAttributesProblems(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]))).to.deep.equal([
      "bit 0 DEBUG is set (a debug TD exposes its memory to the host)",
      "bit 28 SEPT_VE_DISABLE is clear (it must be set)",
    ]);
    expect(tdAttributesProblems(Uint8Array.from([0, 0, 0, 0x30, 0, 0, 0, 0]))[0]).to.match(/bit 29/);
    expect(tdAttributesProblems(new Uint8Array(4))[0]).to.match(/8 bytes/);
  });
});

describe("sdk oracle-api offersByRound", () => {
  it("collects each side's priced move per round from a transcript", () => {
    const t = {
      v: 1,
      entries: [
        { round: 1, role: "buyer", action: "offer", priceWei: "100" },
        { round: 1, role: "seller", action: "counter", priceWei: "300" },
        { round: 2, role: "buyer", action: "accept" },
        { round: 2, role: "seller", action: "offer", priceWei: "200" },
      ],
    };
    expect(offersByRound(t)).to.deep.equal([
      { round: 1, buyer: 100n, seller: 300n },
      { round: 2, seller: 200n },
    ]);
  });
});

describe("sdk oracle-api answers are checked", () => {
  let server: Server;
  let url: string;
  const answers: Record<string, unknown> = {};
  before(async () => {
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(answers[new URL(req.url ?? "/", "http://x").pathname] ?? {}));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("returns a deal view of the API's shape, extra fields kept", async () => {
    answers["/deals/1"] = { status: "settled", outcome: null, lastError: null, txHash: "0x01" };
    expect(await fetchOracleDeal(url, 1n)).to.deep.equal(answers["/deals/1"]);
  });

  it("refuses an answer of another shape, naming the endpoint and the fields", async () => {
    answers["/deals/2"] = { status: 7, outcome: { agreed: "yes" } };
    const err = await fetchOracleDeal(url, 2n).catch((e: unknown) => e as Error);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(
      /^the oracle's answer to \/deals\/2 is not what this client expects: /,
    );
    expect((err as Error).message)
      .to.include("status:")
      .and.include("outcome.agreed:")
      .and.include("lastError:");
  });

  it("refuses a simulated DCAP root that is not hex", async () => {
    answers["/attestation"] = { simulated_dcap: { root_ca: "zz", collateral: {} } };
    await fetchSimulatedDcap(url).then(
      () => expect.fail("accepted"),
      (e: Error) => expect(e.message).to.match(/\/attestation .*simulated_dcap\.root_ca: must be hex/),
    );
  });
});
