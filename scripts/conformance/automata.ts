/**
 * `npm run conformance:automata [-- --json]`: verifies Automata's own TDX test quote (and the
 * dstack fixture's quote, when ../shared/fixtures/tdx is present) with Automata's verifier
 * deployed on a local EDR chain (Osaka, P-256 precompile at 0x100), and compares DcapOutput's
 * reading of the real output with the TypeScript reader's. Prints figures; asserts nothing
 * (the assertions are test/quote/automata-conformance.test.ts). Exits 2 when the vendor folder is absent.
 *
 * JSON: { verified, verifyGas, fieldsMatch, measurementIdMatches, tcbStatus, measurementId,
 *         mismatches, compileSeconds, dstack: {...} | { skipped } }.
 */
import { existsSync } from "node:fs";
import hre from "hardhat";
import { getBytes } from "ethers";
import { loadAutomataArtifacts } from "../automata/artifacts.ts";
import { VENDOR_ROOT, vendorPresent } from "../automata/sources.ts";
import { DSTACK_FIXTURES } from "../automata/collateral.ts";
import {
  compareWithReader,
  setUpDstack,
  setUpUpstream,
  verifyOnChain,
  type Setup,
} from "../automata/conformance.ts";

const json = process.argv.includes("--json");
if (!vendorPresent()) {
  console.error(`conformance:automata: ${VENDOR_ROOT} is absent; nothing to conform to`);
  process.exit(2);
}
await hre.tasks.getTask("build").run({ quiet: true });
const { compileSeconds } = await loadAutomataArtifacts();

async function run(setup: () => Promise<Setup>) {
  const s = await setup();
  const r = await verifyOnChain(s);
  const harness = await s.connection.ethers.deployContract("DcapOutputFieldsHarness");
  const c = r.success ? await compareWithReader(harness, r.output, s.quote, s.qvl) : undefined;
  await s.connection.close();
  return {
    verified: r.success,
    verifyGas: Number(r.gasUsed),
    quoteBytes: getBytes(s.quote).length,
    fieldsMatch: c?.fieldsMatch ?? false,
    measurementIdMatches: c?.measurementIdMatches ?? false,
    tcbStatus: c?.tcbStatus ?? null,
    measurementId: c?.measurementId ?? null,
    mismatches: c?.fields.filter((f) => !f.match) ?? [],
    reason: r.success ? undefined : Buffer.from(getBytes(r.output)).toString(),
  };
}

const upstream = await run(setUpUpstream);
const dstack = existsSync(DSTACK_FIXTURES)
  ? { ...(await run(setUpDstack)), tcbEvaluationDataNumber: "18, given explicitly" }
  : { skipped: `${DSTACK_FIXTURES} is absent` };
const result = { ...upstream, compileSeconds, dstack };

if (json) {
  console.log(JSON.stringify(result));
} else {
  console.log("Automata DCAP verifier on the local chain (Osaka, P-256 precompile at 0x100)");
  console.log(`  Automata's TDX test quote: verified=${upstream.verified}, gas ${upstream.verifyGas}`);
  console.log(
    `    fields match=${upstream.fieldsMatch}, measurement id matches=${upstream.measurementIdMatches}`,
  );
  console.log(`    TCB status ${upstream.tcbStatus}, measurement id ${upstream.measurementId}`);
  if ("verified" in dstack) {
    console.log(`  dstack quote: verified=${dstack.verified}, gas ${dstack.verifyGas}`);
    console.log(
      `    fields match=${dstack.fieldsMatch}, measurement id matches=${dstack.measurementIdMatches}`,
    );
  } else console.log(`  dstack quote: skipped (${dstack.skipped})`);
  for (const m of [...upstream.mismatches, ...("mismatches" in dstack ? dstack.mismatches : [])])
    console.log(`  MISMATCH ${m.field}: automata ${m.automata} / reader ${m.reader}`);
}
