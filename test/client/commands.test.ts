/**
 * The parties' client on files (client/files.ts, client/receive.ts): dataset:commit, dataset:verify
 * and dataset:encrypt agree on the root, and deal:receive opens the delivery from DealSettled, writes
 * the verified dataset and refuses a stranger's key, an unknown deal and an unsettled one.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { getBytes, hexlify, randomBytes, ZeroHash } from "ethers";
import { commitFile, encryptFile, verifyFile } from "../../client/files.ts";
import { receiveDeal } from "../../client/receive.ts";
import { sealDelivery } from "../../sdk/src/delivery.ts";
import { generateX25519KeyPair } from "../../sdk/src/hpke.ts";
import { SimulatorBackend } from "../../oracle/simulator/backend.ts";
import { loadOracleIdentity, registrationQuote } from "../../oracle/tee/identity.ts";
import { dealProofDomain, settlementDigest, type Hex } from "../../sdk/src/eip712.ts";
import { deployDealProof } from "../../tasks/lib/deploy.ts";
import { at } from "../../scripts/lib/at.ts";
import { rejects } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "dealproof-cmd-"));

describe("dataset commands and deal:receive", () => {
  const plain = join(dir, "data.csv");
  before(() => writeFileSync(plain, "a,b\n" + "1,2\n".repeat(40_000)));

  it("dataset:commit / dataset:verify / dataset:encrypt agree on the root", async () => {
    const m = await commitFile(plain, 4096);
    expect((await verifyFile(plain, m.root, 4096)).ok).to.equal(true);
    expect((await verifyFile(plain, ZeroHash, 4096)).ok).to.equal(false);
    const key = randomBytes(32);
    const r = await encryptFile(plain, join(dir, "data.enc"), { key, chunkSize: 4096 });
    expect(r.manifest.root).to.equal(m.root);
    expect(r.key).to.equal(hexlify(key));
    const fresh = await encryptFile(plain, join(dir, "data2.enc"), { chunkSize: 4096 });
    expect(fresh.key).to.match(/^0x[0-9a-f]{64}$/);
    expect(fresh.key).to.not.equal(r.key);
  });

  it("deal:receive opens the delivery from DealSettled and writes the verified dataset", async () => {
    const connection = await network.create();
    const { ethers } = connection;
    const sim = new SimulatorBackend(randomBytes(32));
    const d = await deployDealProof(connection, {
      networkName: "t",
      attestationKeys: [sim.attestationPublicKey()],
      measurements: [sim.measurementId()],
    });
    const dp = await ethers.getContractAt("DealProof", d.dealProof);
    const domain = dealProofDomain(BigInt(d.chainId), d.dealProof);
    const id = await loadOracleIdentity(sim);
    const reg = await registrationQuote(
      sim,
      id,
      domain,
      BigInt((await ethers.provider.getBlock("latest"))!.timestamp),
    );
    await dp.registerOracle(id.address, id.encryptionPublicKey, id.instanceId, reg.issuedAt, reg.quote);

    const signers = await ethers.getSigners();
    const [buyer, seller] = [at(signers, 1), at(signers, 2)];
    const key = randomBytes(32);
    const enc = join(dir, "deal.enc");
    const { manifest } = await encryptFile(plain, enc, { key, chunkSize: 4096 });
    const buyerKeys = await generateX25519KeyPair();

    const deadline = (await connection.networkHelpers.time.latest()) + 3600;
    const dealId: bigint = await dp.dealIdFor(buyer.address, seller.address, manifest.root, deadline);
    await dp
      .connect(buyer)
      .createDeal(seller.address, manifest.root, deadline, "0x01", { value: 10n ** 18n });
    await dp.connect(seller).acceptDeal(dealId, "0x02");
    const ctx = { chainId: BigInt(d.chainId), contract: d.dealProof, dealId };
    const delivery = hexlify(
      await sealDelivery(
        buyerKeys.publicKey,
        { v: 1, key: hexlify(key), location: pathToFileURL(enc).href, chunkSize: 4096 },
        ctx,
      ),
    ) as Hex;
    const s = {
      dealId,
      agreed: true,
      price: 5n * 10n ** 17n,
      termsHash: hexlify(randomBytes(32)) as Hex,
      dataRoot: manifest.root,
      transcriptHash: hexlify(randomBytes(32)) as Hex,
      delivery,
    };
    await dp.settleWithSignature(s, id.signDigest(settlementDigest(domain, s)));

    const out = join(dir, "received.csv");
    const r = await receiveDeal(ethers.provider, d, dealId, buyerKeys.privateKey, out);
    expect(r.dataRoot).to.equal(manifest.root);
    expect(readFileSync(out).equals(readFileSync(plain))).to.equal(true);

    const stranger = await generateX25519KeyPair();
    await rejects(
      receiveDeal(ethers.provider, d, dealId, stranger.privateKey, join(dir, "x")),
      /does not open with this key/,
    );
    await rejects(
      receiveDeal(ethers.provider, d, 12345n, buyerKeys.privateKey, join(dir, "x")),
      /does not exist/,
    );
    const pending: bigint = await dp.dealIdFor(buyer.address, seller.address, manifest.root, deadline + 1);
    await dp.connect(buyer).createDeal(seller.address, manifest.root, deadline + 1, "0x01", { value: 1n });
    await rejects(
      receiveDeal(ethers.provider, d, pending, getBytes(hexlify(buyerKeys.privateKey)), join(dir, "x")),
      /not been settled/,
    );
  });
});
