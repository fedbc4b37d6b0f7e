/**
 * Replica identity and key epochs (oracle/tee/identity.ts, oracle/tee/keyring.ts, DESIGN.md §12):
 * replicas of one app (same seed and image) share one measurement and the app's HPKE keys but
 * each has its own signer, scoped to its instance id; the default instance keeps one simulator's
 * encryption key as before epochs; a sealed input opens with whichever epoch's key it was sealed
 * to, and one sealed to a key no longer held is refused with a reason naming the epochs held.
 */
import { expect } from "chai";
import { getBytes, hexlify, randomBytes } from "ethers";
import { DealProofError } from "../../sdk/src/errors.ts";
import { SimulatorBackend, DEFAULT_IMAGE } from "../../oracle/simulator/backend.ts";
import { loadOracleIdentity, signerKeyPath } from "../../oracle/tee/identity.ts";
import { hpkeKeyPath, loadKeyring, openWithKeyring } from "../../oracle/tee/keyring.ts";
import { x25519KeyPairFromSeed } from "../../sdk/src/hpke.ts";
import { instanceIdBytes32 } from "../../sdk/src/eip712.ts";
import { openBuyerInput, sealBuyerInput, SealedInputError, type BuyerInput } from "../../sdk/src/inputs.ts";
import { loadConfig } from "../../oracle/daemon/config.ts";

const seed = randomBytes(32);
const replica = (instanceId?: string) =>
  new SimulatorBackend(seed, DEFAULT_IMAGE, instanceId === undefined ? {} : { instanceId });
const ctx = { chainId: 31337n, contract: "0x" + "11".repeat(20), dealId: 42n };
const buyerInput: BuyerInput = {
  v: 1,
  budgetWei: "1000",
  requirements: "labels",
  deliveryPublicKey: hexlify(randomBytes(32)),
};

describe("replica identity and key epochs (oracle/tee)", () => {
  it("replicas share the measurement and the app's HPKE key; each has its own signer and instance id", async () => {
    const [a, b] = [replica("aa".repeat(20)), replica("bb".repeat(20))];
    expect(a.measurementId()).to.equal(b.measurementId());
    const [ia, ib] = [await loadOracleIdentity(a), await loadOracleIdentity(b)];
    expect(ia.encryptionPublicKey).to.equal(ib.encryptionPublicKey);
    expect(ia.address).to.not.equal(ib.address);
    expect([ia.instanceId, ib.instanceId]).to.deep.equal([
      instanceIdBytes32("aa".repeat(20)),
      instanceIdBytes32("bb".repeat(20)),
    ]);
    expect((await a.info()).instanceId).to.equal("aa".repeat(20));
    // the same replica restarted is the same signer
    expect((await loadOracleIdentity(replica("aa".repeat(20)))).address).to.equal(ia.address);
  });

  it("the default instance is the image's; its HPKE key is epoch 1's, the path every oracle used before epochs", async () => {
    const sim = replica();
    const id = await loadOracleIdentity(sim);
    expect((await sim.info()).instanceId).to.equal(DEFAULT_IMAGE.instanceId);
    expect(id.instanceId).to.equal(instanceIdBytes32(DEFAULT_IMAGE.instanceId));
    const v1 = await x25519KeyPairFromSeed(await sim.deriveKey("dealproof/oracle/hpke/v1"));
    expect(id.encryptionPublicKey).to.equal(hexlify(v1.publicKey));
    expect(hpkeKeyPath(1)).to.equal("dealproof/oracle/hpke/v1");
    expect(signerKeyPath("0xAB")).to.equal("dealproof/oracle/signer/v2/ab");
    expect(() => replica("not-hex")).to.throw(/20 bytes of lowercase hex/);
  });

  it("a keyring of epochs 2,1 registers epoch 2's key and opens inputs sealed to either; one sealed to a dropped epoch is refused with the epochs named", async () => {
    const sim = replica();
    const rotated = await loadOracleIdentity(sim, { keyEpochs: [2, 1] });
    const [k2, k1] = rotated.keyring;
    expect([k2.epoch, k1!.epoch]).to.deep.equal([2, 1]);
    expect(rotated.encryptionPublicKey).to.equal(k2.publicKey);
    expect(k2.publicKey).to.not.equal(k1!.publicKey);
    for (const key of [k1!, k2]) {
      const sealed = await sealBuyerInput(getBytes(key.publicKey), ctx, buyerInput);
      const r = await openWithKeyring(rotated.keyring, (k) => openBuyerInput(k, ctx, sealed));
      expect(r.key.epoch).to.equal(key.epoch);
      expect(r.value.budgetWei).to.equal("1000");
    }
    // epoch 1 dropped from config: its inputs no longer open, with a reason that says so
    const sealedToV1 = await sealBuyerInput(getBytes(k1!.publicKey), ctx, buyerInput);
    const only2 = await loadKeyring(sim, [2]);
    const e = await openWithKeyring(only2, (k) => openBuyerInput(k, ctx, sealedToV1)).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).to.be.instanceOf(SealedInputError);
    expect((e as SealedInputError).code).to.equal("sealed_input.cannot_open");
    expect((e as Error).message).to.match(/any key this oracle holds .*key epochs 2;/);
    // an input sealed for another deal opens with none of the keys either (HPKE cannot tell which)
    const other = { ...ctx, dealId: 43n };
    const e2 = await openWithKeyring(rotated.keyring, (k) => openBuyerInput(k, other, sealedToV1)).catch(
      (x: unknown) => x,
    );
    expect((e2 as Error).message).to.match(/key epochs 2, 1/);
  });

  it("DEALPROOF_KEY_EPOCHS is parsed current first and refuses repeats, zero and non-integers", () => {
    const env = {
      DEALPROOF_RPC_URL: "http://127.0.0.1:8545",
      DEALPROOF_DEPLOYMENT: "deployments/x.json",
      DEALPROOF_SENDER_KEY: "0x" + "11".repeat(32),
    };
    expect(loadConfig(env).DEALPROOF_KEY_EPOCHS).to.deep.equal([1]);
    expect(loadConfig({ ...env, DEALPROOF_KEY_EPOCHS: "3, 2" }).DEALPROOF_KEY_EPOCHS).to.deep.equal([3, 2]);
    for (const bad of ["2,2", "0", "1.5", "x", "2,"])
      expect(() => loadConfig({ ...env, DEALPROOF_KEY_EPOCHS: bad }), bad).to.throw(
        DealProofError,
        /DEALPROOF_KEY_EPOCHS: must be distinct positive integers/,
      );
    expect(() => loadConfig({ ...env, DEALPROOF_INSTANCE_ID: "AB".repeat(20) })).to.throw(
      /DEALPROOF_INSTANCE_ID/,
    );
  });
});
