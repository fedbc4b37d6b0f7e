/**
 * `phala:app-compose`: the exact app compose to deploy on Phala Cloud (image pinned by digest),
 * its compose hash (what `measurement:allow --compose-hash` requires), and the RTMR3 event it
 * produces. The file is what you upload; any other settings on Phala Cloud change the hash.
 * It also says what each variable the operator may set does to what the enclave attests
 * (CONFIG_CLASSES, docs/operations.md §7), and refuses a compose whose settable variables are
 * unclassified or classified as measured (the measurement would not fix them).
 */
import { readFileSync } from "node:fs";
import { userError, asUserError } from "./user-error.ts";
import { writeNewFile } from "./context.ts";
import { renderAppCompose } from "../../oracle/deploy/app-compose.ts";
import { CONFIG_CLASSES } from "../../oracle/daemon/config-digest.ts";

const classOf = (name: string): string | undefined => (CONFIG_CLASSES as Record<string, string>)[name];

interface Args {
  image: string;
  compose: string;
  name: string;
  out: string;
  publicLogs: boolean;
  force: boolean;
  json: boolean;
}

export default async function phalaAppCompose(a: Args): Promise<void> {
  if (a.image === "") throw userError("--image is required: the pushed image by digest (name@sha256:…)");
  let text: string;
  try {
    text = readFileSync(a.compose, "utf8");
  } catch {
    throw userError(`cannot read --compose ${a.compose}`);
  }
  let r;
  try {
    r = renderAppCompose({ composeText: text, image: a.image, name: a.name, publicLogs: a.publicLogs });
  } catch (e) {
    throw asUserError(e);
  }
  const bad = r.allowedEnvs.filter((v) => classOf(v) === undefined || classOf(v) === "measured");
  if (bad.length > 0)
    throw userError(
      `the compose lets the operator set ${bad.join(", ")}, which the measurement would not fix (not classified attested or operational)`,
      {
        hint: "fix its value in the compose, or classify it in oracle/daemon/config-digest.ts and docs/operations.md §7",
      },
    );
  writeNewFile(a.out, r.json, a.force, "--out");
  const envClasses = Object.fromEntries(r.allowedEnvs.map((v) => [v, classOf(v)!]));
  const out = {
    appCompose: a.out,
    composeHash: r.composeHash,
    allowedEnvs: r.allowedEnvs,
    envClasses,
    rtmr3ComposeHashEvent: r.composeHashEventDigest,
  };
  if (a.json) {
    console.log(JSON.stringify(out));
    return;
  }
  console.log(`app compose      ${a.out} (upload this exact file; the image is pinned by digest)`);
  console.log(`compose hash     ${r.composeHash}`);
  console.log(`encrypted envs   ${r.allowedEnvs.join(", ")}`);
  const of = (c: string) => r.allowedEnvs.filter((v) => envClasses[v] === c).join(", ") || "none";
  console.log(`  attested       ${of("attested")} (in configDigest, bound into every settlement's terms)`);
  console.log(`  operational    ${of("operational")} (liveness and cost only; docs/operations.md §7)`);
  console.log(`RTMR3 event      compose-hash, digest ${r.composeHashEventDigest}`);
  console.log(
    `then: npx hardhat measurement:allow --network sepolia --quote attestation.json --collateral collateral.json --compose-hash ${r.composeHash}`,
  );
}
