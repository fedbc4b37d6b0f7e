/**
 * phala:app-compose: the image digest is pinned into the compose text, the app compose is the
 * deterministic JSON whose sha256 is @phala/dstack-sdk's getComposeHash, and the RTMR3
 * `compose-hash` event it predicts is the one the existing RTMR3 replay reads back.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getComposeHash } from "@phala/dstack-sdk/get-compose-hash";
import { renderAppCompose } from "../../oracle/deploy/app-compose.ts";
import { replayRtmr3, runtimeEvent } from "../../oracle/quote/eventlog.ts";
import { rejects } from "../helpers.ts";

const compose = readFileSync(join(import.meta.dirname, "..", "..", "docker-compose.yml"), "utf8");
const image = `registry.example/dealproof-oracle@sha256:${"ab".repeat(32)}`;

describe("phala:app-compose", () => {
  it("pins the image, lists the encrypted envs, and hashes what dstack receives", () => {
    const r = renderAppCompose({ composeText: compose, image, name: "dealproof-oracle" });
    const text = r.appCompose.docker_compose_file!;
    expect(text).to.include(`image: ${image}`);
    expect(text).to.not.include("DEALPROOF_IMAGE");
    expect(r.allowedEnvs).to.include.members([
      "DEALPROOF_RPC_URL",
      "DEALPROOF_SENDER_KEY",
      "ANTHROPIC_API_KEY",
      "DEALPROOF_PUBLIC_URL",
      "DEALPROOF_CORS_ORIGINS",
    ]);
    expect(r.composeHash).to.equal(createHash("sha256").update(r.json).digest("hex"));
    expect(r.composeHash).to.equal(getComposeHash(JSON.parse(r.json)));
    const replay = replayRtmr3([runtimeEvent("compose-hash", r.composeHash)]);
    expect(replay.composeHash).to.equal(r.composeHash);
    expect(runtimeEvent("compose-hash", r.composeHash).digest).to.equal(r.composeHashEventDigest);
    // any change to the compose (here: public logs) is another hash, hence another measurement
    expect(
      renderAppCompose({ composeText: compose, image, name: "dealproof-oracle", publicLogs: true })
        .composeHash,
    ).to.not.equal(r.composeHash);
  });

  it("refuses an image not pinned by digest, and a compose without the image line", async () => {
    await rejects(
      (async () => renderAppCompose({ composeText: compose, image: "me/oracle:latest", name: "x" }))(),
      /must name the pushed image by digest/,
    );
    await rejects(
      (async () => renderAppCompose({ composeText: "services: {}\n", image, name: "x" }))(),
      /no `image: \$\{DEALPROOF_IMAGE…\}` line/,
    );
  });
});
