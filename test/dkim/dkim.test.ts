import { expect } from "chai";
import { createHash, generateKeyPairSync, sign as rsaSign } from "node:crypto";
import { dkimSign } from "mailauth";
import { dkimSummary, verifySellerEmail } from "../../oracle/dkim/verify.ts";
import { createStaticResolver, createDnsResolver } from "../../oracle/dkim/resolver.ts";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ed = generateKeyPairSync("ed25519");
const rsaTxt = `v=DKIM1; k=rsa; p=${rsa.publicKey.export({ type: "spki", format: "der" }).toString("base64")}`;
const edTxt = `v=DKIM1; k=ed25519; p=${ed.publicKey.export({ type: "spki", format: "der" }).subarray(-32).toString("base64")}`;
const records = {
  "rsa1._domainkey.acme-data.com": rsaTxt,
  "ed1._domainkey.acme-data.com": edTxt,
  "rsa1._domainkey.other-corp.com": rsaTxt,
  "rsa1._domainkey.mail.acme-data.com": rsaTxt,
};
const resolver = createStaticResolver(records);

const message = (
  from = "Data Sales <sales@acme-data.com>",
  body = "We sell the COCO-style vision dataset.\r\n",
) =>
  `From: ${from}\r\nTo: buyer@example.org\r\nSubject: Dataset offer\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@acme-data.com>\r\n\r\n${body}`;

async function signed(
  msg: string,
  opts: {
    domain?: string;
    selector?: string;
    key?: "rsa" | "ed";
    expires?: Date;
    signTime?: Date;
    maxBodyLength?: number;
  } = {},
): Promise<Buffer> {
  const signer = {
    signingDomain: opts.domain ?? "acme-data.com",
    selector: opts.selector ?? (opts.key === "ed" ? "ed1" : "rsa1"),
    privateKey: (opts.key === "ed" ? ed : rsa).privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    ...(opts.maxBodyLength !== undefined ? { maxBodyLength: opts.maxBodyLength } : {}),
  };
  // mailauth signs with the entries of signatureData; the top-level fields satisfy its types
  const r = await dkimSign(msg, {
    ...signer,
    signatureData: [signer],
    ...(opts.expires ? { expires: opts.expires } : {}),
    ...(opts.signTime ? { signTime: opts.signTime } : {}),
  });
  expect(r.errors ?? [], "dkimSign errors").to.deep.equal([]);
  return Buffer.from(r.signatures + msg);
}

/**
 * Test-only DKIM signer (RFC 6376 relaxed/relaxed, rsa-sha256) for a message mailauth refuses to
 * sign: one whose h= leaves out From. Only used to prove the verifier's own From check.
 */
function handSign(msg: string, headerNames: string[]): Buffer {
  const [head, body] = msg.split("\r\n\r\n") as [string, string];
  const relaxedBody = body.split("\r\n").map((l) => l.replace(/[ \t]+/g, " ").replace(/ +$/, ""));
  while (relaxedBody.length > 0 && relaxedBody.at(-1) === "") relaxedBody.pop();
  const bh = createHash("sha256")
    .update(relaxedBody.join("\r\n") + "\r\n")
    .digest("base64");
  const headers = head.split("\r\n");
  const canon = (line: string) => {
    const i = line.indexOf(":");
    return `${line.slice(0, i).toLowerCase().trim()}:${line
      .slice(i + 1)
      .replace(/\s+/g, " ")
      .trim()}`;
  };
  const picked = headerNames.map((n) => canon(headers.find((h) => h.toLowerCase().startsWith(n + ":"))!));
  const sigValue = `v=1; a=rsa-sha256; c=relaxed/relaxed; d=acme-data.com; s=rsa1; h=${headerNames.join(":")}; bh=${bh}; b=`;
  const data = picked.map((h) => h + "\r\n").join("") + canon(`DKIM-Signature: ${sigValue}`);
  const b = rsaSign("sha256", Buffer.from(data), rsa.privateKey).toString("base64");
  return Buffer.from(`DKIM-Signature: ${sigValue}${b}\r\n${msg}`);
}

