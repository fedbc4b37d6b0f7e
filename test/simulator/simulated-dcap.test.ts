import { expect } from "chai";
import { createRequire } from "node:module";
import { X509Certificate } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexlify } from "ethers";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { verifyQuote } from "../../oracle/quote/verify.ts";
import { main as verifyQuoteCli } from "../../oracle/cli/verify-quote.ts";
import type { DcapCollateral } from "../../oracle/simulator/pki.ts";

// the real verifier, called directly: the simulated chain must satisfy it as a real chain does
const qvl = createRequire(import.meta.url)("@phala/dcap-qvl") as {
  verify(raw: Uint8Array, collateral: unknown, now: number): { status: string };
  QuoteVerifier: {
    newWithRootCa(root: Buffer): {
      verify(
        raw: Uint8Array,
        collateral: unknown,
        now: number,
      ): {
        status: string;
        advisory_ids: string[];
        report: { type: string; data: { reportData: Uint8Array } };
      };
    };
  };
};

const NOW = Math.floor(Date.now() / 1000);
const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const sim = new SimulatorBackend(seed);
const reportData = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
let quote: Uint8Array;
const root = () => Buffer.from(sim.dcapRootCa());
const verifyWith = (q: Uint8Array, c: DcapCollateral | object, now = NOW, r = root()) =>
  qvl.QuoteVerifier.newWithRootCa(r).verify(q, c, now);

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at] = out[at]! ^ 1;
  return out;
}

