/**
 * checkOracleReady (sdk/src/oracle-ready.ts), what the tasks and the dapp ask before any escrow
 * moves, against the oracle's real HTTP API (no daemon behind it): each refusal has its code and
 * says what is wrong; an unreachable oracle's error names the URL it tried (not the caller's address).
 */
import { expect } from "chai";
import { Wallet, getAddress, hexlify, randomBytes } from "ethers";
import { createApi } from "../../oracle/api/server.ts";
import { Store } from "../../oracle/daemon/store.ts";
import { viemClientFor } from "../../oracle/chain/viem-client.ts";
import { checkOracleReady } from "../../sdk/src/oracle-ready.ts";
import { fetchOracleDeal, signInToOracle } from "../../sdk/src/oracle-api.ts";
import { isDealProofError } from "../../sdk/src/errors.ts";
import { rejects } from "../helpers.ts";

const DOWN = "http://127.0.0.1:9";
const dealProof = getAddress(Wallet.createRandom().address);
const signer = getAddress(Wallet.createRandom().address);
const encryptionKey = hexlify(randomBytes(32));
const now = 1_800_000_000n;
const current = { signer, encryptionKey, expiresAt: now + 3600n };

async function codeOf(p: Promise<unknown>, message: RegExp): Promise<string> {
  const e = await rejects(p, message);
  if (!isDealProofError(e)) expect.fail(`not a DealProofError: ${e.message}`);
  return e.code;
}

describe("sdk: checkOracleReady before an escrow moves", () => {
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    const api = createApi({
      store: new Store(":memory:"),
      deployment: {
        network: "t",
        chainId: 31337,
        dealProof,
        verifier: getAddress(Wallet.createRandom().address),
        verifierKind: "simulated",
        deployBlock: 0,
        deployedAt: new Date().toISOString(),
      },
      teeMode: "simulator",
      settleMode: "signature",
      signer,
      encryptionKey,
      measurementId: hexlify(randomBytes(32)),
      registrationExpiresAt: () => current.expiresAt,
      publicUrl: "http://127.0.0.1",
      corsOrigins: [],
      chainClient: viemClientFor({ send: () => Promise.reject(new Error("no chain in this test")) }),
    });
    url = await api.listen(0, "127.0.0.1");
    close = () => new Promise<void>((r) => (api.server.closeAllConnections(), api.server.close(() => r())));
  });
  after(() => close());
  const input = (over: Partial<Parameters<typeof checkOracleReady>[0]> = {}) => ({
    oracleUrl: url,
    chainId: 31337,
    dealProof,
    current,
    nowSeconds: now,
    ...over,
  });

  it("resolves for the registered oracle of this deployment (ethers or viem shape of currentOracle)", async () => {
    await checkOracleReady(input());
    await checkOracleReady(input({ current: [signer, encryptionKey, current.expiresAt, "0x"] as const }));
    await checkOracleReady(input({ chainId: 31337n, dealProof: dealProof.toLowerCase() }));
  });

  it("refuses an oracle that does not answer, naming its URL", async () => {
    expect(
      await codeOf(
        checkOracleReady(input({ oracleUrl: DOWN })),
        /^the oracle does not answer \(cannot reach the oracle at http:\/\/127\.0\.0\.1:9\/health \(.+\)\): a deal made now would wait for it until its deadline$/,
      ),
    ).to.equal("oracle.unavailable");
    // skipApi: only the on-chain registration counts
    await checkOracleReady(input({ oracleUrl: DOWN, skipApi: true }));
  });

  it("refuses an oracle of another contract or chain", async () => {
    const other = getAddress(Wallet.createRandom().address);
    expect(
      await codeOf(checkOracleReady(input({ dealProof: other })), /serves DealProof .* on chain 31337, not/),
    ).to.equal("oracle.wrong_deployment");
    expect(
      await codeOf(checkOracleReady(input({ chainId: 1 })), /on chain 31337, not .* on chain 1$/),
    ).to.equal("oracle.wrong_deployment");
  });

  it("refuses an oracle whose signer or encryption key is not the registered one", async () => {
    const otherSigner = { ...current, signer: getAddress(Wallet.createRandom().address) };
    const otherKey = { ...current, encryptionKey: hexlify(randomBytes(32)) };
    for (const c of [otherSigner, otherKey])
      expect(
        await codeOf(checkOracleReady(input({ current: c })), /is not the oracle registered on DealProof/),
      ).to.equal("oracle.not_registered");
  });

  it("refuses, before asking the API, when nothing is registered on-chain or the registration expired", async () => {
    expect(
      await codeOf(
        checkOracleReady(input({ oracleUrl: DOWN, current: { ...current, expiresAt: 0n } })),
        /no oracle is registered/,
      ),
    ).to.equal("oracle.not_registered");
    expect(
      await codeOf(
        checkOracleReady(input({ oracleUrl: DOWN, nowSeconds: now + 7200n })),
        /registration expired/,
      ),
    ).to.equal("oracle.registration_expired");
  });

  it("every oracle API call that cannot connect names the URL, without the query (the caller's address)", async () => {
    await rejects(
      fetchOracleDeal(DOWN, 7n),
      /^cannot reach the oracle at http:\/\/127\.0\.0\.1:9\/deals\/7 \(/,
    );
    const e = await rejects(
      signInToOracle(DOWN, 7n, signer, () => Promise.resolve("0x")),
      /^cannot reach the oracle at http:\/\/127\.0\.0\.1:9\/auth\/challenge \(/,
    );
    expect(e.message).to.not.include(signer);
  });
});
