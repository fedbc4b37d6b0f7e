/**
 * The dataset location policy (oracle/data/location-policy.ts, source.ts): production fetches
 * only https:// from public addresses — checked after DNS resolution, on the connected address
 * and on every redirect — and never reads files; every refusal has the same code and message,
 * whether or not anything exists at the location.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  isPublicAddress,
  PRODUCTION_POLICY,
  type LocationPolicy,
} from "../../oracle/data/location-policy.ts";
import { openSource } from "../../oracle/data/source.ts";
import { DatasetError } from "../../sdk/src/dataset-error.ts";

async function read(location: string, policy: LocationPolicy, extra = {}): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of openSource(location, { policy, timeoutMs: 2000, ...extra }))
    parts.push(Buffer.from(p));
  return Buffer.concat(parts).toString();
}

async function refusal(location: string, policy: LocationPolicy): Promise<DatasetError> {
  try {
    await read(location, policy);
  } catch (e) {
    expect(e).to.be.instanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error(`${location} was not refused`);
}

describe("dataset location policy", function () {
  this.timeout(20_000);

  it("knows public addresses from loopback, private, link-local, metadata and their IPv6 forms", () => {
    for (const ip of [
      "8.8.8.8",
      "1.1.1.1",
      "93.184.216.34",
      "2606:4700:4700::1111",
      "2a00:1450:4001:81b::200e",
    ])
      expect(isPublicAddress(ip), ip).to.equal(true);
    for (const ip of [
      "127.0.0.1",
      "127.255.0.9",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "198.18.0.1",
      "::1",
      "::",
      "[::1]",
      "fe80::1",
      "fe80::1%eth0",
      "fc00::1",
      "fd00:ec2::254",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:8.8.8.8",
      "0:0:0:0:0:ffff:a9fe:a9fe",
      "::127.0.0.1",
      "64:ff9b::7f00:1",
      "2002:7f00:1::",
      "2001:db8::1",
      "ff02::1",
      "localhost",
      "not an ip",
    ])
      expect(isPublicAddress(ip), ip).to.equal(false);
  });

  it("in production refuses http:, loopback, names resolving to loopback, and every file alike", async () => {
    const refusals = await Promise.all(
      [
        "http://example.com/data.enc",
        "https://127.0.0.1/data.enc",
        "https://[::1]/data.enc",
        "https://[::ffff:127.0.0.1]/data.enc",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/data.enc",
        "file:///etc/passwd",
        "file:///nonexistent/data.enc",
        "/etc/hostname",
        "/nonexistent/data.enc",
        "ftp://example.com/x",
      ].map((l) => refusal(l, PRODUCTION_POLICY)),
    );
    for (const e of refusals) {
      expect(e.code).to.equal("dataset.location_refused");
      expect(e.message).to.equal(refusals[0]!.message);
    }
  });

  describe("checks resolved addresses and every redirect", () => {
    let server: Server;
    let port: number;
    // a stand-in for DNS and for "public": good.test is 127.0.0.1 (allowed here), the rest is not
    const policy: LocationPolicy = {
      schemes: ["http:"],
      files: false,
      allowAddress: (ip) => ip === "127.0.0.1",
      resolve: async (host) =>
        ({ "good.test": ["127.0.0.1"], "mixed.test": ["127.0.0.1", "10.0.0.1"] })[host] ?? ["127.0.0.2"],
    };
    before(async () => {
      server = createServer((req, res) => {
        const go = (to: string) => (res.writeHead(302, { location: to }), res.end());
        if (req.url === "/data") return void res.end("hello");
        if (req.url === "/to-evil") return go(`http://evil.test:${port}/data`);
        if (req.url === "/to-ip") return go(`http://127.0.0.2:${port}/data`);
        if (req.url === "/to-file") return go("file:///etc/passwd");
        if (req.url === "/to-good") return go(`http://good.test:${port}/data`);
        if (req.url === "/loop") return go(`/loop`);
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      port = (server.address() as AddressInfo).port;
    });
    after(() => server.close());

    it("fetches an allowed host, and follows a redirect to another allowed one", async () => {
      expect(await read(`http://good.test:${port}/data`, policy)).to.equal("hello");
      expect(await read(`http://good.test:${port}/to-good`, policy)).to.equal("hello");
    });

    it("refuses a name that resolves to a refused address (all of its addresses are checked)", async () => {
      expect((await refusal(`http://evil.test:${port}/data`, policy)).code).to.equal(
        "dataset.location_refused",
      );
      expect((await refusal(`http://mixed.test:${port}/data`, policy)).code).to.equal(
        "dataset.location_refused",
      );
    });

    it("refuses redirects to refused names, addresses and files", async () => {
      for (const path of ["/to-evil", "/to-ip", "/to-file"])
        expect((await refusal(`http://good.test:${port}${path}`, policy)).code, path).to.equal(
          "dataset.location_refused",
        );
      expect((await refusal(`http://good.test:${port}/loop`, policy)).code).to.equal("dataset.fetch_failed");
    });

    it("stops at the byte cap (the cap the encrypted header lowers while reading)", async () => {
      const limit = { maxBytes: 3 };
      try {
        await read(`http://good.test:${port}/data`, policy, { limit });
        expect.fail("not capped");
      } catch (e) {
        expect((e as DatasetError).code).to.equal("dataset.too_large");
      }
    });
  });
});
