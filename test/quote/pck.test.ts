/**
 * pckFmspc reads the FMSPC from the PCK leaf certificate a quote carries (the value Automata's
 * verifier puts in its output at [5:11]); every missing piece is refused with a message naming it.
 * Its agreement with Automata on real quotes is in test/quote/automata-conformance.test.ts.
 */
import { expect } from "chai";
import { p256 } from "@noble/curves/p256";
import { hexlify } from "ethers";
import { buildQuote } from "../../oracle/simulator/quote.ts";
import { pkiFromKeys } from "../../oracle/simulator/pki.ts";
import { parseQuote } from "../../oracle/quote/reader.ts";
import { pckFmspc } from "../../oracle/quote/pck.ts";

const pckPrivateKey = p256.utils.randomPrivateKey();
const keys = { attestationPrivateKey: p256.utils.randomPrivateKey(), pckPrivateKey };
const fmspc = Uint8Array.from([0x00, 0x80, 0x6f, 0x05, 0x00, 0x00]);
const pki = pkiFromKeys(
  {
    rootCa: p256.utils.randomPrivateKey(),
    platformCa: p256.utils.randomPrivateKey(),
    tcbSigning: p256.utils.randomPrivateKey(),
    pck: pckPrivateKey,
  },
  { fmspc },
);

describe("pckFmspc: the FMSPC of a quote's PCK certificate", () => {
  it("reads the FMSPC the PCK certificate's SGX extension carries", () => {
    const quote = buildQuote({ body: {}, keys, pckCertChainPem: pki.pckChainPem });
    expect(hexlify(pckFmspc(parseQuote(quote)))).to.equal(hexlify(fmspc));
  });

  it("refuses a quote whose certification data holds no PEM certificate", () => {
    const quote = buildQuote({ body: {}, keys, pckCertChainPem: "" });
    expect(() => pckFmspc(parseQuote(quote))).to.throw(/PCK chain holds no PEM certificate/);
  });

  it("refuses a PCK certificate without the SGX extension", () => {
    // the platform CA certificate has no SGX extension
    const pem = pki.pckChainPem.slice(pki.pckChainPem.indexOf("-----END CERTIFICATE-----") + 25);
    const quote = buildQuote({ body: {}, keys, pckCertChainPem: pem.trim() });
    expect(() => pckFmspc(parseQuote(quote))).to.throw(/has no SGX extension/);
  });
});