describe("simulated DCAP chain: dcap-qvl verifies the simulator's quotes like real ones", () => {
  before(async () => {
    quote = (await sim.getQuote(reportData)).quote;
  });

  it("verifies UpToDate through PCK chain, QE report, QE identity and TCB info, with the report data", () => {
    const r = verifyWith(quote, sim.dcapCollateral());
    expect([r.status, r.advisory_ids, r.report.type]).to.deep.equal(["UpToDate", [], "td10"]);
    expect(hexlify(r.report.data.reportData)).to.equal(hexlify(reportData));
  });

  it("is refused by the production verifier: the chain does not lead to Intel's root", () => {
    expect(() => qvl.verify(quote, sim.dcapCollateral(), NOW)).to.throw(/certificate chain/);
  });

  it("embeds a stable chain: the same seed gives the same certificates and root", async () => {
    const again = new SimulatorBackend(seed);
    expect(hexlify(again.dcapRootCa())).to.equal(hexlify(sim.dcapRootCa()));
    expect(again.pki().pckChainPem).to.equal(sim.pki().pckChainPem);
    const other = new SimulatorBackend(new Uint8Array(32).fill(9));
    expect(hexlify(other.dcapRootCa())).to.not.equal(hexlify(sim.dcapRootCa()));
    // another simulator's root cannot vouch for this simulator's quote
    expect(() => verifyWith(quote, sim.dcapCollateral(), NOW, Buffer.from(other.dcapRootCa()))).to.throw(
      /certificate chain/,
    );
  });

  it("issues X.509 that Node (OpenSSL) parses: CA flags, issuers and signatures check out", () => {
    const pki = sim.pki();
    const [rootC, platform, pck, tcb] = [pki.rootCaDer, pki.platformCaDer, pki.pckDer, pki.tcbSigningDer].map(
      (d) => new X509Certificate(Buffer.from(d)),
    ) as [X509Certificate, X509Certificate, X509Certificate, X509Certificate];
    expect([rootC.ca, platform.ca, pck.ca, tcb.ca]).to.deep.equal([true, true, false, false]);
    expect(rootC.verify(rootC.publicKey)).to.equal(true);
    expect(platform.checkIssued(rootC) && platform.verify(rootC.publicKey)).to.equal(true);
    expect(pck.checkIssued(platform) && pck.verify(platform.publicKey)).to.equal(true);
    expect(pck.verify(rootC.publicKey)).to.equal(false);
    expect(tcb.checkIssued(rootC) && tcb.verify(rootC.publicKey)).to.equal(true);
    expect(rootC.subject).to.match(/not Intel/);
  });

  it("passes `openssl verify -x509_strict` with both CRLs checked", function () {
    try {
      execFileSync("openssl", ["version"], { stdio: "ignore" });
    } catch {
      console.log("    skipped: no openssl binary on this machine");
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), "dealproof-pki-"));
    const pem = (der: Uint8Array | Buffer, label: string) =>
      `-----BEGIN ${label}-----\n${Buffer.from(der)
        .toString("base64")
        .replace(/(.{64})/g, "$1\n")
        .replace(/\n$/, "")}\n-----END ${label}-----\n`;
    const pki = sim.pki();
    const c = sim.dcapCollateral();
    writeFileSync(
      join(dir, "ca.pem"),
      pem(pki.rootCaDer, "CERTIFICATE") + pem(pki.platformCaDer, "CERTIFICATE"),
    );
    writeFileSync(join(dir, "pck.pem"), pem(pki.pckDer, "CERTIFICATE"));
    writeFileSync(join(dir, "root.crl"), pem(Buffer.from(c.root_ca_crl, "hex"), "X509 CRL"));
    writeFileSync(join(dir, "pck.crl"), pem(Buffer.from(c.pck_crl, "hex"), "X509 CRL"));
    const args = ["verify", "-x509_strict", "-crl_check_all", "-CAfile", join(dir, "ca.pem")];
    const crls = ["-CRLfile", join(dir, "root.crl"), "-CRLfile", join(dir, "pck.crl")];
    expect(execFileSync("openssl", [...args, ...crls, join(dir, "pck.pem")], { encoding: "utf8" })).to.match(
      /OK/,
    );
    // and openssl sees a revocation listed in a CRL
    const revoked = sim.dcapCollateral({ revokedSerials: [4] });
    writeFileSync(join(dir, "pck-revoked.crl"), pem(Buffer.from(revoked.pck_crl, "hex"), "X509 CRL"));
    expect(() =>
      execFileSync(
        "openssl",
        [
          ...args,
          "-CRLfile",
          join(dir, "root.crl"),
          "-CRLfile",
          join(dir, "pck-revoked.crl"),
          join(dir, "pck.pem"),
        ],
        {
          stdio: "pipe",
        },
      ),
    ).to.throw(/revoked/);
  });

  describe("refuses what a real verifier refuses", () => {
    // v4 quote: header + TD report 0..632, u32 signature data length, then the ECDSA signature
    // (64), attestation key (64), certification data type (2) and size (4), QE report (384),
    // its signature (64), QE auth data length (2) and the QE auth data
    const offsets = () => ({
      body: 48 + 520,
      qeReport: 636 + 134 + 100,
      qeAuthData: 636 + 134 + 384 + 64 + 2,
    });
    const cases: [string, () => [Uint8Array, object, number?], RegExp][] = [
      [
        "a flipped byte in the signed TD report",
        () => [flip(quote, offsets().body), sim.dcapCollateral()],
        /ISV enclave report signature is invalid/,
      ],
      [
        "a flipped byte in the QE report",
        () => [flip(quote, offsets().qeReport), sim.dcapCollateral()],
        /Signature is invalid for qe_report/,
      ],
      [
        "QE auth data that the QE report does not bind",
        () => [flip(quote, offsets().qeAuthData), sim.dcapCollateral()],
        /QE report hash mismatch/,
      ],
      ["a revoked PCK certificate", () => [quote, sim.dcapCollateral({ revokedSerials: [4] })], /revoked/],
      ["a revoked platform CA", () => [quote, sim.dcapCollateral({ revokedSerials: [2] })], /revoked/],
      [
        "expired TCB info",
        () => [quote, sim.dcapCollateral({ issuedAt: new Date((NOW - 40 * 86400) * 1000) })],
        /TCBInfo expired/,
      ],
      [
        "TCB info issued in the future",
        () => [quote, sim.dcapCollateral({ issuedAt: new Date((NOW + 3600) * 1000) })],
        /issue date is in the future/,
      ],
      [
        "TCB info edited after signing",
        () => {
          const c = sim.dcapCollateral();
          return [quote, { ...c, tcb_info: c.tcb_info.replace('"UpToDate"', '"UpToDate" ') }];
        },
        /Signature is invalid for tcb_info/,
      ],
      [
        "a QE identity signed by a key outside the chain",
        () => {
          const c = sim.dcapCollateral();
          return [quote, { ...c, qe_identity_signature: c.tcb_info_signature }];
        },
        /Signature is invalid for qe_identity/,
      ],
      [
        "a QE identity for another quoting enclave (MRSIGNER)",
        () => [quote, sim.dcapCollateral({ qe: { mrSigner: new Uint8Array(32).fill(0xaa) } })],
        /QE MRSIGNER mismatch/,
      ],
      [
        "a quoting enclave below the QE identity's minimum ISVSVN",
        () => [quote, sim.dcapCollateral({ qe: { isvSvn: 9 } })],
        /QE ISVSVN 4 is below minimum required 9/,
      ],
      [
        "TCB info for another FMSPC",
        () => [quote, sim.dcapCollateral({ fmspc: Uint8Array.from([0, 0x90, 0x6e, 0xd5, 0, 0]) })],
        /Fmspc mismatch/,
      ],
      [
        "a platform below every TCB level (TDX module SVN too low)",
        () => {
          const tcb = sim.pki().tcb;
          const higher = Uint8Array.from(tcb.teeTcbSvn);
          higher[0] = higher[0]! + 1;
          return [quote, sim.dcapCollateral({ tcb: { ...tcb, teeTcbSvn: higher } })];
        },
        /No matching TCB level found/,
      ],
      [
        "a revoked TCB level",
        () => [quote, sim.dcapCollateral({ tcbStatus: "Revoked" })],
        /TCB status is invalid/,
      ],
    ];
    for (const [name, make, error] of cases) {
      it(`refuses ${name}`, () => {
        const [q, c, now] = make();
        expect(() => verifyWith(q, c, now)).to.throw(error);
      });
    }
  });

  describe("through DealProof's verifier policy (verifyQuote) and the verify-quote CLI", () => {
    it("accepts with the simulator's root CA and reports mode simulated; other TCB statuses follow the policy", () => {
      const ok = verifyQuote(quote, {
        collateral: sim.dcapCollateral(),
        rootCaDer: sim.dcapRootCa(),
        expectedReportData: reportData,
      });
      expect([ok.ok, ok.mode, ok.tcbStatus]).to.deep.equal([true, "simulated", "UpToDate"]);
      expect(ok.checks.find((c) => c.name === "dcap")?.detail).to.match(/non-Intel/);
      const old = sim.dcapCollateral({ tcbStatus: "OutOfDate", advisoryIds: ["INTEL-SA-00001"] });
      const refused = verifyQuote(quote, { collateral: old, rootCaDer: sim.dcapRootCa() });
      expect([refused.ok, refused.tcbStatus, refused.advisoryIds]).to.deep.equal([
        false,
        "OutOfDate",
        ["INTEL-SA-00001"],
      ]);
      const accepted = verifyQuote(quote, {
        collateral: old,
        rootCaDer: sim.dcapRootCa(),
        acceptedTcbStatuses: ["UpToDate", "OutOfDate"],
      });
      expect(accepted.ok).to.equal(true);
    });

    it("without the simulator's root the same quote and collateral fail (Intel's root is the default)", () => {
      const v = verifyQuote(quote, { collateral: sim.dcapCollateral() });
      expect([v.ok, v.mode]).to.deep.equal([false, "real"]);
      expect(v.checks.find((c) => c.name === "dcap")?.detail).to.match(
        /Intel DCAP chain: verification failed/,
      );
    });

    it("verify-quote --collateral --root-ca exits 0; a wrong root exits 1; bad usage exits 2", () => {
      const dir = mkdtempSync(join(tmpdir(), "dealproof-simdcap-"));
      const q = join(dir, "quote.hex");
      writeFileSync(q, hexlify(quote));
      const col = join(dir, "collateral.json");
      writeFileSync(col, JSON.stringify(sim.dcapCollateral()));
      const rootPem = join(dir, "root.pem");
      writeFileSync(
        rootPem,
        `-----BEGIN CERTIFICATE-----\n${root().toString("base64")}\n-----END CERTIFICATE-----\n`,
      );
      const otherRoot = join(dir, "other.der");
      writeFileSync(otherRoot, new SimulatorBackend(new Uint8Array(32).fill(7)).dcapRootCa());
      const junk = join(dir, "junk");
      writeFileSync(junk, "not a certificate");
      const run = (args: string[]) => {
        const [log, error] = [console.log, console.error];
        const err: string[] = [];
        console.log = () => {};
        console.error = (...a: unknown[]) => void err.push(a.join(" "));
        try {
          return { code: verifyQuoteCli(args), err: err.join("\n") };
        } finally {
          console.log = log;
          console.error = error;
        }
      };
      expect(run([q, "--collateral", col, "--root-ca", rootPem]).code).to.equal(0);
      expect(run([q, "--collateral", col, "--root-ca", otherRoot]).code).to.equal(1);
      const noCol = run([q, "--root-ca", rootPem]);
      expect([noCol.code, noCol.err]).to.satisfy(
        ([c, e]: [number, string]) => c === 2 && /needs --collateral/.test(e),
      );
      const bad = run([q, "--collateral", col, "--root-ca", junk]);
      expect([bad.code, bad.err]).to.satisfy(
        ([c, e]: [number, string]) => c === 2 && /not an X.509 certificate/.test(e),
      );
    });
  });
});
