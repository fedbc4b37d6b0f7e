/**
 * Deploys Automata's on-chain PCCS, V4QuoteVerifier and AutomataDcapAttestationFee on a local
 * chain in the order of upstream's own set-up (forge-test/utils/PCCSSetupBase.sol and
 * AutomataDcapOnChainAttestationTest.setUp), with P-256 through the Osaka precompile at 0x100,
 * and loads collateral into it.
 *
 * Invariants: every upsert goes through the DAOs' own signature and validity checks (nothing is
 * written to storage directly); the versioned QE-identity and FMSPC-TCB DAOs are deployed for one
 * TCB evaluation data number, which must match the collateral loaded into them.
 */
import { ContractFactory, type Contract, type ContractRunner, type Signer } from "ethers";
import type { ArtifactFile, AutomataContractName } from "./sources.ts";
import type { Hex, SignedJson } from "./collateral.ts";

/** RIP-7212 P-256 verification precompile, live on Osaka (EIP-7951). */
const P256_PRECOMPILE = "0x0000000000000000000000000000000000000100";

/** `CA` enum of on-chain-pccs Common.sol. */
const CA = { ROOT: 0, PROCESSOR: 1, PLATFORM: 2, SIGNING: 3 } as const;

export interface AutomataDeployment {
  attestation: Contract;
  verifier: Contract;
  router: Contract;
  pcsDao: Contract;
  enclaveIdDao: Contract;
  fmspcTcbDao: Contract;
  tcbEvalDao: Contract;
  enclaveIdHelper: Contract;
  tcbEval: number;
}

async function deploy(
  artifacts: ArtifactFile,
  name: AutomataContractName,
  signer: Signer,
  args: unknown[] = [],
): Promise<Contract> {
  const a = artifacts.contracts[name];
  const factory = new ContractFactory(a.abi as never, a.bytecode, signer);
  const c = await factory.deploy(...args);
  await c.waitForDeployment();
  return c as Contract;
}

async function send(p: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  await (await p).wait();
}

const addr = (c: Contract | ContractRunner) => (c as Contract).getAddress();

/**
 * PCCS (helpers, storage, five DAOs), router, V4 verifier and fee entrypoint, all owned by
 * `admin`; the certificates of upstream's set-up (root CA, platform CA, root CRL, TCB signing CA)
 * are upserted, as PCCSSetupBase.pcsDaoUpserts does.
 */
