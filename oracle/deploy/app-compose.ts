/**
 * The dstack app compose an operator sends to Phala Cloud, and what it makes the CVM measure.
 * dstack receives only this JSON (`app-compose.json`, with the docker-compose text inside it) and
 * measures sha256 of it into RTMR3 as the `compose-hash` event; Phala Cloud writes it as
 * deterministic JSON (keys sorted, no whitespace), which `@phala/dstack-sdk`'s getComposeHash
 * hashes. Invariant: the image is named by digest inside the compose text — a `${VAR}` image would
 * be chosen at boot from unmeasured environment, so the measurement would not name the code.
 */
import { getComposeHash, type AppCompose } from "@phala/dstack-sdk/get-compose-hash";
import { DSTACK_EVENT_TYPE, runtimeEventDigest } from "../quote/eventlog.ts";
import { DealProofError } from "../../sdk/src/errors.ts";

const DIGEST_REF = /^[a-z0-9][a-z0-9._\-/:]*@sha256:[0-9a-f]{64}$/;

export interface AppComposeOptions {
  /** The docker-compose text (docker-compose.yml). */
  composeText: string;
  /** The oracle image, pinned by digest: name@sha256:<64 hex>. */
  image: string;
  name: string;
  kms?: boolean;
  gateway?: boolean;
  publicLogs?: boolean;
  publicSysinfo?: boolean;
}

export interface RenderedAppCompose {
  appCompose: AppCompose;
  /** The JSON text dstack receives and hashes. */
  json: string;
  /** sha256 of `json`, hex without 0x: what `--compose-hash` of measurement:allow expects. */
  composeHash: string;
  /** Variables the compose reads from the CVM's encrypted environment (dstack's allowed_envs). */
  allowedEnvs: string[];
  /** The RTMR3 `compose-hash` event this compose produces (sha384 digest, hex). */
  composeHashEventDigest: string;
}

/** Inlines the image digest into the compose text and builds the app compose dstack receives. */
export function renderAppCompose(o: AppComposeOptions): RenderedAppCompose {
  if (!DIGEST_REF.test(o.image))
    throw new DealProofError(
      "deploy.image_not_pinned",
      `--image must name the pushed image by digest; got "${o.image}"`,
      {
        hint: "give it as registry/dealproof-oracle@sha256:<64 hex> (docker push prints the digest)",
      },
    );
  const imageLine = /^(\s*image:\s*)\$\{DEALPROOF_IMAGE[^}]*\}\s*$/m;
  if (!imageLine.test(o.composeText))
    throw new DealProofError(
      "deploy.compose_no_image",
      "the compose file has no `image: ${DEALPROOF_IMAGE…}` line to pin",
      {
        hint: "use the project's docker-compose.yml, whose oracle service reads its image from DEALPROOF_IMAGE",
      },
    );
  const text = o.composeText.replace(imageLine, `$1${o.image}`);
  const allowedEnvs = [...new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!))].sort();
  const appCompose: AppCompose = {
    manifest_version: 2,
    name: o.name,
    runner: "docker-compose",
    docker_compose_file: text,
    kms_enabled: o.kms ?? true,
    gateway_enabled: o.gateway ?? true,
    public_logs: o.publicLogs ?? false,
    public_sysinfo: o.publicSysinfo ?? true,
    local_key_provider_enabled: false,
    allowed_envs: allowedEnvs,
    no_instance_id: false,
    secure_time: true,
  };
  const composeHash = getComposeHash(appCompose);
  const digest = runtimeEventDigest({
    event_type: DSTACK_EVENT_TYPE,
    event: "compose-hash",
    event_payload: composeHash,
  });
  return {
    appCompose,
    json: deterministicJson(appCompose),
    composeHash,
    allowedEnvs,
    composeHashEventDigest: Buffer.from(digest).toString("hex"),
  };
}

/** Keys sorted at every level, no whitespace: the text whose sha256 getComposeHash returns. */
function deterministicJson(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x !== null && typeof x === "object"
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(sort(v));
}