describe("DKIM seller identity (mailauth, local resolver)", () => {
  it("passes an RSA-signed email aligned with From", async () => {
    const r = await verifySellerEmail(await signed(message()), { resolver });
    expect(r).to.deep.include({ domain: "acme-data.com", verified: true, dnsUnavailable: false });
    expect(dkimSummary(r)).to.deep.equal({ result: "pass", reasonCode: null });
  });

  it("passes an ed25519-signed email", async () => {
    const r = await verifySellerEmail(await signed(message(), { key: "ed" }), { resolver });
    expect(r.verified, r.reason).to.equal(true);
  });

  it("passes relaxed alignment: d=acme-data.com for From @mail.acme-data.com", async () => {
    const r = await verifySellerEmail(await signed(message("s@mail.acme-data.com")), { resolver });
    expect(r.verified, r.reason).to.equal(true);
  });

  it("fails when the body was changed", async () => {
    const good = (await signed(message())).toString();
    const r = await verifySellerEmail(Buffer.from(good.replace("COCO-style", "ImageNet")), { resolver });
    expect(r.verified).to.equal(false);
    expect(r.reason).to.match(/did not verify: (fail|neutral).*body hash/);
    expect([r.code, dkimSummary(r)]).to.deep.equal([
      "signature-invalid",
      { result: "fail", reasonCode: "signature-invalid" },
    ]);
  });

  it("fails when a signed header was changed", async () => {
    const good = (await signed(message())).toString();
    const r = await verifySellerEmail(
      Buffer.from(good.replace("Subject: Dataset offer", "Subject: Free dataset")),
      { resolver },
    );
    expect(r.verified).to.equal(false);
    expect(r.reason).to.match(/did not verify: fail \(bad signature\)/);
  });

  it("fails when the key is missing from DNS", async () => {
    const r = await verifySellerEmail(await signed(message(), { selector: "gone" }), { resolver });
    expect(r.verified).to.equal(false);
    expect(r.reason).to.match(/no key/);
    expect(r.dnsUnavailable).to.equal(false);
  });

  it("fails when the signature has expired", async () => {
    const msg = await signed(message(), {
      signTime: new Date("2026-01-01T00:00:00Z"),
      expires: new Date("2026-01-02T00:00:00Z"),
    });
    const r = await verifySellerEmail(msg, { resolver, now: new Date("2026-11-24T00:00:00Z") });
    expect(r.verified).to.equal(false);
    expect(r.reason).to.match(/expired/);
  });

  it("fails when From is not among the signed headers", async () => {
    const control = await verifySellerEmail(handSign(message(), ["from", "subject", "date", "to"]), {
      resolver,
    });
    expect(control.verified, `the hand signer works when From is signed: ${control.reason}`).to.equal(true);
    const r = await verifySellerEmail(handSign(message(), ["subject", "date", "to"]), { resolver });
    expect(r.verified).to.equal(false);
    expect(r.reason).to.match(/From field not signed|does not sign the From header/);
    expect(r.code).to.be.oneOf(["from-not-signed", "signature-invalid"]);
  });

  it("fails when the signing domain is not aligned with From", async () => {
    const r = await verifySellerEmail(await signed(message(), { domain: "other-corp.com" }), { resolver });
    expect(r.verified).to.equal(false);
    expect(r.reason).to.match(/other-corp.com is not aligned with the From domain acme-data.com/);
    expect(r.code).to.equal("not-aligned");
  });

  it("fails when an l= body length limit is present", async () => {
    const body = "We sell the COCO-style vision dataset.\r\n";
    const r = await verifySellerEmail(
      await signed(message(undefined, body), { maxBodyLength: body.length }),
      { resolver },
    );
    expect(r.verified).to.equal(false);
    expect(r.reason).to.match(/l= body length limit/);
    expect(r.code).to.equal("body-length-limit");
  });

  it("reports a malformed .eml instead of throwing", async () => {
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from("not an email at all"),
      Buffer.from("\x00\x01\x02\r\n\r\nbody"),
      Buffer.alloc(50_000, 65),
    ]) {
      const r = await verifySellerEmail(bad, { resolver });
      expect(r.verified).to.equal(false);
      expect(r.reason).to.match(/^malformed \.eml/);
      expect(r.code).to.equal("malformed");
    }
    const unsigned = await verifySellerEmail(Buffer.from(message()), { resolver });
    expect(unsigned.reason).to.equal("no DKIM signature");
    expect(unsigned.code).to.equal("no-signature");
    const twoFroms = await verifySellerEmail(Buffer.from(`From: a@x.com\r\n${message()}`), { resolver });
    expect(twoFroms.reason).to.match(/2 From headers/);
  });

  it("records a DNS timeout as dnsUnavailable instead of failing silently", async () => {
    const r = await verifySellerEmail(await signed(message()), {
      resolver: createStaticResolver(records, { timeout: true }),
    });
    expect(r).to.deep.include({ verified: false, dnsUnavailable: true });
    expect(r.reason).to.match(/DNS unreachable.*ETIMEOUT/);
    expect(dkimSummary(r)).to.deep.equal({ result: "unavailable", reasonCode: "dns-unavailable" });
  });

  it("the real DNS resolver times out against an unresponsive server", async () => {
    // a UDP port on loopback that nobody answers: the lookup must end by the timeout
    const resolve = createDnsResolver({ timeoutMs: 300, servers: ["127.0.0.1:9"] });
    const started = Date.now();
    let err: unknown;
    await resolve("rsa1._domainkey.acme-data.com", "TXT").catch((e: unknown) => (err = e));
    expect((err as { code: string }).code).to.be.oneOf(["ETIMEOUT", "ECONNREFUSED", "ETIMEDOUT"]);
    expect(Date.now() - started).to.be.lessThan(5000);
  });
});
