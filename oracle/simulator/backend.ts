/**
 * The embedded TDX simulator (DESIGN.md §5): no external process. Keys come from a seed file it
 * creates on first run; quotes are TDX v4 in the production layout, signed with ECDSA-P256 by the
 * simulator's attestation key (what SimulatedDcapVerifier's owner registers). The simulated
 * image's RTMR3 is replayed from a dstack-style event log (app-id, compose-hash, instance-id), so
 * its measurement id is computed off-chain exactly as on-chain.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { randomBytes } from "node:crypto";
import { DealProofError, type DealProofErrorOptions } from "../../sdk/src/errors.ts";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256, sha384 } from "@noble/hashes/sha2";
import { p256 } from "@noble/curves/p256";
import { buildQuote, p256PublicKeyXY, type QuoteKeys } from "./quote.ts";
import {
  pkiFromKeys,
  simulatedCollateral,
  type CollateralOptions,
  type DcapCollateral,
  type SimulatedPki,
  type SimulatedPkiKeys,
} from "./pki.ts";
import { replayRtmr3, runtimeEvent, type DstackEvent } from "../quote/eventlog.ts";
import { measurementId, type TdMeasurements } from "../../sdk/src/measurement.ts";
import { checkReportData, type TeeBackend, type TeeInfo, type TeeQuote } from "../tee/backend.ts";

/** The simulated image: which VM it claims to be. Change any field and the measurement id changes. */
export interface SimulatedImage {
  /** Label from which mrTd and rtMr0–2 are derived (stands in for the firmware/kernel/OS image). */
  osImage: string;
  /** dstack app id (20 bytes hex, no 0x). */
  appId: string;
  /** sha256 of the app compose file (hex, no 0x). */
  composeHash: string;
  /** Instance id (20 bytes hex, no 0x). */
  instanceId: string;
}

export const DEFAULT_IMAGE: SimulatedImage = {
  osImage: "dealproof-simulated-dstack-0.5",
  appId: Buffer.from(sha256(new TextEncoder().encode("dealproof-oracle")).slice(0, 20)).toString("hex"),
  composeHash: Buffer.from(sha256(new TextEncoder().encode("dealproof docker-compose.yml"))).toString("hex"),
  instanceId: Buffer.from(sha256(new TextEncoder().encode("dealproof-local-instance")).slice(0, 20)).toString(
    "hex",
  ),
};

/** SEPT_VE_DISABLE set, debug (TUD) clear: what a production TD reports. */
const PRODUCTION_TD_ATTRIBUTES = Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 0]);
/** The xFAM of dstack's TDs (x87, SSE, AVX, AVX-512, PKRU, …). */
const SIMULATED_XFAM = Uint8Array.from([0xe7, 0x02, 0x06, 0, 0, 0, 0, 0]);

const label = (s: string) => new TextEncoder().encode(s);

export class SeedFileMissing extends DealProofError<"simulator.seed_missing"> {
  override name = "SeedFileMissing";
  constructor(message: string, options?: DealProofErrorOptions) {
    super("simulator.seed_missing", message, options);
  }
}

/**
 * Reads the 32-byte seed. Only with `create` is a missing seed created (mode 0600), and then only
 * in an existing directory or one new directory level: a typo in the path must not silently
 * give the oracle a new identity, nor create directories anywhere.
 */
function loadOrCreateSeed(seedFile: string, create = true): Uint8Array {
  if (existsSync(seedFile)) {
    const seed = readFileSync(seedFile);
    if (seed.length !== 32)
      throw new DealProofError(
        "simulator.bad_seed",
        `simulator seed file ${seedFile} must hold exactly 32 bytes; it holds ${seed.length}`,
        { hint: "point at the seed file the simulator created, or remove it to create a new identity" },
      );
    return new Uint8Array(seed);
  }
  if (!create)
    throw new SeedFileMissing(`no simulator seed at ${seedFile}`, {
      hint:
        "check the path, or create one with `npx hardhat tee:simulator-key --create-seed` " +
        "(oracle: DEALPROOF_CREATE_SEED=true)",
    });
  const dir = dirname(seedFile);
  if (!existsSync(dir)) {
    if (!existsSync(dirname(dir)))
      throw new DealProofError(
        "simulator.seed_dir_missing",
        `cannot create the simulator seed ${seedFile}: ${dirname(dir)} does not exist`,
        { hint: "create that directory first, or choose a seed path in an existing one" },
      );
    mkdirSync(dir, { mode: 0o700 });
  }
  const seed = randomBytes(32);
  writeFileSync(seedFile, seed, { mode: 0o600, flag: "wx" });
  return new Uint8Array(seed);
}

/** A valid P-256 private key derived from the seed (FIPS 186-5 A.2.1 style: 48 bytes mod (n−1) + 1). */
function p256Key(seed: Uint8Array, path: string): Uint8Array {
  const wide = hkdf(sha256, seed, label("dealproof-simulator/p256"), label(path), 48);
  const n = p256.CURVE.n;
  const k = (BigInt("0x" + Buffer.from(wide).toString("hex")) % (n - 1n)) + 1n;
  return Uint8Array.from(Buffer.from(k.toString(16).padStart(64, "0"), "hex"));
}

/**
 * Replicas of one simulated app: same seed and image (so the same app keys and one measurement
 * id), each with its own instance id (so its own signer). The measured instance-id event stays
 * the image's, as for replicas of one dstack app deployed under one measurement (DESIGN.md §12).
 */
