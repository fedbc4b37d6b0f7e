/**
 * The fetch's minimum-rate floor (oracle/data/source.ts): a server that drips bytes under every
 * idle timeout is cut off after one rate window with a clear fetch_failed, long before its time
 * budget; a server at or above the rate streams to the end; without a floor nothing is cut.
 */
import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openSource } from "../../oracle/data/source.ts";
import { LOCAL_POLICY } from "../../oracle/data/location-policy.ts";
import { DatasetError } from "../../sdk/src/dataset-error.ts";

describe("dataset fetch minimum rate (oracle/data/source.ts)", function () {
  this.timeout(30_000);
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      if (req.url === "/drip") {
        // one byte every 50 ms, forever: under the idle timeout, never done
        const t = setInterval(() => res.write("D"), 50);
        res.on("close", () => clearInterval(t));
        return;
      }
      // 64 KiB, then the end: far above the floor
      res.end(Buffer.alloc(64 * 1024, 1));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  async function drain(path: string, opts: Parameters<typeof openSource>[1]): Promise<number> {
    let n = 0;
    for await (const p of openSource(`${base}${path}`, { policy: LOCAL_POLICY, ...opts })) n += p.length;
    return n;
  }

  it("cuts a dripping server off after one window, not after its budget", async () => {
    const t0 = Date.now();
    const e = await drain("/drip", {
      timeoutMs: 5000,
      budgetMs: 600_000,
      minBytesPerSec: 1024,
      rateWindowMs: 300,
    }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).to.be.instanceOf(DatasetError);
    expect((e as DatasetError).code).to.equal("dataset.fetch_failed");
    expect((e as DatasetError).message).to.match(/too slow \(under 1024 bytes\/s over 300 ms\)/);
    expect(Date.now() - t0, "cut off by the floor, not the 600 s budget").to.be.lessThan(60_000);
  });

  it("streams a server above the floor to its end", async () => {
    expect(await drain("/fast", { timeoutMs: 5000, minBytesPerSec: 1024, rateWindowMs: 300 })).to.equal(
      64 * 1024,
    );
  });

  it("without a floor a dripping server is cut only by the budget", async () => {
    const e = await drain("/drip", { timeoutMs: 5000, budgetMs: 1000 }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect((e as DatasetError).message).to.match(/exceeded its time budget/);
  });
});