export async function deployAutomata(
  artifacts: ArtifactFile,
  admin: Signer,
  certs: { rootCaDer: Hex; platformCaDer: Hex; rootCrlDer: Hex; signingCaDer: Hex },
  tcbEval: number,
): Promise<AutomataDeployment> {
  const adminAddress = await admin.getAddress();
  const d = (name: AutomataContractName, args: unknown[] = []) => deploy(artifacts, name, admin, args);
  const enclaveIdHelper = await d("EnclaveIdentityHelper");
  const tcbHelper = await d("FmspcTcbHelper");
  const x509 = await d("PCKHelper");
  const x509Crl = await d("X509CRLHelper");
  const tcbEvalHelper = await d("TcbEvalHelper");
  const [x509A, x509CrlA] = [await addr(x509), await addr(x509Crl)];

  const storage = await d("AutomataDaoStorage", [adminAddress]);
  const s = await addr(storage);
  const pcsDao = await d("AutomataPcsDao", [s, P256_PRECOMPILE, x509A, x509CrlA]);
  const pcs = await addr(pcsDao);
  const pckDao = await d("AutomataPckDao", [s, P256_PRECOMPILE, pcs, x509A, x509CrlA]);
  const enclaveIdDao = await d("AutomataEnclaveIdentityDaoVersioned", [
    s,
    P256_PRECOMPILE,
    pcs,
    await addr(enclaveIdHelper),
    x509A,
    x509CrlA,
    adminAddress,
    tcbEval,
  ]);
  const fmspcTcbDao = await d("AutomataFmspcTcbDaoVersioned", [
    s,
    P256_PRECOMPILE,
    pcs,
    await addr(tcbHelper),
    x509A,
    x509CrlA,
    adminAddress,
    tcbEval,
  ]);
  const tcbEvalDao = await d("AutomataTcbEvalDao", [
    s,
    P256_PRECOMPILE,
    pcs,
    await addr(tcbEvalHelper),
    x509A,
    x509CrlA,
    adminAddress,
  ]);
  for (const dao of [pcsDao, pckDao, fmspcTcbDao, enclaveIdDao, tcbEvalDao]) {
    await send(storage.grantDao!(await addr(dao)));
  }
  await send(tcbEvalDao.grantRoles!(adminAddress, await tcbEvalDao.ATTESTER_ROLE!()));
  await send(enclaveIdDao.grantRoles!(adminAddress, await enclaveIdDao.ATTESTER_ROLE!()));
  await send(fmspcTcbDao.grantRoles!(adminAddress, await fmspcTcbDao.ATTESTER_ROLE!()));

  const router = await d("PCCSRouter", [
    adminAddress,
    await addr(tcbEvalDao),
    pcs,
    await addr(pckDao),
    x509A,
    x509CrlA,
    await addr(tcbHelper),
  ]);
  await send(storage.setCallerAuthorization!(await addr(router), true));
  await send(router.setQeIdDaoVersionedAddr!(tcbEval, await addr(enclaveIdDao)));
  await send(router.setFmspcTcbDaoVersionedAddr!(tcbEval, await addr(fmspcTcbDao)));

  await send(pcsDao.upsertPcsCertificates!(CA.ROOT, certs.rootCaDer));
  await send(pcsDao.upsertPcsCertificates!(CA.PLATFORM, certs.platformCaDer));
  await send(pcsDao.upsertRootCACrl!(certs.rootCrlDer));
  await send(pcsDao.upsertPcsCertificates!(CA.SIGNING, certs.signingCaDer));

  const attestation = await d("AutomataDcapAttestationFee", [adminAddress]);
  const verifier = await d("V4QuoteVerifier", [P256_PRECOMPILE, await addr(router)]);
  await send(attestation.setQuoteVerifier!(await addr(verifier)));
  await send(router.setAuthorized!(await addr(verifier), true));
  return {
    attestation,
    verifier,
    router,
    pcsDao,
    enclaveIdDao,
    fmspcTcbDao,
    tcbEvalDao,
    enclaveIdHelper,
    tcbEval,
  };
}

/** Upserts TD collateral the way upstream's test does: PCK CRL, QE identity (PCS API v4), TCB info, TCB eval data. */
export async function loadCollateral(
  d: AutomataDeployment,
  c: {
    platformCrlDer: Hex;
    rootCrlDer?: Hex;
    qeIdentity: SignedJson;
    tcbInfo: SignedJson;
    tcbEvalData?: SignedJson;
  },
): Promise<void> {
  if (c.rootCrlDer !== undefined) await send(d.pcsDao.upsertRootCACrl!(c.rootCrlDer));
  await send(d.pcsDao.upsertPckCrl!(CA.PLATFORM, c.platformCrlDer));
  const [identity] = (await d.enclaveIdHelper.parseIdentityString!(c.qeIdentity.text)) as [{ id: bigint }];
  await send(
    d.enclaveIdDao.upsertEnclaveIdentity!(identity.id, 4, {
      identityStr: c.qeIdentity.text,
      signature: c.qeIdentity.signature,
    }),
  );
  await send(d.fmspcTcbDao.upsertFmspcTcb!({ tcbInfoStr: c.tcbInfo.text, signature: c.tcbInfo.signature }));
  if (c.tcbEvalData !== undefined) {
    await send(
      d.tcbEvalDao.upsertTcbEvaluationData!({
        tcbEvaluationDataNumbers: c.tcbEvalData.text,
        signature: c.tcbEvalData.signature,
      }),
    );
  }
}