export interface SimulatorOptions {
  /** This replica's instance id (20 bytes of lowercase hex, no 0x); default: the image's. */
  instanceId?: string;
}

export class SimulatorBackend implements TeeBackend {
  readonly mode = "simulator" as const;
  readonly image: SimulatedImage;
  /** This replica's instance id (what info() reports and the signer is scoped to). */
  readonly instanceId: string;
  readonly #seed: Uint8Array;
  readonly #keys: QuoteKeys;
  readonly #pkiKeys: SimulatedPkiKeys;
  #pki: SimulatedPki | undefined;
  readonly #events: DstackEvent[];
  readonly #registers: TdMeasurements;

  constructor(seed: Uint8Array, image: SimulatedImage = DEFAULT_IMAGE, opts: SimulatorOptions = {}) {
    if (seed.length !== 32) throw new Error("the simulator seed is 32 bytes");
    if (opts.instanceId !== undefined && !/^[0-9a-f]{40}$/.test(opts.instanceId))
      throw new DealProofError(
        "simulator.bad_instance_id",
        "a simulated instance id must be 20 bytes of lowercase hex (no 0x)",
        { hint: "set DEALPROOF_INSTANCE_ID to 40 lowercase hex characters, one value per replica" },
      );
    this.instanceId = opts.instanceId ?? image.instanceId;
    for (const [k, len] of [
      ["appId", 20],
      ["composeHash", 32],
      ["instanceId", 20],
    ] as const) {
      if (!new RegExp(`^[0-9a-f]{${len * 2}}$`).test(image[k]))
        throw new Error(`simulated image ${k} must be ${len} bytes of lowercase hex`);
    }
    this.#seed = seed;
    this.image = image;
    this.#keys = { attestationPrivateKey: p256Key(seed, "attestation"), pckPrivateKey: p256Key(seed, "pck") };
    this.#pkiKeys = {
      rootCa: p256Key(seed, "pki/root-ca"),
      platformCa: p256Key(seed, "pki/platform-ca"),
      tcbSigning: p256Key(seed, "pki/tcb-signing"),
      pck: this.#keys.pckPrivateKey,
    };
    const reg = (name: string) => sha384(label(`${image.osImage}/${name}`));
    this.#events = [
      runtimeEvent("system-preparing", ""),
      runtimeEvent("app-id", image.appId),
      runtimeEvent("compose-hash", image.composeHash),
      runtimeEvent("instance-id", image.instanceId),
      runtimeEvent("boot-mr-done", ""),
    ];
    this.#registers = {
      mrTd: reg("mrtd"),
      rtMr0: reg("rtmr0"),
      rtMr1: reg("rtmr1"),
      rtMr2: reg("rtmr2"),
      rtMr3: replayRtmr3(this.#events).rtMr3,
      mrConfigId: new Uint8Array(48),
      tdAttributes: PRODUCTION_TD_ATTRIBUTES,
      xfam: SIMULATED_XFAM,
    };
  }

  /** `create` (default true, for tests and the demo): make the seed when it is missing. */
  static fromSeedFile(
    seedFile: string,
    image?: SimulatedImage,
    create = true,
    opts: SimulatorOptions = {},
  ): SimulatorBackend {
    return new SimulatorBackend(loadOrCreateSeed(seedFile, create), image, opts);
  }

  /** x ‖ y of the attestation key: what SimulatedDcapVerifier's owner registers. */
  attestationPublicKey(): Uint8Array {
    return p256PublicKeyXY(this.#keys.attestationPrivateKey);
  }

  eventLog(): string {
    return JSON.stringify(this.#events);
  }

  /** The measured fields of the simulated instance (registers, config id, attributes, xFAM). */
  registers() {
    return { ...this.#registers };
  }

  measurementId() {
    return measurementId(this.#registers);
  }

  /** The simulated Intel PKI whose PCK key signs this simulator's QE reports. */
  pki(): SimulatedPki {
    this.#pki ??= pkiFromKeys(this.#pkiKeys);
    return this.#pki;
  }

  /** DER root CA of the simulated DCAP chain (what a verifier pins instead of Intel's root). */
  dcapRootCa(): Uint8Array {
    return this.pki().rootCaDer;
  }

  /** Freshly signed collateral (TCB info, QE identity, CRLs) for this simulator's platform. */
  dcapCollateral(opts: CollateralOptions = {}): DcapCollateral {
    return simulatedCollateral(this.pki(), this.#pkiKeys, opts);
  }

  async getQuote(reportData: Uint8Array): Promise<TeeQuote> {
    const pki = this.pki();
    const quote = buildQuote({
      body: {
        ...this.#registers,
        reportData: checkReportData(reportData),
        teeTcbSvn: pki.tcb.teeTcbSvn,
      },
      keys: this.#keys,
      pckCertChainPem: pki.pckChainPem,
      qeReport: { ...pki.qe, cpuSvn: pki.tcb.cpuSvn },
    });
    return { quote, eventLog: this.eventLog() };
  }

  async deriveKey(path: string): Promise<Uint8Array> {
    return hkdf(
      sha256,
      this.#seed,
      label("dealproof-simulator/app-key"),
      label(`${this.image.appId}/${path}`),
      32,
    );
  }

  async info(): Promise<TeeInfo> {
    return {
      mode: "simulator",
      appId: this.image.appId,
      composeHash: this.image.composeHash,
      instanceId: this.instanceId,
      measurementId: this.measurementId(),
    };
  }
}
