/**
 * `phala:app-compose`: the exact app compose to deploy on Phala Cloud (image pinned by digest),
 * its compose hash (what `measurement:allow --compose-hash` requires), and the RTMR3 event it
 * produces. The file is what you upload; any other settings on Phala Cloud change the hash.
 */
import { readFileSync } from "node:fs";
import { userError, asUserError } from "./user-error.ts";
import { writeNewFile } from "./context.ts";
import { renderAppCompose } from "../../oracle/deploy/app-compose.ts";

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
  writeNewFile(a.out, r.json, a.force, "--out");
  const out = {
    appCompose: a.out,
    composeHash: r.composeHash,
    allowedEnvs: r.allowedEnvs,
    rtmr3ComposeHashEvent: r.composeHashEventDigest,
  };
  if (a.json) {
    console.log(JSON.stringify(out));
    return;
  }
  console.log(`app compose      ${a.out} (upload this exact file; the image is pinned by digest)`);
  console.log(`compose hash     ${r.composeHash}`);
  console.log(`encrypted envs   ${r.allowedEnvs.join(", ")}`);
  console.log(`RTMR3 event      compose-hash, digest ${r.composeHashEventDigest}`);
  console.log(
    `then: npx hardhat measurement:allow --network sepolia --quote attestation.json --collateral collateral.json --compose-hash ${r.composeHash}`,
  );
}
